import Crypto

/// PBKDF2 with HMAC-SHA-256 as the pseudo-random function (RFC 8018 section 5.2), which
/// is SCRAM's `Hi()` when the key length is the hash length (RFC 5802 section 2.2).
enum PBKDF2 {
    /// The key derived from `password` and `salt` with `iterations` rounds.
    ///
    /// - Parameters:
    ///   - password: The password bytes (the HMAC key).
    ///   - salt: The salt.
    ///   - iterations: The iteration count, at least 1.
    ///   - keyLength: The length of the derived key in bytes.
    static func sha256(
        password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int = SHA256.byteCount
    )
        -> [UInt8]
    {
        precondition(iterations >= 1 && keyLength >= 0)
        let key = SymmetricKey(data: password)
        // The keyed HMAC state is computed once and copied for every round.
        let keyed = HMAC<SHA256>(key: key)
        var derived: [UInt8] = []
        derived.reserveCapacity(keyLength)
        var blockIndex: UInt32 = 1
        while derived.count < keyLength {
            var first = keyed
            first.update(data: salt)
            first.update(data: [
                UInt8(blockIndex >> 24 & 0xFF), UInt8(blockIndex >> 16 & 0xFF),
                UInt8(blockIndex >> 8 & 0xFF), UInt8(blockIndex & 0xFF),
            ])
            var round = Array(first.finalize())
            var block = round
            for _ in 1..<iterations {
                var next = keyed
                next.update(data: round)
                round = Array(next.finalize())
                for index in block.indices {
                    block[index] ^= round[index]
                }
            }
            derived.append(contentsOf: block.prefix(keyLength - derived.count))
            blockIndex += 1
        }
        return derived
    }
}
