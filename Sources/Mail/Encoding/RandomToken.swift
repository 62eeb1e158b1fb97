/// Random ASCII tokens from the system's cryptographically secure generator
/// (`SystemRandomNumberGenerator`: getrandom(2) on Linux, arc4random on Darwin).
enum RandomToken {
    private static let alphanumerics: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let base32: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// `count` characters from `[A-Za-z0-9]` (5.95 bits each).
    static func alphanumeric(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(
            decoding: (0..<count).map { _ in alphanumerics[Int(generator.next(upperBound: UInt8(62)))] }, as: UTF8.self)
    }

    /// `count` characters from the lower-case RFC 4648 base32 alphabet (5 bits each).
    static func base32(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(
            decoding: (0..<count).map { _ in base32[Int(generator.next(upperBound: UInt8(32)))] }, as: UTF8.self)
    }
}
