import NIOCore

/// An SMTP reply: a three-digit code and one or more text lines.
struct Reply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    init(code: Int, lines: [String]) {
        precondition((200...599).contains(code), "SMTP reply codes are 200 to 599, not \(code)")
        precondition(
            lines.allSatisfy { !$0.contains(where: { $0 == "\r" || $0 == "\n" }) },
            "reply text must not contain CR or LF")
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
    }

    init(code: Int, _ text: String) {
        self.init(code: code, lines: [text])
    }

    /// Whether the reply is positive (2xx or 3xx).
    var isPositive: Bool { code < 400 }

    /// The lines as sent, without CRLF: `250-first`, `250 last`.
    var wireLines: [String] {
        lines.enumerated().map { index, text in
            let separator = index == lines.count - 1 ? " " : "-"
            return text.isEmpty && separator == " " ? "\(code)" : "\(code)\(separator)\(text)"
        }
    }

    /// Appends the reply, CRLF-terminated, to `buffer`.
    func write(to buffer: inout ByteBuffer) {
        for line in wireLines {
            buffer.writeString(line)
            buffer.writeStaticString("\r\n")
        }
    }
}

/// A negative default reply before enhanced status codes are applied (see `ReplyFactory`).
struct Rejection: Error, Hashable {
    var code: Int
    var enhancedCode: String
    var text: String
}
