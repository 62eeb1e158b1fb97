import COpenSSL

/// The secret half of an OpenPGP RSA key (RFC 9580 §5.5.5.1): `d`, the primes `p < q`,
/// and `u = p⁻¹ mod q` (the inverse of OpenSSL's `iqmp`, which is `q⁻¹ mod p`).
struct RSASecret: Sendable {
    let d: SecureBytes
    let p: SecureBytes
    let q: SecureBytes
    let u: SecureBytes
    /// The libcrypto key, made on first use.
    let key = EVPKeyCache()
}

/// RSA through libcrypto: PKCS #1 v1.5 signatures (EMSA with the hash's DigestInfo) and raw
/// RSA for EME-PKCS1-v1_5 session-key encryption, whose padding ``EMEPKCS1`` handles.
enum RSAPrimitives {
    static let publicExponent: UInt = 65537

    /// A new key pair with a `bits`-bit modulus and e = 65537.
    static func generate(bits: Int) throws -> (n: [UInt8], e: [UInt8], secret: RSASecret) {
        let key = try EVPKey.generate("RSA") { builder in
            try builder.push("bits", uint: UInt32(bits))
            try builder.push("e", try BigNumber(word: publicExponent))
        }
        let n = try key.number("n")
        let e = try key.number("e")
        let d = try key.number("d", secret: true)
        var p = try key.number("rsa-factor1", secret: true)
        var q = try key.number("rsa-factor2", secret: true)
        if p.compare(q) > 0 { swap(&p, &q) }
        let context = try BigNumberContext()
        guard let u = try context.modInverse(p, q, secret: true) else {
            throw OpenPGPError(.cryptoFailure, "libcrypto generated RSA primes without an inverse")
        }
        let secret = RSASecret(d: d.secureBytes(), p: p.secureBytes(), q: q.secureBytes(), u: u.secureBytes())
        return (n.bytes(), e.bytes(), secret)
    }

    /// Checks that a decoded secret belongs to `n`: `n = p·q`, `u·p ≡ 1 (mod q)` and `0 < d < n`.
    /// (RFC 9580 asks for p < q, which generation ensures; reading does not insist on it.)
    /// The sizes of n and e are checked (``checkedSizes(n:e:)``) and every secret number
    /// bounded by the modulus before any arithmetic.
    static func isConsistent(n: [UInt8], e: [UInt8], secret: RSASecret) -> Bool {
        guard let (modulus, _) = try? checkedSizes(n: n, e: e), let context = try? BigNumberContext(),
            let p = try? BigNumber(secret: secret.p), let q = try? BigNumber(secret: secret.q),
            let u = try? BigNumber(secret: secret.u), let d = try? BigNumber(secret: secret.d),
            !p.isZero, !q.isZero, p.bitCount + q.bitCount <= modulus.bitCount + 1, u.isInOpenRange(below: q),
            d.isInOpenRange(below: modulus),
            let product = try? context.multiply(p, q, secret: true),
            let check = try? context.modMultiply(u, p, q, secret: true)
        else { return false }
        return product.compare(modulus) == 0 && check.isOne
    }

    /// The PKCS #1 v1.5 signature of `digest`, made with `hash`; as long as the modulus.
    static func sign(digest: [UInt8], hash: HashAlgorithm, n: [UInt8], e: [UInt8], secret: RSASecret) throws -> [UInt8]
    {
        let key = try privateKey(n: n, e: e, secret: secret)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_sign_init($0) }) else { throw LibCrypto.failure("EVP_PKEY_sign_init(RSA)") }
        try context.set { try $0.push("pad-mode", utf8: "pkcs1") }
        let md = try hash.evpDigest()
        guard context.perform({ EVP_PKEY_CTX_set_signature_md($0, md) }) else {
            throw LibCrypto.failure("EVP_PKEY_CTX_set_signature_md(\(hash))")
        }
        return try context.output("EVP_PKEY_sign(RSA)") { context, out, length in
            EVP_PKEY_sign(context, out, length, digest, digest.count)
        }
    }

    /// Whether `signature` (an MPI, leading zeros dropped) is a valid PKCS #1 v1.5 signature.
    static func verify(signature: [UInt8], digest: [UInt8], hash: HashAlgorithm, n: [UInt8], e: [UInt8]) -> Bool {
        guard let key = try? publicKey(n: n, e: e), let md = try? hash.evpDigest(),
            let padded = leftPadded(signature, to: (bitLength(n) + 7) / 8), let context = try? key.context()
        else {
            LibCrypto.clearErrors()
            return false
        }
        defer { LibCrypto.clearErrors() }
        guard context.perform({ EVP_PKEY_verify_init($0) }),
            (try? context.set { try $0.push("pad-mode", utf8: "pkcs1") }) != nil,
            context.perform({ EVP_PKEY_CTX_set_signature_md($0, md) })
        else { return false }
        return context.perform { EVP_PKEY_verify($0, padded, padded.count, digest, digest.count) }
    }

    /// `message^e mod n` for an already padded `message` (EME-PKCS1-v1_5) of modulus length.
    static func encryptRaw(_ message: [UInt8], n: [UInt8], e: [UInt8]) throws -> [UInt8] {
        let key = try publicKey(n: n, e: e)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_encrypt_init($0) }) else {
            throw LibCrypto.failure("EVP_PKEY_encrypt_init(RSA)")
        }
        try context.set { try $0.push("pad-mode", utf8: "none") }
        return try context.output("EVP_PKEY_encrypt(RSA)") { context, out, length in
            EVP_PKEY_encrypt(context, out, length, message, message.count)
        }
    }

    /// `c^d mod n` as modulus-length bytes (libcrypto blinds the operation), or nil when
    /// `ciphertext` is not below the modulus.
    static func decryptRaw(_ ciphertext: [UInt8], n: [UInt8], e: [UInt8], secret: RSASecret) throws -> SecureBytes? {
        let size = (bitLength(n) + 7) / 8
        guard let padded = leftPadded(ciphertext, to: size), let c = try? BigNumber(padded),
            let modulus = try? BigNumber(n),
            c.compare(modulus) < 0
        else { return nil }
        let key = try privateKey(n: n, e: e, secret: secret)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_decrypt_init($0) }) else {
            throw LibCrypto.failure("EVP_PKEY_decrypt_init(RSA)")
        }
        try context.set { try $0.push("pad-mode", utf8: "none") }
        guard
            var plain = try? context.output(
                "EVP_PKEY_decrypt(RSA)",
                { context, out, length in
                    EVP_PKEY_decrypt(context, out, length, padded, padded.count)
                })
        else {
            LibCrypto.clearErrors()
            return nil
        }
        defer { wipe(&plain) }
        guard var block = leftPadded(plain, to: size) else { return nil }
        defer { wipe(&block) }
        return SecureBytes(block)
    }

    /// Checks the public parameters: an odd modulus of 512–16384 bits, an odd e with 1 < e < n,
    /// and e of at most 64 bits when n has more than 3072 (``ParameterBounds``).
    static func validatePublic(n: [UInt8], e: [UInt8]) throws {
        let (modulus, exponent) = try checkedSizes(n: n, e: e)
        try ParameterBounds.check("an RSA modulus", bits: modulus.bitCount, in: ParameterBounds.rsaModulusBits)
        guard modulus.isOdd, exponent.isOdd, !exponent.isOne, exponent.compare(modulus) < 0 else {
            throw OpenPGPError(.malformedPacket, "an RSA key needs an odd modulus and an odd exponent 1 < e < n")
        }
    }

    /// n and e as numbers, if neither is larger than ``ParameterBounds`` allows: the upper
    /// bounds alone, which every use checks before any arithmetic (a key smaller than
    /// ``validatePublic(n:e:)`` accepts may still be read, though not used).
    static func checkedSizes(n: [UInt8], e: [UInt8]) throws -> (n: BigNumber, e: BigNumber) {
        let modulus = try BigNumber(n)
        let exponent = try BigNumber(e)
        try ParameterBounds.check(
            "an RSA modulus", bits: modulus.bitCount, atMost: ParameterBounds.rsaModulusBits.upperBound)
        if modulus.bitCount > ParameterBounds.rsaSmallModulusBits {
            try ParameterBounds.check(
                "the public exponent of an RSA modulus over \(ParameterBounds.rsaSmallModulusBits) bits",
                bits: exponent.bitCount,
                atMost: ParameterBounds.rsaLargeModulusExponentBits)
        }
        guard exponent.compare(modulus) < 0 else {
            throw OpenPGPError(.malformedPacket, "an RSA exponent must be below the modulus")
        }
        return (modulus, exponent)
    }

    private static func bitLength(_ magnitude: [UInt8]) -> Int {
        let trimmed = magnitude.drop { $0 == 0 }
        guard let first = trimmed.first else { return 0 }
        return (trimmed.count - 1) * 8 + 8 - first.leadingZeroBitCount
    }

    private static func publicKey(n: [UInt8], e: [UInt8]) throws -> EVPKey {
        try validatePublic(n: n, e: e)
        return try EVPKey.fromParameters("RSA", .publicKey) { builder in
            try builder.push("n", BigNumber(n))
            try builder.push("e", BigNumber(e))
        }
    }

    /// The key of `secret`, built once and kept with it.
    private static func privateKey(n: [UInt8], e: [UInt8], secret: RSASecret) throws -> EVPKey {
        let publicPart = withUnsafeBytes(of: UInt32(n.count).bigEndian) { Array($0) } + n + e
        return try secret.key.key(publicPart: publicPart) { try makePrivateKey(n: n, e: e, secret: secret) }
    }

    /// libcrypto wants the CRT form: factor1 = p, factor2 = q, exponent1 = d mod (p-1),
    /// exponent2 = d mod (q-1) and coefficient1 = q⁻¹ mod p — computed here, not taken from u.
    private static func makePrivateKey(n: [UInt8], e: [UInt8], secret: RSASecret) throws -> EVPKey {
        try validatePublic(n: n, e: e)
        let context = try BigNumberContext()
        let d = try BigNumber(secret: secret.d)
        let p = try BigNumber(secret: secret.p)
        let q = try BigNumber(secret: secret.q)
        let dp = try context.reduce(d, try p.subtracting(word: 1), secret: true)
        let dq = try context.reduce(d, try q.subtracting(word: 1), secret: true)
        guard let qInverse = try context.modInverse(q, p, secret: true) else {
            throw OpenPGPError(.malformedPacket, "the RSA primes have no inverse")
        }
        return try EVPKey.fromParameters("RSA", .keyPair) { builder in
            try builder.push("n", BigNumber(n))
            try builder.push("e", BigNumber(e))
            try builder.push("d", d)
            try builder.push("rsa-factor1", p)
            try builder.push("rsa-factor2", q)
            try builder.push("rsa-exponent1", dp)
            try builder.push("rsa-exponent2", dq)
            try builder.push("rsa-coefficient1", qInverse)
        }
    }
}
