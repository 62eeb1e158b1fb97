/// Turns one command line (without CRLF) into a `SMTPTestServer.Command`, checking only
/// syntax; whether the command fits the session is the state machine's business.
enum CommandParser {
    typealias Command = SMTPTestServer.Command
    typealias Parameter = SMTPTestServer.ESMTPParameter

    /// Verbs of RFC 5321 and common extensions this server knows but does not implement.
    static let unimplementedVerbs: Set<String> = [
        "STARTTLS", "AUTH", "BDAT", "ETRN", "ATRN", "TURN", "SEND", "SOML", "SAML", "VERB",
    ]

    static func parse(_ line: String) -> Result<Command, Rejection> {
        let verbEnd = line.firstIndex(of: " ") ?? line.endIndex
        let verb = line[..<verbEnd].uppercased()
        let arguments = verbEnd == line.endIndex ? "" : String(line[line.index(after: verbEnd)...])
        let trimmed = arguments.trimmingSpaces()

        switch verb {
        case "HELO", "EHLO":
            guard !trimmed.isEmpty, !trimmed.contains(" ") else {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Syntax: \(verb) domain"))
            }
            return .success(verb == "HELO" ? .helo(trimmed) : .ehlo(trimmed))
        case "MAIL":
            return parsePathCommand(arguments, prefix: "FROM:", allowsNullPath: true)
                .map { .mail(from: $0.path, parameters: $0.parameters) }
        case "RCPT":
            return parsePathCommand(arguments, prefix: "TO:", allowsNullPath: false)
                .map { .rcpt(to: $0.path, parameters: $0.parameters) }
        case "DATA", "RSET", "QUIT":
            guard trimmed.isEmpty else {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Syntax: \(verb)"))
            }
            return .success(verb == "DATA" ? .data : verb == "RSET" ? .rset : .quit)
        case "NOOP":
            return .success(.noop)
        case "VRFY", "EXPN":
            guard !trimmed.isEmpty else {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Syntax: \(verb) string"))
            }
            let query =
                trimmed.hasPrefix("<") && trimmed.hasSuffix(">") && trimmed.count >= 2
                ? String(trimmed.dropFirst().dropLast()) : trimmed
            return .success(verb == "VRFY" ? .vrfy(query) : .expn(query))
        case "HELP":
            return .success(.help(trimmed.isEmpty ? nil : trimmed))
        case "":
            return .failure(Rejection(code: 500, enhancedCode: "5.5.2", text: "Syntax error, command unrecognized"))
        default:
            return .success(.other(verb: verb, arguments: arguments))
        }
    }

    // MARK: MAIL and RCPT

    private struct PathCommand {
        var path: String
        var parameters: [Parameter]
    }

    /// Parses `FROM:<path> [SP parameters]` or `TO:<path> [SP parameters]`. A space after the
    /// colon is tolerated, as most servers do; angle brackets are required.
    private static func parsePathCommand(
        _ arguments: String, prefix: String, allowsNullPath: Bool
    ) -> Result<PathCommand, Rejection> {
        let usage = Rejection(
            code: 501, enhancedCode: "5.5.4",
            text: prefix == "FROM:" ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>")
        let badAddress = Rejection(
            code: 501, enhancedCode: prefix == "FROM:" ? "5.1.7" : "5.1.3",
            text: prefix == "FROM:" ? "Bad sender address syntax" : "Bad recipient address syntax")

        guard arguments.uppercased().hasPrefix(prefix) else { return .failure(usage) }
        var rest = Substring(arguments).dropFirst(prefix.count)
        if rest.first == " " { rest = rest.dropFirst() }
        guard rest.first == "<", let close = closingBracket(in: rest) else { return .failure(usage) }

        var path = rest[rest.index(after: rest.startIndex)..<close]
        // A source route (`@a,@b:user@c`, RFC 5321 C) is accepted and ignored.
        if path.first == "@", let colon = path.firstIndex(of: ":") {
            path = path[path.index(after: colon)...]
        }
        guard isValidPath(path, allowsNullPath: allowsNullPath) else { return .failure(badAddress) }

        let tail = rest[rest.index(after: close)...]
        guard tail.isEmpty || tail.first == " " else { return .failure(usage) }
        return parseParameters(tail).map { PathCommand(path: String(path), parameters: $0) }
    }

    /// The index of the `>` closing the path that starts at `text.startIndex`, skipping quoted
    /// strings and backslash escapes.
    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var inQuotes = false
        var escaped = false
        for index in text.indices.dropFirst() {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == ">" && !inQuotes {
                return index
            }
        }
        return nil
    }

    private static func isValidPath(_ path: Substring, allowsNullPath: Bool) -> Bool {
        if path.isEmpty { return allowsNullPath }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return false
        }
        if !allowsNullPath && path.caseInsensitiveEquals("postmaster") { return true }
        guard let at = path.lastIndex(of: "@") else { return false }
        let domain = path[path.index(after: at)...]
        return at != path.startIndex && !domain.isEmpty && !domain.contains(" ")
    }

    /// Parses ` KEY[=value] KEY[=value] …` (RFC 5321 4.1.2 Mail-parameters).
    private static func parseParameters(_ text: Substring) -> Result<[Parameter], Rejection> {
        var parameters: [Parameter] = []
        for word in text.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let keyword = parts[0]
            let value = parts.count == 2 ? parts[1] : nil
            guard isValidKeyword(keyword) else {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Bad parameter syntax: \(word)"))
            }
            if let value,
                value.isEmpty || value.contains("=")
                    || value.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
            {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Bad parameter value: \(word)"))
            }
            guard !parameters.contains(keyword: String(keyword)) else {
                return .failure(Rejection(code: 501, enhancedCode: "5.5.4", text: "Duplicate parameter: \(keyword)"))
            }
            parameters.append(Parameter(String(keyword), value: value.map(String.init)))
        }
        return .success(parameters)
    }

    private static func isValidKeyword(_ keyword: Substring) -> Bool {
        guard let first = keyword.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return keyword.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces (SP only, as SMTP separates with SP).
    func trimmingSpaces() -> String {
        guard let start = firstIndex(where: { $0 != " " }) else { return "" }
        let end = lastIndex(where: { $0 != " " })!
        return String(self[start...end])
    }
}
