import COpenSSL

/// DSA (type 17) through libcrypto, which truncates the digest to the size of q as FIPS 186
/// prescribes (q has 160, 224 or 256 bits, a whole number of bytes).
enum DSAPrimitives {
    /// Checks the public parameters: q of 160, 224 or 256 bits, an odd p of 1024–3072 bits
    /// above q, and 1 < g, y < p (``ParameterBounds``). Sizes are checked before anything else.
    static func validatePublic(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8]) throws {
        let prime = try BigNumber(p)
        let order = try BigNumber(q)
        try ParameterBounds.check("a DSA prime p", bits: prime.bitCount, in: ParameterBounds.dsaPrimeBits)
        let generator = try BigNumber(g)
        let value = try BigNumber(y)
        guard ParameterBounds.dsaOrderBits.contains(order.bitCount), prime.isOdd,
            !generator.isOne, generator.isInOpenRange(below: prime), !value.isOne, value.isInOpenRange(below: prime)
        else {
            throw OpenPGPError(
                .malformedPacket, "a DSA key needs q of 160, 224 or 256 bits, p of 1024–3072 bits and 1 < g, y < p")
        }
    }

    /// Signs `digest`; r and s come back as MPI magnitudes.
    static func sign(
        digest: [UInt8], p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8], x: SecureBytes
    ) throws -> (r: [UInt8], s: [UInt8]) {
        let key = try privateKey(p: p, q: q, g: g, y: y, x: x)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_sign_init($0) }) else { throw LibCrypto.failure("EVP_PKEY_sign_init(DSA)") }
        let der = try context.output("EVP_PKEY_sign(DSA)") { context, out, length in
            EVP_PKEY_sign(context, out, length, digest, digest.count)
        }
        return try DERSignature.decode(der)
    }

    /// Whether (r, s) is a valid signature of `digest`.
    static func verify(digest: [UInt8], r: [UInt8], s: [UInt8], p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8]) -> Bool
    {
        defer { LibCrypto.clearErrors() }
        guard let key = try? publicKey(p: p, q: q, g: g, y: y), let der = try? DERSignature.encode(r: r, s: s),
            let context = try? key.context(), context.perform({ EVP_PKEY_verify_init($0) })
        else { return false }
        return context.perform { EVP_PKEY_verify($0, der, der.count, digest, digest.count) }
    }

    /// Whether x is the secret of y (0 < x < q and g^x = y mod p). The public parameters
    /// are checked and x bounded by q before the exponentiation.
    static func isConsistent(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8], x: SecureBytes) -> Bool {
        guard (try? validatePublic(p: p, q: q, g: g, y: y)) != nil, let order = try? BigNumber(q),
            let exponent = try? BigNumber(secret: x), exponent.isInOpenRange(below: order),
            let key = try? privateKey(p: p, q: q, g: g, y: y, x: x)
        else {
            LibCrypto.clearErrors()
            return false
        }
        return key.passesPairwiseCheck()
    }

    private static func publicKey(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8]) throws -> EVPKey {
        try key(p: p, q: q, g: g, y: y, x: nil)
    }

    private static func privateKey(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8], x: SecureBytes) throws -> EVPKey {
        try key(p: p, q: q, g: g, y: y, x: x)
    }

    /// A libcrypto DSA key from checked public parameters, with the secret `x` when given.
    private static func key(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8], x: SecureBytes?) throws -> EVPKey {
        try validatePublic(p: p, q: q, g: g, y: y)
        return try EVPKey.fromParameters("DSA", x == nil ? .publicKey : .keyPair) { builder in
            try builder.push("p", BigNumber(p))
            try builder.push("q", BigNumber(q))
            try builder.push("g", BigNumber(g))
            try builder.push("pub", BigNumber(y))
            if let x { try builder.push("priv", BigNumber(secret: x)) }
        }
    }
}
