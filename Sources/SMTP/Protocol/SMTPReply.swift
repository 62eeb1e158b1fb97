/// A complete reply from an SMTP server: a three-digit code and one or more lines of text.
///
/// A multi-line reply such as
/// ```
/// 250-mail.example.com
/// 250-PIPELINING
/// 250 SIZE 10240000
/// ```
/// has `code == 250` and `lines == ["mail.example.com", "PIPELINING", "SIZE 10240000"]`.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit reply code (200...599).
    public var code: Int

    /// The enhanced status code (RFC 3463) found at the start of the first line, if any.
    public var enhancedStatusCode: EnhancedStatusCode?

    /// The text of each line, without the code, the separator and the line ending.
    /// Enhanced status codes are kept as the server sent them.
    public var lines: [String]

    /// Creates a reply.
    ///
    /// - Parameters:
    ///   - code: The three-digit reply code.
    ///   - lines: The text of each line (at least one; an empty array is read as one empty line).
    ///   - enhancedStatusCode: The enhanced status code; when `nil` it is parsed from the
    ///     first line if that line starts with one whose class matches `code`.
    public init(code: Int, lines: [String], enhancedStatusCode: EnhancedStatusCode? = nil) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
        self.enhancedStatusCode =
            enhancedStatusCode ?? EnhancedStatusCode(prefixOf: self.lines[0], replyCode: code)
    }

    /// Creates a single-line reply.
    ///
    /// - Parameters:
    ///   - code: The three-digit reply code.
    ///   - text: The text of the line.
    public init(code: Int, text: String) {
        self.init(code: code, lines: [text])
    }

    /// All lines joined with a line feed.
    public var text: String {
        self.lines.joined(separator: "\n")
    }

    /// The lines with a leading enhanced status code (and the space after it) removed.
    public var linesWithoutEnhancedStatusCode: [String] {
        guard self.enhancedStatusCode != nil else {
            return self.lines
        }
        return self.lines.map { line in
            guard let status = EnhancedStatusCode(prefixOf: line, replyCode: self.code) else {
                return line
            }
            var rest = line.dropFirst(status.description.count)
            if rest.first == " " {
                rest = rest.dropFirst()
            }
            return String(rest)
        }
    }

    /// `2yz`: the requested action was completed.
    public var isPositiveCompletion: Bool {
        (200..<300).contains(self.code)
    }

    /// `3yz`: the command was accepted and the server waits for more (for example `354`).
    public var isPositiveIntermediate: Bool {
        (300..<400).contains(self.code)
    }

    /// `4yz`: the action was not taken, but it may succeed if tried again later.
    public var isTransientFailure: Bool {
        (400..<500).contains(self.code)
    }

    /// `5yz`: the action was not taken and repeating it as is will fail again.
    public var isPermanentFailure: Bool {
        (500..<600).contains(self.code)
    }

    /// `421`: the service is not available and the server is closing the connection.
    public var isServiceClosing: Bool {
        self.code == 421
    }

    /// The reply as it appeared on the wire, without line endings, for example
    /// `"250-mail.example.com\n250 PIPELINING"`.
    public var description: String {
        self.wireLines.joined(separator: "\n")
    }

    /// Each line as the server sent it: the code, `-` (continuation) or a space (last
    /// line), and the text.
    public var wireLines: [String] {
        self.lines.enumerated().map { index, line in
            let separator = index == self.lines.count - 1 ? " " : "-"
            return "\(self.code)\(separator)\(line)"
        }
    }
}
