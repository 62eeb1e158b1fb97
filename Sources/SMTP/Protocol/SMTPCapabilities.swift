/// The service extensions a server announced in its `EHLO` reply (RFC 5321 section 4.1.1.1).
///
/// Every line after the first is `KEYWORD [param ...]`; keywords are stored upper-cased
/// with their parameters, so extensions this type has no accessor for are still reachable
/// through ``parameters(for:)``. The old `AUTH=MECH` form of some servers is folded into
/// `AUTH`.
public struct SMTPCapabilities: Hashable, Sendable {
    /// Whether the session was opened with `EHLO` (`false` after a fall-back to `HELO`,
    /// when no extension may be used).
    public var isExtended: Bool

    /// The first line of the `EHLO`/`HELO` reply: the server's domain and greeting text.
    public var serverGreeting: String

    /// Keyword (upper case) → parameters, in the order the server sent them.
    public var keywords: [String: [String]]

    /// Capabilities of a session without extensions (after `HELO`).
    ///
    /// - Parameter serverGreeting: The text of the `HELO` reply.
    public init(basicSessionGreeting serverGreeting: String = "") {
        self.isExtended = false
        self.serverGreeting = serverGreeting
        self.keywords = [:]
    }

    /// Parses the reply to `EHLO`.
    ///
    /// - Parameter ehloReply: The positive (`250`) reply to `EHLO`.
    public init(ehloReply: SMTPReply) {
        self.isExtended = true
        self.serverGreeting = ehloReply.lines.first ?? ""
        var keywords: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard !words.isEmpty else {
                continue
            }
            var keyword = words.removeFirst().uppercased()
            if let equals = keyword.firstIndex(of: "="), keyword.hasPrefix("AUTH=") {
                // Pre-RFC 4954 form: "AUTH=LOGIN PLAIN".
                words.insert(String(keyword[keyword.index(after: equals)...]), at: 0)
                keyword = "AUTH"
            }
            var known = keywords[keyword] ?? []
            for word in words where !known.contains(word) {
                known.append(word)
            }
            keywords[keyword] = known
        }
        self.keywords = keywords
    }

    /// Whether the server announced `keyword` (case-insensitive).
    ///
    /// - Parameter keyword: For example `"PIPELINING"`.
    public func contains(_ keyword: String) -> Bool {
        self.keywords[keyword.uppercased()] != nil
    }

    /// The parameters announced with `keyword` (case-insensitive), or `nil` if it was not
    /// announced.
    ///
    /// - Parameter keyword: For example `"SIZE"`.
    public func parameters(for keyword: String) -> [String]? {
        self.keywords[keyword.uppercased()]
    }

    /// `PIPELINING` (RFC 2920): commands may be sent in groups.
    public var supportsPipelining: Bool { self.contains("PIPELINING") }
    /// `8BITMIME` (RFC 6152).
    public var supports8BitMIME: Bool { self.contains("8BITMIME") }
    /// `SMTPUTF8` (RFC 6531): UTF-8 addresses and headers.
    public var supportsSMTPUTF8: Bool { self.contains("SMTPUTF8") }
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    public var supportsEnhancedStatusCodes: Bool { self.contains("ENHANCEDSTATUSCODES") }
    /// `STARTTLS` (RFC 3207).
    public var supportsStartTLS: Bool { self.contains("STARTTLS") }
    /// `DSN` (RFC 3461): delivery status notifications.
    public var supportsDSN: Bool { self.contains("DSN") }
    /// `CHUNKING` (RFC 3030): the `BDAT` command.
    public var supportsChunking: Bool { self.contains("CHUNKING") }

    /// The `SIZE` limit in octets (RFC 1870), or `nil` if `SIZE` was not announced or was
    /// announced without a fixed limit (`SIZE` or `SIZE 0`).
    public var maximumMessageSize: Int? {
        guard let value = self.parameters(for: "SIZE")?.first, let size = Int(value), size > 0 else {
            return nil
        }
        return size
    }

    /// The SASL mechanisms announced with `AUTH` (RFC 4954), upper-cased; empty if none.
    public var authenticationMechanisms: [String] {
        (self.parameters(for: "AUTH") ?? []).map { $0.uppercased() }
    }
}
