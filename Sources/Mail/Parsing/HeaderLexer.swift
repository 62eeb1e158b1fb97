/// A cursor over the bytes of one unfolded structured header value, with the lexical rules
/// shared by RFC 5322 and RFC 2045: whitespace, (nested) comments, quoted-strings and tokens.
struct HeaderLexer {
    let bytes: [UInt8]
    var index = 0
    /// The code of errors thrown for malformed input.
    let errorCode: MailError.Code

    init(_ value: some Collection<UInt8>, errorCode: MailError.Code = .malformedMIME) {
        bytes = Array(value)
        self.errorCode = errorCode
    }

    var isAtEnd: Bool { index >= bytes.count }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips whitespace (including stray CR/LF) and comments. Throws on an unterminated comment.
    mutating func skipCFWS() throws {
        while index < bytes.count {
            let byte = bytes[index]
            if ASCII.isWSP(byte) || byte == ASCII.cr || byte == ASCII.lf {
                index += 1
            } else if byte == ASCII.openParen {
                try skipComment()
            } else {
                return
            }
        }
    }

    private mutating func skipComment() throws {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case ASCII.backslash: index += 1
            case ASCII.openParen: depth += 1
            case ASCII.closeParen:
                depth -= 1
                if depth == 0 { return }
            default: break
            }
        }
        throw MailError(errorCode, "unterminated comment", input: String(decoding: bytes, as: UTF8.self))
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Reads a run of bytes satisfying `predicate` (possibly empty).
    mutating func read(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    /// Reads an RFC 2045 token (possibly empty).
    mutating func readToken() -> String {
        String(decoding: read(while: ASCII.isTokenChar), as: UTF8.self)
    }

    /// Reads a quoted-string at the cursor (which must be `"`) and returns its unescaped content.
    mutating func readQuotedString() throws -> [UInt8] {
        guard consume(ASCII.quote) else {
            throw MailError(errorCode, "expected a quoted-string", input: String(decoding: bytes, as: UTF8.self))
        }
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case ASCII.quote:
                return out
            case ASCII.backslash where index < bytes.count:
                out.append(bytes[index])
                index += 1
            case ASCII.cr, ASCII.lf:
                continue  // folding inside a quoted-string
            default:
                out.append(byte)
            }
        }
        throw MailError(errorCode, "unterminated quoted-string", input: String(decoding: bytes, as: UTF8.self))
    }
}
