import COpenSSL

/// ElGamal encryption (type 16) on libcrypto's BIGNUM, which OpenSSL 3 does not offer.
/// Operations with a secret exponent use `BN_mod_exp_mont_consttime`.
enum ElGamal {
    /// The public parameters as numbers, after checking them: an odd p of 1024–8192 bits
    /// (``ParameterBounds``), and 1 < g, y < p - 1.
    static func publicParameters(
        p: [UInt8], g: [UInt8], y: [UInt8]
    ) throws -> (p: BigNumber, g: BigNumber, y: BigNumber) {
        let prime = try checkedPrime(p)
        try ParameterBounds.check("an ElGamal prime p", bits: prime.bitCount, in: ParameterBounds.elgamalPrimeBits)
        let generator = try BigNumber(g)
        let value = try BigNumber(y)
        let upper = try prime.subtracting(word: 1)
        guard !generator.isOne, generator.isInOpenRange(below: upper), !value.isOne, value.isInOpenRange(below: upper)
        else {
            throw OpenPGPError(.malformedPacket, "an ElGamal key needs 1 < g, y < p - 1")
        }
        return (prime, generator, value)
    }

    /// `p` as a number, if it is odd and not above the size limit; checked before every
    /// exponentiation modulo p. (Smaller keys than encryption accepts may still decrypt.)
    static func checkedPrime(_ p: [UInt8]) throws -> BigNumber {
        let prime = try BigNumber(p)
        try ParameterBounds.check(
            "an ElGamal prime p", bits: prime.bitCount, atMost: ParameterBounds.elgamalPrimeBits.upperBound)
        guard prime.isOdd else { throw OpenPGPError(.malformedPacket, "an ElGamal prime must be odd") }
        return prime
    }

    /// `g^x mod p`: the public value of secret `x`, for an accepted p and 0 < x < p.
    static func publicValue(p: [UInt8], g: [UInt8], x: SecureBytes) throws -> [UInt8] {
        let prime = try checkedPrime(p)
        let exponent = try BigNumber(secret: x)
        guard exponent.isInOpenRange(below: prime) else {
            throw OpenPGPError(.invalidArgument, "an ElGamal secret must be below p")
        }
        return try BigNumberContext().modExpConstantTime(try BigNumber(g), exponent, prime).bytes()
    }

    /// Encrypts an already padded block `m < p`: `(g^k mod p, m·y^k mod p)` for a fresh random k.
    static func encrypt(_ block: [UInt8], p: [UInt8], g: [UInt8], y: [UInt8]) throws -> (c1: [UInt8], c2: [UInt8]) {
        let (prime, generator, value) = try publicParameters(p: p, g: g, y: y)
        let message = try BigNumber(block, secret: true)
        guard message.isInOpenRange(below: prime) else {
            throw OpenPGPError(.invalidArgument, "an ElGamal message must be below p")
        }
        let context = try BigNumberContext()
        let k = try context.randomSecret(below: try prime.subtracting(word: 1))
        let c1 = try context.modExpConstantTime(generator, k, prime)
        let shared = try context.modExpConstantTime(value, k, prime)
        let c2 = try context.modMultiply(message, shared, prime, secret: false)
        return (c1.bytes(), c2.bytes())
    }

    /// The padded block `c2 · c1^(p-1-x) mod p` (that is, `c2 / c1^x`), as many bytes as p
    /// has; nil unless 0 < c1, c2 < p.
    static func decrypt(c1: [UInt8], c2: [UInt8], p: [UInt8], x: SecureBytes) throws -> SecureBytes? {
        let prime = try checkedPrime(p)
        guard let first = try? BigNumber(c1), let second = try? BigNumber(c2),
            first.isInOpenRange(below: prime), second.isInOpenRange(below: prime)
        else { return nil }
        let context = try BigNumberContext()
        let secret = try BigNumber(secret: x)
        // p - 1 - x is positive for x < p - 1, and c1^(p-1) = 1 since p is prime.
        let exponent = try context.subtract(try prime.subtracting(word: 1), secret, secret: true)
        guard !exponent.isNegative else { return nil }
        let inverse = try context.modExpConstantTime(first, exponent, prime)
        let message = try context.modMultiply(second, inverse, prime, secret: true)
        return message.secureBytes(count: prime.byteCount)
    }
}
