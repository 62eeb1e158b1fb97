/// A message split for DKIM: its header fields as written and its body (RFC 6376 §3.7).
struct DKIMMessage {
    /// One header field as it appears in the message.
    struct Field {
        /// The field name as written, without whitespace before the colon.
        let name: ArraySlice<UInt8>
        /// The whole field: name, colon, value and folding, without the final CRLF.
        let raw: ArraySlice<UInt8>
    }

    let fields: [Field]
    /// Everything after the empty line that ends the header section (empty if there is none).
    let body: ArraySlice<UInt8>

    /// Splits `bytes`, a complete RFC 5322 message with CRLF line endings.
    ///
    /// Throws `invalidBody` for a bare CR or LF (a signature over bytes that a relay will rewrite
    /// to CRLF could never verify), and `malformedMIME` for a header line that is neither a field
    /// nor a continuation.
    init(_ bytes: [UInt8]) throws {
        try Self.requireCRLF(bytes)
        var fields: [Field] = []
        var fieldStart: Int?
        var previousLineEnd = 0
        var bodyStart = bytes.count
        func closeField() throws {
            guard let start = fieldStart else { return }
            fieldStart = nil
            let raw = bytes[start..<previousLineEnd]
            guard let colon = raw.firstIndex(of: ASCII.colon) else {
                throw MailError(
                    .malformedMIME, "DKIM: a header line has no colon", input: String(decoding: raw, as: UTF8.self),
                    offset: start)
            }
            var name = raw[start..<colon]
            while let last = name.last, ASCII.isWSP(last) { name = name.dropLast() }
            guard !name.isEmpty, name.allSatisfy(ASCII.isVCHAR) else {
                throw MailError(
                    .malformedMIME, "DKIM: a header field name is empty or not printable ASCII",
                    input: String(decoding: raw, as: UTF8.self), offset: start)
            }
            fields.append(Field(name: name, raw: raw))
        }
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != ASCII.cr { lineEnd += 1 }
            if lineEnd == lineStart {
                // The empty line: the header section ends and the body follows its CRLF.
                try closeField()
                bodyStart = lineStart + 2
                break
            }
            if ASCII.isWSP(bytes[lineStart]) {
                guard fieldStart != nil else {
                    throw MailError(
                        .malformedMIME, "DKIM: the message starts with a continuation line", offset: lineStart)
                }
            } else {
                try closeField()
                fieldStart = lineStart
            }
            previousLineEnd = lineEnd
            lineStart = lineEnd + 2
        }
        // Without an empty line the message is all header: close its last field.
        try closeField()
        self.fields = fields
        self.body = bytes[bodyStart...]
    }

    /// Throws unless every CR in `bytes` is followed by LF and every LF preceded by CR.
    static func requireCRLF(_ bytes: [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.cr:
                guard index + 1 < bytes.count, bytes[index + 1] == ASCII.lf else {
                    throw MailError(
                        .invalidBody, "DKIM signing needs CRLF line endings; the message has a bare CR",
                        offset: index)
                }
                index += 2
            case ASCII.lf:
                throw MailError(
                    .invalidBody,
                    "DKIM signing needs CRLF line endings; the message has a bare LF (convert line endings before signing)",
                    offset: index)
            default:
                index += 1
            }
        }
    }
}

/// Which header fields a signature covers, and in what order (RFC 6376 §5.4, §5.4.2).
enum DKIMHeaderSelection {
    /// The `h=` list: each configured name once per occurrence in the message, plus once more if it is
    /// oversigned. Names not in the message are left out unless oversigned.
    static func signedNames(for message: DKIMMessage, signed: [String], oversigned: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for field in message.fields { counts[lowercased(field.name), default: 0] += 1 }
        let oversignedKeys = Set(oversigned.map { $0.lowercased() })
        var seen: Set<String> = []
        var names: [String] = []
        for name in signed + oversigned {
            let key = name.lowercased()
            guard seen.insert(key).inserted else { continue }
            let count = counts[key, default: 0] + (oversignedKeys.contains(key) ? 1 : 0)
            names.append(contentsOf: repeatElement(name, count: count))
        }
        return names
    }

    /// The fields that `names` select, in `h=` order: for a repeated name, the last unused field
    /// of that name first, working upwards; a name with no field left selects nothing (§5.4.2).
    static func fields(named names: [String], in message: DKIMMessage) -> [DKIMMessage.Field] {
        var byName: [String: [DKIMMessage.Field]] = [:]
        for field in message.fields { byName[lowercased(field.name), default: []].append(field) }
        var selected: [DKIMMessage.Field] = []
        for name in names {
            let key = name.lowercased()
            if let field = byName[key]?.popLast() { selected.append(field) }
        }
        return selected
    }

    static func lowercased(_ name: ArraySlice<UInt8>) -> String {
        String(decoding: name, as: UTF8.self).lowercased()
    }
}
