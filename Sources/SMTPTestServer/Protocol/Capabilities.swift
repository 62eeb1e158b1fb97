/// What a server configuration offers, derived once from `SMTPTestServer.Configuration`.
struct Capabilities: Sendable, Hashable {
    /// The keyword lines after the first line of the `EHLO` reply.
    let ehloLines: [String]
    /// The advertised keywords, upper-cased.
    let keywords: Set<String>
    let supportsEHLO: Bool
    let maximumMessageSize: Int?

    init(_ configuration: SMTPTestServer.Configuration) {
        var lines = configuration.extensions
        if let size = configuration.maximumMessageSize {
            lines.append("SIZE \(size)")
        }
        self.ehloLines = configuration.supportsEHLO ? lines : []
        self.keywords = Set(
            ehloLines.compactMap { $0.split(separator: " ").first.map { $0.uppercased() } })
        self.supportsEHLO = configuration.supportsEHLO
        self.maximumMessageSize = configuration.maximumMessageSize
    }

    func offers(_ keyword: String) -> Bool {
        keywords.contains(keyword)
    }

    /// RFC 2034: replies carry enhanced status codes once the extension is offered.
    var enhancedStatusCodes: Bool { offers("ENHANCEDSTATUSCODES") }
}

/// Builds replies, adding an enhanced status code to the text when the server offers them.
struct ReplyFactory: Sendable, Hashable {
    let enhancedStatusCodes: Bool

    func callAsFunction(_ code: Int, _ enhancedCode: String, _ text: String) -> Reply {
        self(code, enhancedCode, lines: [text])
    }

    func callAsFunction(_ code: Int, _ enhancedCode: String, lines: [String]) -> Reply {
        Reply(code: code, lines: lines.map { enhancedStatusCodes ? "\(enhancedCode) \($0)" : $0 })
    }
}
