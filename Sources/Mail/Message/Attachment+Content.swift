/// Decisions an attachment makes from its content: file name, charset, embedded messages.
extension Attachment {
    /// `message/rfc822`.
    static let messageType = ContentType(validatedType: "message", subtype: "rfc822", parameters: [])

    /// The file name of an embedded message sent as `application/octet-stream` without a name.
    static let defaultMessageFilename = "message.eml"

    /// The last path component of a file name, with `/` and `\` both separators, so no
    /// directory of the sender leaks and no recipient saves outside its folder.
    ///
    /// Throws `invalidParameter` when nothing usable is left (empty, `.` or `..`).
    static func lastPathComponent(_ filename: String) throws -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        guard !last.isEmpty, last != ".", last != ".." else {
            throw MailError(.invalidParameter, "the file name has no usable last path component", input: filename)
        }
        return last
    }

    /// The `charset` for text bytes: `us-ascii` when 7-bit, `utf-8` when valid UTF-8, else nil.
    static func charset(of bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return "us-ascii" }
        return String(validating: bytes, as: UTF8.self) == nil ? nil : "utf-8"
    }

    /// Whether the bytes start with a header block: at least one `Name: value` field.
    static func isMessage(_ bytes: [UInt8]) -> Bool {
        guard let (headers, _, _) = try? EntityParser.parseHeaders(bytes, range: 0..<bytes.count) else { return false }
        return !headers.isEmpty
    }

    /// The message's bytes with CRLF line breaks if it can be a 7bit `message/rfc822` body:
    /// in memory, a header block, ASCII without NUL, lines of at most 998 octets. Else nil.
    static func sevenBitMessage(_ source: Source) -> [UInt8]? {
        guard case .data(let bytes) = source, isMessage(bytes) else { return nil }
        let canonical = BodyInspection.canonicalLineBreaks(bytes)
        return BodyInspection.TextFacts(canonical).allows7Bit ? canonical : nil
    }
}
