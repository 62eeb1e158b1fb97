/// Base64 (RFC 4648 section 4, standard alphabet) for `AUTH` lines: the initial response,
/// the client's answers and the server's `334` challenges are all base64 (RFC 4954).
enum SASLBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`, padded with `=`.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(Self.alphabet[Int(group >> 18 & 0x3F)])
            output.append(Self.alphabet[Int(group >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : Self.alphabet[Int(group >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : Self.alphabet[Int(group & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func value(of byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            return UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"):
            return 62
        case UInt8(ascii: "/"):
            return 63
        default:
            return nil
        }
    }

    /// The bytes `text` encodes, or `nil` if it is not base64: a character outside the
    /// alphabet, padding anywhere but at the end, or a length that cannot be. Missing
    /// padding is tolerated (some servers leave it out).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var symbols = Array(text.utf8)
        var padding = 0
        while symbols.last == UInt8(ascii: "="), padding < 2 {
            symbols.removeLast()
            padding += 1
        }
        if padding > 0, (symbols.count + padding) % 4 != 0 {
            return nil
        }
        if symbols.count % 4 == 1 {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 3 / 4)
        var group: UInt32 = 0
        var count = 0
        for symbol in symbols {
            guard let value = Self.value(of: symbol) else {
                return nil
            }
            group = group << 6 | value
            count += 1
            if count == 4 {
                output.append(UInt8(group >> 16 & 0xFF))
                output.append(UInt8(group >> 8 & 0xFF))
                output.append(UInt8(group & 0xFF))
                group = 0
                count = 0
            }
        }
        switch count {
        case 2:
            // 12 bits: one byte, the low 4 bits must be zero.
            guard group & 0xF == 0 else { return nil }
            output.append(UInt8(group >> 4 & 0xFF))
        case 3:
            // 18 bits: two bytes, the low 2 bits must be zero.
            guard group & 0x3 == 0 else { return nil }
            output.append(UInt8(group >> 10 & 0xFF))
            output.append(UInt8(group >> 2 & 0xFF))
        default:
            break
        }
        return output
    }

    /// The challenge a `334` reply carries (RFC 4954 section 4): its text, base64-decoded.
    /// Spaces around the text are ignored; an empty text is an empty challenge.
    ///
    /// - Throws: ``SMTPError/Code/protocolViolation`` if the reply is not `334` or its text
    ///   is not base64.
    static func challenge(in reply: SMTPReply) throws(SMTPError) -> [UInt8] {
        guard reply.code == 334 else {
            throw SMTPError(.protocolViolation, "expected a 334 challenge", reply: reply)
        }
        let text = reply.lines.joined()
        let trimmed = text.utf8.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") }
        guard let bytes = Self.decode(String(decoding: trimmed.reversed(), as: UTF8.self)) else {
            throw SMTPError(.protocolViolation, "the server's AUTH challenge is not base64", reply: reply)
        }
        return bytes
    }
}
