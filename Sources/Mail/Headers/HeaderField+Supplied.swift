/// Header fields given as name and text by the user (`MailMessage.addingHeader(name:value:)`,
/// `MessageHeaders(parsing:)`): one rule for both.
extension HeaderField {
    /// Fields whose syntax is structured (message IDs, URLs in angle brackets, key data), where
    /// RFC 2047 encoded-words are not allowed and encoding a long word would break the value.
    static let knownStructuredNames: [String] = [
        "In-Reply-To", "References", "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
        "List-Subscribe", "List-Post", "List-Owner", "List-Archive", "Archived-At", "Autocrypt",
        "Autocrypt-Gossip", "DKIM-Signature",
    ]

    /// A field from user-supplied text.
    ///
    /// The value is unstructured, so non-ASCII words are RFC 2047-encoded when written, like
    /// `init(name:value:)`. The ASCII value of a known structured field (References, List-*,
    /// Autocrypt, …) is instead kept verbatim and only folded at its whitespace; a non-ASCII
    /// one is refused with `invalidHeaderValue`, since encoded-words are not allowed there
    /// (use `init(name:structuredValue:)` to send it as UTF-8 with SMTPUTF8).
    static func supplied(name: String, value: String) throws -> HeaderField {
        guard knownStructuredNames.contains(where: { ASCII.caseInsensitiveEquals($0, name) }) else {
            return try HeaderField(name: name, value: value)
        }
        guard value.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw MailError(
                .invalidHeaderValue,
                "\(name) is a structured field where RFC 2047 cannot encode non-ASCII text; "
                    + "pass HeaderField(name:structuredValue:) to send it as UTF-8 (SMTPUTF8)",
                header: name, input: value)
        }
        return try HeaderField(name: name, structuredValue: value)
    }

    /// Whether the field is a trace field, which servers add while relaying and delivering
    /// (Return-Path, Received, Resent-*, Delivered-To, Authentication-Results, ARC-*, …).
    var isTraceField: Bool {
        let exact = ["Return-Path", "Received", "Received-SPF", "Delivered-To", "Authentication-Results"]
        return exact.contains(where: matches) || hasNamePrefix("Resent-") || hasNamePrefix("ARC-")
    }

    private func hasNamePrefix(_ prefix: String) -> Bool {
        // Names are ASCII, so characters and octets coincide.
        name.count > prefix.count && ASCII.caseInsensitiveEquals(name.prefix(prefix.count), prefix)
    }
}
