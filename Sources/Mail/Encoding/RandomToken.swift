/// Random ASCII tokens from the system's cryptographically secure generator
/// (`SystemRandomNumberGenerator`: getrandom(2) on Linux, arc4random on Darwin).
///
/// Each draw from the generator gives 64 bits, used a byte at a time, so a token costs one
/// system call per eight characters instead of one per character (a message draws about 80).
enum RandomToken {
    private static let alphanumerics: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let base32: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// `count` characters from `[A-Za-z0-9]` (5.95 bits each).
    static func alphanumeric(_ count: Int) -> String {
        // 248 = 4 × 62: bytes from 248 on are dropped so that every character is equally likely.
        self.token(count, alphabet: self.alphanumerics, acceptingBelow: 248)
    }

    /// `count` characters from the lower-case RFC 4648 base32 alphabet (5 bits each).
    static func base32(_ count: Int) -> String {
        self.token(count, alphabet: self.base32, acceptingBelow: 256)
    }

    /// `count` characters `alphabet[byte % alphabet.count]` for random bytes below `limit`
    /// (a multiple of the alphabet's size, so the choice is uniform).
    private static func token(_ count: Int, alphabet: [UInt8], acceptingBelow limit: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var output: [UInt8] = []
        output.reserveCapacity(count)
        while output.count < count {
            var word = generator.next()
            for _ in 0..<8 where output.count < count {
                let byte = Int(word & 0xFF)
                word >>= 8
                if byte < limit {
                    output.append(alphabet[byte % alphabet.count])
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
