import NIOCore

/// An incremental parser for SMTP replies (RFC 5321 section 4.2).
///
/// Feed it whatever bytes arrived; it consumes complete lines and returns a reply once the
/// last line of one (`250 …`, as opposed to a continuation `250-…`) has been read. Bytes of
/// an unfinished line stay in the buffer for the next call.
///
/// The parser is strict about structure and lenient about line endings: a line must start
/// with three digits (first digit 2...5, second 0...5) followed by a space, a hyphen or the
/// end of the line, and every line of a multi-line reply must carry the same code; lines may
/// end in CRLF or in a bare LF. To keep a hostile server from growing memory without bound,
/// lines are limited to ``maximumLineLength`` octets and replies to ``maximumLineCount``
/// lines; violations throw ``SMTPError/Code/protocolViolation``.
public struct SMTPReplyParser: Sendable {
    /// The default limit for the length of one reply line, excluding the line ending.
    public static let defaultMaximumLineLength = 4096
    /// The default limit for the number of lines in one reply.
    public static let defaultMaximumLineCount = 1000

    /// The longest accepted line, in octets, excluding the line ending.
    public let maximumLineLength: Int
    /// The largest accepted number of lines in one reply.
    public let maximumLineCount: Int

    private var pendingCode: Int?
    private var pendingLines: [String] = []

    /// Creates a parser.
    ///
    /// - Parameters:
    ///   - maximumLineLength: The longest accepted line in octets (RFC 5321 allows 510;
    ///     the default is generous for long `EHLO` keyword lines).
    ///   - maximumLineCount: The largest accepted number of lines in one reply.
    public init(
        maximumLineLength: Int = SMTPReplyParser.defaultMaximumLineLength,
        maximumLineCount: Int = SMTPReplyParser.defaultMaximumLineCount
    ) {
        precondition(maximumLineLength >= 3 && maximumLineCount >= 1, "limits too small")
        self.maximumLineLength = maximumLineLength
        self.maximumLineCount = maximumLineCount
    }

    /// Whether part of a multi-line reply has been read but not its last line.
    public var isInsideReply: Bool {
        self.pendingCode != nil
    }

    /// Consumes complete lines from `buffer` until a reply is complete.
    ///
    /// - Parameter buffer: Received bytes; consumed lines are removed from it. Call again
    ///   while it returns a reply to get the next one.
    /// - Returns: The next complete reply, or `nil` if more bytes are needed.
    /// - Throws: ``SMTPError`` with code ``SMTPError/Code/protocolViolation`` for a
    ///   malformed line or when a limit is exceeded. The parser must not be used again.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(SMTPError) -> SMTPReply? {
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                if view.count > self.maximumLineLength + 1 {
                    throw SMTPError(
                        .protocolViolation,
                        "reply line longer than \(self.maximumLineLength) octets")
                }
                return nil
            }
            var lineEnd = newline
            if lineEnd > view.startIndex, view[lineEnd - 1] == UInt8(ascii: "\r") {
                lineEnd -= 1
            }
            let line = view[view.startIndex..<lineEnd]
            if line.count > self.maximumLineLength {
                throw SMTPError(
                    .protocolViolation, "reply line longer than \(self.maximumLineLength) octets")
            }
            let parsed = try Self.parseLine(line)
            buffer.moveReaderIndex(forwardBy: newline + 1 - view.startIndex)

            if let code = self.pendingCode, code != parsed.code {
                throw SMTPError(
                    .protocolViolation,
                    "reply line with code \(parsed.code) inside a \(code) reply")
            }
            if self.pendingLines.count >= self.maximumLineCount {
                throw SMTPError(
                    .protocolViolation, "reply longer than \(self.maximumLineCount) lines")
            }
            self.pendingCode = parsed.code
            self.pendingLines.append(parsed.text)
            if parsed.isLast {
                let reply = SMTPReply(code: parsed.code, lines: self.pendingLines)
                self.pendingCode = nil
                self.pendingLines = []
                return reply
            }
        }
    }

    private static func parseLine(
        _ line: ByteBufferView.SubSequence
    ) throws(SMTPError) -> (code: Int, isLast: Bool, text: String) {
        func malformed() -> SMTPError {
            let shown = String(decoding: line.prefix(80), as: UTF8.self)
            return SMTPError(.protocolViolation, "malformed reply line: \"\(shown)\"")
        }
        guard line.count >= 3 else {
            throw malformed()
        }
        var code = 0
        var index = line.startIndex
        for position in 0..<3 {
            let byte = line[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw malformed()
            }
            let digit = Int(byte - UInt8(ascii: "0"))
            if position == 0, !(2...5).contains(digit) {
                throw malformed()
            }
            if position == 1, digit > 5 {
                throw malformed()
            }
            code = code * 10 + digit
            index += 1
        }
        guard index < line.endIndex else {
            return (code, true, "")
        }
        let isLast: Bool
        switch line[index] {
        case UInt8(ascii: " "):
            isLast = true
        case UInt8(ascii: "-"):
            isLast = false
        default:
            throw malformed()
        }
        let text = line[(index + 1)...]
        if text.contains(0) {
            throw malformed()
        }
        return (code, isLast, String(decoding: text, as: UTF8.self))
    }
}
