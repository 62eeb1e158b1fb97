import COpenSSL

/// A short-Weierstrass curve of OpenPGP ECDSA and ECDH keys (NIST P-256/384/521, secp256k1,
/// brainpoolP256r1/384r1/512r1) through libcrypto's EC keys. Points are uncompressed,
/// `0x04 || X || Y`; scalars are big-endian, as long as the group order.
struct WeierstrassCurve: Sendable {
    let curve: Curve
    /// libcrypto's group name.
    let groupName: String
    /// Bytes of a field element, which for these curves is also the size of the order.
    let size: Int

    /// The curve, or `unsupportedAlgorithm` when it is not one of these curves or libcrypto lacks it.
    init(_ curve: Curve) throws {
        guard let (name, size) = Self.known[curve] else {
            throw OpenPGPError(.unsupportedAlgorithm, "curve \(curve) is not supported for ECDSA or ECDH")
        }
        guard Self.available.contains(curve) else {
            throw OpenPGPError(.unsupportedAlgorithm, "curve \(curve) is not available in libcrypto")
        }
        self.curve = curve
        self.groupName = name
        self.size = size
    }

    private static let known: [Curve: (String, Int)] = [
        .nistP256: ("prime256v1", 32), .nistP384: ("secp384r1", 48), .nistP521: ("secp521r1", 66),
        .secp256k1: ("secp256k1", 32), .brainpoolP256r1: ("brainpoolP256r1", 32),
        .brainpoolP384r1: ("brainpoolP384r1", 48), .brainpoolP512r1: ("brainpoolP512r1", 64),
    ]

    /// The known curves this libcrypto can use, probed once.
    private static let available: Set<Curve> = {
        LibCrypto.initialize()
        var result: Set<Curve> = []
        for (curve, (name, _)) in known {
            if (try? EVPKey.generate("EC", { try $0.push("group", utf8: name) })) != nil { result.insert(curve) }
        }
        LibCrypto.clearErrors()
        return result
    }()

    /// Size of an encoded point.
    var pointSize: Int { 1 + 2 * size }

    /// A new key pair.
    func generate() throws -> (scalar: SecureBytes, point: [UInt8]) {
        let key = try EVPKey.generate("EC") { try $0.push("group", utf8: groupName) }
        let point = try key.octets("pub")
        guard point.count == pointSize, point.first == 0x04 else {
            throw OpenPGPError(.cryptoFailure, "libcrypto returned a compressed or malformed \(curve) point")
        }
        return (try key.number("priv", secret: true).secureBytes(count: size), point)
    }

    /// The libcrypto key for a public point, which must be uncompressed and on the curve.
    func publicKey(_ point: [UInt8]) throws -> EVPKey {
        let malformed = OpenPGPError(.malformedPacket, "not an uncompressed point on \(curve)")
        guard point.count == pointSize, point.first == 0x04 else { throw malformed }
        guard
            let key = try? EVPKey.fromParameters(
                "EC", .publicKey,
                {
                    try $0.push("group", utf8: groupName)
                    try $0.push("pub", octets: point)
                }), key.passesPublicCheck()
        else {
            LibCrypto.clearErrors()
            throw malformed
        }
        return key
    }

    private func privateKey(scalar: SecureBytes, point: [UInt8]) throws -> EVPKey {
        guard point.count == pointSize, point.first == 0x04, scalar.count == size else {
            throw OpenPGPError(.malformedPacket, "not a \(curve) key")
        }
        return try EVPKey.fromParameters("EC", .keyPair) {
            try $0.push("group", utf8: groupName)
            try $0.push("pub", octets: point)
            try $0.push("priv", BigNumber(secret: scalar))
        }
    }

    /// Whether `scalar` is the secret of `point` (1 ≤ scalar < order and scalar·G = point).
    func isKeyPair(scalar: SecureBytes, point: [UInt8]) -> Bool {
        guard (try? publicKey(point)) != nil, let key = try? privateKey(scalar: scalar, point: point) else {
            LibCrypto.clearErrors()
            return false
        }
        return key.passesPairwiseCheck()
    }

    /// Signs `digest` (libcrypto truncates it to the order's bit length); r and s as MPIs.
    func sign(digest: [UInt8], scalar: SecureBytes, point: [UInt8]) throws -> (r: [UInt8], s: [UInt8]) {
        let key = try privateKey(scalar: scalar, point: point)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_sign_init($0) }) else { throw LibCrypto.failure("EVP_PKEY_sign_init(ECDSA)") }
        let der = try context.output("EVP_PKEY_sign(ECDSA)") { context, out, length in
            EVP_PKEY_sign(context, out, length, digest, digest.count)
        }
        return try DERSignature.decode(der)
    }

    /// Whether (r, s) is a valid ECDSA signature of `digest` by `point`; false for an
    /// invalid point as well.
    func verify(digest: [UInt8], r: [UInt8], s: [UInt8], point: [UInt8]) -> Bool {
        defer { LibCrypto.clearErrors() }
        guard r.count <= size, s.count <= size, let key = try? publicKey(point),
            let der = try? DERSignature.encode(r: r, s: s), let context = try? key.context(),
            context.perform({ EVP_PKEY_verify_init($0) })
        else { return false }
        return context.perform { EVP_PKEY_verify($0, der, der.count, digest, digest.count) }
    }

    /// The ECDH shared secret of our key and `peer`: the X coordinate of the shared point,
    /// `size` bytes (RFC 6637 §8). Throws `malformedPacket` for an invalid peer point.
    func sharedSecret(scalar: SecureBytes, point: [UInt8], peer: [UInt8]) throws -> SecureBytes {
        let peerKey = try publicKey(peer)
        let key = try privateKey(scalar: scalar, point: point)
        let context = try key.context()
        guard context.perform({ EVP_PKEY_derive_init($0) }),
            context.perform({ context in peerKey.withPointer { EVP_PKEY_derive_set_peer(context, $0) } })
        else {
            throw LibCrypto.failure("ECDH on \(curve)")
        }
        var shared = try context.output("EVP_PKEY_derive(ECDH)") { context, out, length in
            EVP_PKEY_derive(context, out, length)
        }
        defer { wipe(&shared) }
        guard shared.count == size else {
            throw OpenPGPError(.cryptoFailure, "ECDH on \(curve) gave \(shared.count) bytes")
        }
        return SecureBytes(shared)
    }
}

extension Curve {
    /// Whether this engine can use keys on this curve (Ed25519 and Curve25519 included).
    public var isSupported: Bool {
        if self == .ed25519 || self == .curve25519 { return true }
        return (try? WeierstrassCurve(self)) != nil
    }
}
