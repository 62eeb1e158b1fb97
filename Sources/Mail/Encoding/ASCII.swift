/// Byte constants and character classes from RFC 5322, RFC 2045 and RFC 2231.
enum ASCII {
    static let nul: UInt8 = 0x00
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let apostrophe: UInt8 = 0x27
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let asterisk: UInt8 = 0x2A
    static let comma: UInt8 = 0x2C
    static let hyphen: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lessThan: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greaterThan: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F

    static let crlf: [UInt8] = [cr, lf]

    /// Upper-case hexadecimal digits.
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// SP or HTAB.
    @inline(__always)
    static func isWSP(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Visible ASCII characters (0x21...0x7E).
    @inline(__always)
    static func isVCHAR(_ byte: UInt8) -> Bool { byte >= 0x21 && byte <= 0x7E }

    /// RFC 5322 `atext` restricted to ASCII.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: true
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    /// RFC 2045 `token` character: printable ASCII except SPACE and tspecials.
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x22, 0x28, 0x29, 0x2C, 0x2F, 0x3A...0x40, 0x5B...0x5D: false
        default: isVCHAR(byte)
        }
    }

    /// RFC 2231 `attribute-char`: a token character other than `*`, `'` and `%`.
    static func isAttributeChar(_ byte: UInt8) -> Bool {
        isTokenChar(byte) && byte != asterisk && byte != apostrophe && byte != percent
    }

    /// The value of a hexadecimal digit (either case), or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// ASCII lower-casing of a string (other characters unchanged).
    static func lowercased(_ string: some StringProtocol) -> String {
        String(decoding: string.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether two strings are equal ignoring ASCII case.
    static func caseInsensitiveEquals(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && zip(lhs.utf8, rhs.utf8).allSatisfy { a, b in
                (a >= 0x41 && a <= 0x5A ? a | 0x20 : a) == (b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            }
    }

    /// Whether the bytes contain CR, LF or NUL.
    static func containsLineBreakOrNUL(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 == cr || $0 == lf || $0 == nul }
    }

    /// Whether a byte is a control character other than HTAB (C0 or DEL).
    @inline(__always)
    static func isControlOtherThanTab(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != tab) || byte == 0x7F }

    /// Trims SP and HTAB from both ends.
    static func trimmingWSP(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWSP(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWSP(last) { slice = slice.dropLast() }
        return slice
    }

    /// Trims SP and HTAB from both ends of a string.
    static func trimmingWSP(_ string: String) -> String {
        String(decoding: trimmingWSP(ArraySlice(string.utf8)), as: UTF8.self)
    }
}
