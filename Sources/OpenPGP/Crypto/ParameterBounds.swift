/// The sizes of RSA, DSA and ElGamal parameters this engine accepts, checked before any
/// modular arithmetic (key use, secret-key consistency checks), so that a key from
/// untrusted input costs at most what the largest accepted key costs.
///
/// An MPI may hold up to 65,535 bits; exponentiation costs grow with the cube of the modulus
/// size, so one ElGamal check on a 65,535-bit p takes over a minute. The bounds follow what
/// GnuPG generates and what libcrypto itself enforces:
///
/// | Parameter | Accepted | Why |
/// |---|---|---|
/// | RSA n | 512–16,384 bits | libcrypto's `OPENSSL_RSA_MAX_MODULUS_BITS`; GnuPG's `--enable-large-rsa` maximum |
/// | RSA e | odd, 1 < e < n; at most 64 bits when n has more than 3,072 | libcrypto's `OPENSSL_RSA_MAX_PUBEXP_BITS` rule, which refuses larger exponents for such moduli anyway |
/// | DSA p, q | p 1,024–3,072 bits; q 160, 224 or 256 bits | FIPS 186-4, GnuPG's generation range |
/// | DSA g, y, x | 1 < g, y < p; 0 < x < q | |
/// | ElGamal p | 1,024–8,192 bits to encrypt; at most 8,192 bits to decrypt or check a secret (old 768-bit keys still decrypt) | GnuPG and PGP generate at most 4,096 bits; 8,192 leaves room and keeps one exponentiation well under a second |
/// | ElGamal g, y, x | 1 < g, y < p - 1; 0 < x < p - 1 | |
///
/// Argon2 S2K parameters (RFC 9580 §3.7.1.4) are bounded likewise before libargon2 allocates
/// its memory: by default at most 2^21 KiB (2 GiB) and 16 passes per derivation
/// (``SessionKeyLimits`` makes both configurable for messages).
enum ParameterBounds {
    /// RSA modulus sizes, in bits.
    static let rsaModulusBits = 512...16384
    /// Moduli above this size (bits) must have a public exponent of at most ``rsaLargeModulusExponentBits``.
    static let rsaSmallModulusBits = 3072
    /// The largest public exponent (bits) for moduli above ``rsaSmallModulusBits``.
    static let rsaLargeModulusExponentBits = 64
    /// DSA prime sizes, in bits.
    static let dsaPrimeBits = 1024...3072
    /// DSA subgroup order sizes, in bits.
    static let dsaOrderBits: Set<Int> = [160, 224, 256]
    /// ElGamal prime sizes, in bits.
    static let elgamalPrimeBits = 1024...8192
    /// Argon2 S2K memory exponents RFC 9580 §3.7.1.4 allows: 2^m KiB, from 8 KiB to 2 TiB.
    static let argon2MemoryExponents = 3...31

    /// Throws `malformedPacket` if `bits` is above `maximum`, naming the parameter.
    static func check(_ what: String, bits: Int, atMost maximum: Int) throws {
        guard bits <= maximum else {
            throw OpenPGPError(.malformedPacket, "\(what) has \(bits) bits; at most \(maximum) bits are accepted")
        }
    }

    /// Throws `malformedPacket` unless `bits` is in `range`, naming the parameter.
    static func check(_ what: String, bits: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(bits) else {
            throw OpenPGPError(
                .malformedPacket,
                "\(what) has \(bits) bits; \(range.lowerBound)–\(range.upperBound) bits are accepted")
        }
    }
}
