extension EncodedWord {
    /// A decoded encoded-word: the charset label and the decoded bytes.
    struct Decoded {
        var charset: String
        var bytes: [UInt8]
    }

    /// Parses one encoded-word starting at `start`; returns it and the index after its `?=`.
    static func parse(_ bytes: [UInt8], at start: Int, limit: Int) -> (Decoded, Int)? {
        guard start + 1 < limit, bytes[start] == ASCII.equals, bytes[start + 1] == ASCII.question else { return nil }
        var index = start + 2
        let charsetStart = index
        while index < limit, bytes[index] != ASCII.question, !ASCII.isWSP(bytes[index]) { index += 1 }
        guard index < limit, bytes[index] == ASCII.question, index > charsetStart else { return nil }
        var charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }  // RFC 2231 language
        index += 1
        guard index + 1 < limit, bytes[index + 1] == ASCII.question else { return nil }
        let encoding = bytes[index] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        index += 2
        let textStart = index
        while index < limit, bytes[index] != ASCII.question, !ASCII.isWSP(bytes[index]) { index += 1 }
        guard index + 1 < limit, bytes[index] == ASCII.question, bytes[index + 1] == ASCII.equals else { return nil }
        let text = bytes[textStart..<index]
        let decoded: [UInt8]
        if encoding == UInt8(ascii: "b") {
            guard let value = try? Base64.decode(text) else { return nil }
            decoded = value
        } else {
            var out: [UInt8] = []
            var i = text.startIndex
            while i < text.endIndex {
                let byte = text[i]
                if byte == ASCII.underscore {
                    out.append(ASCII.space)
                } else if byte == ASCII.equals, i + 2 < text.endIndex,
                    let high = ASCII.hexValue(text[i + 1]), let low = ASCII.hexValue(text[i + 2])
                {
                    out.append(high << 4 | low)
                    i += 3
                    continue
                } else {
                    out.append(byte)
                }
                i += 1
            }
            decoded = out
        }
        return (Decoded(charset: charset, bytes: decoded), index + 2)
    }

    /// Decodes the encoded-words in unstructured header text (RFC 2047 §6.2).
    ///
    /// Whitespace between adjacent encoded-words is dropped; adjacent words in the same charset
    /// are joined before conversion, so a character split across words survives. Words in an
    /// unknown charset are left as they are.
    static func decode(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var result = ""
        var pendingWhitespace: ArraySlice<UInt8> = []
        var run: Decoded?  // consecutive encoded-words awaiting conversion
        var lastWasEncoded = false

        func flushRun() {
            if let current = run {
                if let charset = Charset(name: current.charset) {
                    result += charset.decode(current.bytes)
                } else {
                    result += String(decoding: current.bytes, as: UTF8.self)
                }
                run = nil
            }
        }

        var index = 0
        while index < bytes.count {
            if ASCII.isWSP(bytes[index]) {
                let start = index
                while index < bytes.count, ASCII.isWSP(bytes[index]) { index += 1 }
                pendingWhitespace = bytes[start..<index]
                continue
            }
            let start = index
            while index < bytes.count, !ASCII.isWSP(bytes[index]) { index += 1 }
            // A token is decoded only if it consists entirely of encoded-words.
            var words: [Decoded] = []
            var position = start
            while position < index, let (word, next) = parse(bytes, at: position, limit: index) {
                words.append(word)
                position = next
            }
            let known = words.allSatisfy { Charset(name: $0.charset) != nil }
            if position == index, !words.isEmpty, known {
                if !lastWasEncoded {
                    result += String(decoding: pendingWhitespace, as: UTF8.self)
                }
                for word in words {
                    if let current = run, ASCII.caseInsensitiveEquals(current.charset, word.charset) {
                        run?.bytes += word.bytes
                    } else {
                        flushRun()
                        run = word
                    }
                }
                lastWasEncoded = true
            } else {
                flushRun()
                result += String(decoding: pendingWhitespace, as: UTF8.self)
                result += String(decoding: bytes[start..<index], as: UTF8.self)
                lastWasEncoded = false
            }
            pendingWhitespace = []
        }
        flushRun()
        result += String(decoding: pendingWhitespace, as: UTF8.self)
        return result
    }
}
