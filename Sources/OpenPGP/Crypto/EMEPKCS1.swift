/// EME-PKCS1-v1_5 (RFC 8017 §7.2), the session-key padding of RSA and ElGamal PKESKs.
enum EMEPKCS1 {
    /// `0x00 || 0x02 || nonzero random padding || 0x00 || message`, `size` bytes long; the
    /// caller wipes the result.
    static func encode(_ message: [UInt8], size: Int) throws -> [UInt8] {
        let paddingLength = size - 3 - message.count
        guard paddingLength >= 8 else {
            throw OpenPGPError(
                .invalidArgument, "a \(message.count)-byte session key does not fit a \(size)-byte PKCS #1 block")
        }
        var padding: [UInt8] = []
        padding.reserveCapacity(paddingLength)
        while padding.count < paddingLength {
            padding += secureRandomBytes(paddingLength - padding.count).filter { $0 != 0 }
        }
        return [0x00, 0x02] + padding + [0x00] + message
    }

    /// The message inside a decrypted block, or nil when the padding is wrong. The scan looks
    /// at every byte the same way whatever the content, so its timing does not depend on
    /// where (or whether) the padding fails.
    static func decode(_ block: [UInt8]) -> [UInt8]? {
        guard block.count >= 11 else { return nil }
        var bad = UInt(block[0]) | UInt(block[1] ^ 0x02)
        var separator: UInt = 0
        var found: UInt = 0
        for index in 2..<block.count {
            let isZero = zeroMask(block[index])
            let first = isZero & ~found
            separator = (separator & ~first) | (UInt(index) & first)
            found |= isZero
        }
        bad |= ~found & 1
        // At least eight bytes of padding: the separator sits at index 10 or later.
        bad |= lessThanMask(separator, 10) & 1
        guard bad == 0 else { return nil }
        return Array(block[Int(separator + 1)...])
    }

    /// All ones when `byte` is zero, else zero; without a branch.
    private static func zeroMask(_ byte: UInt8) -> UInt {
        0 &- ((UInt(byte) &- 1) >> (UInt.bitWidth - 1))
    }

    /// All ones when `a < b` (both below 2^63), else zero; without a branch.
    private static func lessThanMask(_ a: UInt, _ b: UInt) -> UInt {
        0 &- ((a &- b) >> (UInt.bitWidth - 1))
    }
}
