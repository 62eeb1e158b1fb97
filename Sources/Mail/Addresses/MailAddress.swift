/// A mailbox: an optional display name and an addr-spec (`local@domain`).
///
/// Construction validates: CR, LF and NUL are rejected anywhere, and the addr-spec must be
/// plausible (RFC 5321/5322 dot-atom or quoted local part, host name or address literal).
/// Non-ASCII local parts and domains are accepted and flagged by `requiresSMTPUTF8`.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, if any (decoded, never empty).
    public let displayName: String?
    /// The addr-spec, `local-part@domain`, as it goes into SMTP commands and headers.
    public let addrSpec: String

    /// Parses one mailbox: `a@b`, `Name <a@b>`, `"Doe, J" <a@b>` or `=?UTF-8?Q?…?= <a@b>`.
    ///
    /// Throws `invalidAddress` for anything else, including lists and injection attempts.
    public init(_ string: String) throws {
        let list = try AddressParser.parseList(string)
        guard list.count == 1, let only = list.first else {
            throw MailError(.invalidAddress, "expected exactly one address, found \(list.count)", input: string)
        }
        self = only
    }

    /// Creates a mailbox from a display name and an addr-spec, validating both.
    public init(displayName: String?, address: String) throws {
        let spec = try AddressParser.parseAddrSpec(address)
        try self.init(displayName: displayName, validatedAddrSpec: spec)
    }

    init(displayName: String?, validatedAddrSpec: String) throws {
        if let displayName {
            guard !displayName.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
            else {
                throw MailError(.invalidAddress, "display name contains control characters", input: displayName)
            }
        }
        let trimmed = displayName.map { ASCII.trimmingWSP($0) }
        self.displayName = trimmed?.isEmpty == false ? trimmed : nil
        self.addrSpec = validatedAddrSpec
    }

    /// Parses a comma-separated address list, honouring quotes, comments and groups
    /// (`Team: a@b, c@d;` contributes its members). Throws `invalidAddress`.
    public static func parseList(_ string: String) throws -> [MailAddress] {
        try AddressParser.parseList(string)
    }

    /// The part before the last `@`.
    public var localPart: String {
        String(addrSpec[..<(addrSpec.lastIndex(of: "@") ?? addrSpec.endIndex)])
    }

    /// The part after the last `@`.
    public var domain: String {
        guard let at = addrSpec.lastIndex(of: "@") else { return "" }
        return String(addrSpec[addrSpec.index(after: at)...])
    }

    /// Whether the addr-spec contains non-ASCII characters, so SMTP needs the SMTPUTF8 extension.
    public var requiresSMTPUTF8: Bool { addrSpec.utf8.contains { $0 >= 0x80 } }

    /// The same mailbox without its display name.
    public var withoutDisplayName: MailAddress {
        MailAddress(unchecked: nil, addrSpec: addrSpec)
    }

    private init(unchecked displayName: String?, addrSpec: String) {
        self.displayName = displayName
        self.addrSpec = addrSpec
    }

    /// The header form, unfolded: display name quoted or RFC 2047-encoded as needed,
    /// e.g. `=?UTF-8?Q?J=C3=B6rg?= <j@example.com>`.
    public var headerValue: String {
        guard let displayName else { return addrSpec }
        let name: String
        switch DisplayNameForm(displayName) {
        case .plain(let text): name = text
        case .encoded:
            var encoder = EncodedWord.Encoder(displayName)
            var words: [String] = []
            while let word = encoder.next(maxLength: EncodedWord.maxLength) {
                words.append(String(decoding: word, as: UTF8.self))
            }
            name = words.joined(separator: " ")
        }
        return "\(name) <\(addrSpec)>"
    }

    /// `Name <a@b>` as a person would read it (quoted if needed, not encoded).
    public var description: String {
        guard let displayName else { return addrSpec }
        switch DisplayNameForm(displayName) {
        case .plain(let text): return "\(text) <\(addrSpec)>"
        case .encoded: return "\(ParameterEncoding.quoted(displayName)) <\(addrSpec)>"
        }
    }

    /// The addr-spec with the domain lower-cased, for comparing envelope addresses.
    var normalizedAddrSpec: String {
        "\(localPart)@\(ASCII.lowercased(domain))"
    }
}

/// How a display name is written in a header.
enum DisplayNameForm {
    /// ASCII: atoms as they are, or a quoted-string.
    case plain(String)
    /// Needs RFC 2047 encoded-words.
    case encoded

    init(_ name: String) {
        if name.utf8.contains(where: { !(ASCII.isVCHAR($0) || $0 == ASCII.space) }) {
            self = .encoded
            return
        }
        let words = name.split(separator: " ", omittingEmptySubsequences: false)
        let atoms = words.allSatisfy { word in
            !word.isEmpty && word.utf8.allSatisfy(ASCII.isAtext)
                && !EncodedWord.looksEncoded(word.utf8)
        }
        self = .plain(atoms ? name : ParameterEncoding.quoted(name))
    }
}
