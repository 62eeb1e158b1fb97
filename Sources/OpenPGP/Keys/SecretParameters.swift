/// Decrypted secret key parameters. Every secret lives in ``SecureBytes``.
enum SecretParameters: Sendable {
    /// Ed25519 (v4 EdDSA encoding): the 32-byte secret seed, and its libcrypto key once used.
    case eddsaLegacy(seed: SecureBytes, key: EVPKeyCache = EVPKeyCache())
    /// X25519 for RFC 6637 ECDH: the 32-byte scalar in native (little-endian) order, and its
    /// libcrypto key once used.
    case curve25519(scalar: SecureBytes, key: EVPKeyCache = EVPKeyCache())
    /// X25519, X448, Ed25519 or Ed448 (RFC 9580 algorithms 25–28; the public key says which):
    /// the native secret as stored, and its libcrypto key once used.
    case native(secret: SecureBytes, key: EVPKeyCache = EVPKeyCache())
    /// RSA: d, p, q and u = p⁻¹ mod q.
    case rsa(RSASecret)
    /// DSA: the exponent x.
    case dsa(x: SecureBytes)
    /// ElGamal: the exponent x.
    case elgamal(x: SecureBytes)
    /// ECDSA on a Weierstrass curve: the scalar, big-endian, as long as the group order.
    case ecdsa(scalar: SecureBytes)
    /// RFC 6637 ECDH on a Weierstrass curve: the scalar, big-endian, as long as the group order.
    case ecdh(scalar: SecureBytes)

    /// Decodes the cleartext secret MPIs of a key (checksum or hash already removed) and checks
    /// that they belong to the public key; a mismatch is `malformedPacket` at `offset`.
    static func parse(_ cleartext: [UInt8], for publicKey: PublicKeyPacket, offset: Int) throws -> SecretParameters {
        var reader = ByteReader(cleartext, baseOffset: offset, packetTag: PacketTag.secretKey.rawValue)
        let mismatch = OpenPGPError(
            .malformedPacket, "the secret part of key \(publicKey.fingerprint) does not match its public part",
            offset: offset, packetTag: PacketTag.secretKey.rawValue)
        /// Reads one secret MPI into secure storage, optionally left-padded to a fixed size.
        func secret(_ what: String, size: Int? = nil) throws -> SecureBytes {
            var mpi = try reader.readMPI(what)
            defer { wipe(&mpi) }
            guard let size else { return SecureBytes(mpi.drop { $0 == 0 }) }
            guard var padded = leftPadded(mpi, to: size) else {
                throw reader.malformed("\(what) is longer than \(size) bytes")
            }
            defer { wipe(&padded) }
            return SecureBytes(padded)
        }
        /// A native secret of `size` bytes whose public key must be `expected`.
        func native(
            _ size: Int, _ expected: [UInt8], _ derive: (EVPKey) throws -> [UInt8],
            _ make: (SecureBytes) throws -> EVPKey
        ) throws -> SecretParameters {
            guard reader.remaining == size else {
                throw reader.malformed("a \(publicKey.algorithm) secret key has \(size) bytes, not \(reader.remaining)")
            }
            var bytes = reader.readRest()
            defer { wipe(&bytes) }
            let secret = SecureBytes(bytes)
            let cache = EVPKeyCache()
            guard let key = try? cache.key({ try make(secret) }), (try? derive(key)) == expected else { throw mismatch }
            return .native(secret: secret, key: cache)
        }
        switch publicKey.parameters {
        case .x25519(let expected):
            return try native(X25519.keySize, expected, X25519.publicKey(of:), X25519.privateKey(secret:))
        case .x448(let expected):
            return try native(X448.keySize, expected, X448.publicKey(of:), X448.privateKey(secret:))
        case .ed25519(let expected):
            return try native(Ed25519.keySize, expected, rawPublicKey(of:), Ed25519.privateKey(seed:))
        case .ed448(let expected):
            return try native(Ed448.keySize, expected, rawPublicKey(of:), Ed448.privateKey(secret:))
        case .eddsaLegacy(.ed25519, _):
            return .eddsaLegacy(seed: try secret("the EdDSA secret", size: 32))
        case .ecdh(.curve25519, _, _, _):
            // OpenPGP stores the Curve25519 scalar big-endian; X25519 wants it little-endian.
            var scalar = try secret("the ECDH secret", size: 32).bytes
            defer { wipe(&scalar) }
            scalar.reverse()
            return .curve25519(scalar: SecureBytes(scalar))
        case .rsa(let n, let e) where publicKey.algorithm.isRSA:
            try checkBounds(of: publicKey, offset: offset)
            let parsed = RSASecret(
                d: try secret("RSA d"), p: try secret("RSA p"), q: try secret("RSA q"), u: try secret("RSA u"))
            guard RSAPrimitives.isConsistent(n: n, e: e, secret: parsed) else { throw mismatch }
            return .rsa(parsed)
        case .dsa(let p, let q, let g, let y) where publicKey.algorithm == .dsa:
            try checkBounds(of: publicKey, offset: offset)
            let x = try secret("DSA x")
            guard DSAPrimitives.isConsistent(p: p, q: q, g: g, y: y, x: x) else { throw mismatch }
            return .dsa(x: x)
        case .elgamal(let p, let g, let y) where publicKey.algorithm == .elgamalEncryptOnly:
            try checkBounds(of: publicKey, offset: offset)
            let prime = try ElGamal.checkedPrime(p)
            let x = try secret("ElGamal x")
            guard let exponent = try? BigNumber(secret: x),
                exponent.isInOpenRange(below: try prime.subtracting(word: 1)),
                (try? ElGamal.publicValue(p: p, g: g, x: x)) == y.drop(while: { $0 == 0 }).map({ $0 })
            else { throw mismatch }
            return .elgamal(x: x)
        case .ecdsa(let curve, let point) where publicKey.algorithm == .ecdsa:
            let group = try weierstrass(curve, offset: offset)
            let scalar = try secret("the ECDSA secret", size: group.size)
            guard group.isKeyPair(scalar: scalar, point: point) else { throw mismatch }
            return .ecdsa(scalar: scalar)
        case .ecdh(let curve, let point, _, _) where publicKey.algorithm == .ecdh:
            let group = try weierstrass(curve, offset: offset)
            let scalar = try secret("the ECDH secret", size: group.size)
            guard group.isKeyPair(scalar: scalar, point: point) else { throw mismatch }
            return .ecdh(scalar: scalar)
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm,
                "secret keys of type \(publicKey.algorithm)\(publicKey.curve.map { " on \($0)" } ?? "") are not supported",
                offset: offset, packetTag: PacketTag.secretKey.rawValue)
        }
    }

    /// Checks that an RSA, DSA or ElGamal key's public parameters are not larger than
    /// ``ParameterBounds`` allows (DSA: fully valid, as its check always was), so that no
    /// secret-key check or unlocking does modular arithmetic on oversized numbers; an error is
    /// `malformedPacket` at `offset`. Other keys pass.
    static func checkBounds(of publicKey: PublicKeyPacket, offset: Int) throws {
        try located(at: offset) {
            switch publicKey.parameters {
            case .rsa(let n, let e) where publicKey.algorithm.isRSA: _ = try RSAPrimitives.checkedSizes(n: n, e: e)
            case .dsa(let p, let q, let g, let y) where publicKey.algorithm == .dsa:
                try DSAPrimitives.validatePublic(p: p, q: q, g: g, y: y)
            case .elgamal(let p, _, _) where publicKey.algorithm == .elgamalEncryptOnly: _ = try ElGamal.checkedPrime(p)
            default: break
            }
        }
    }

    private static func weierstrass(_ curve: Curve, offset: Int) throws -> WeierstrassCurve {
        try located(at: offset) { try WeierstrassCurve(curve) }
    }

    /// Runs `body`, giving an `OpenPGPError` it throws this secret key's offset and tag.
    private static func located<T>(at offset: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as OpenPGPError {
            error.offset = offset
            error.packetTag = PacketTag.secretKey.rawValue
            throw error
        }
    }

    /// The cleartext MPIs; the caller wipes the result.
    func serialized() throws -> [UInt8] {
        var out: [UInt8] = []
        func append(_ value: SecureBytes) throws {
            var bytes = value.bytes
            defer { wipe(&bytes) }
            try out.appendMPI(bytes)
        }
        switch self {
        case .native(let secret, _):
            secret.withUnsafeBytes { out += $0 }
        case .eddsaLegacy(let seed, _):
            try append(seed)
        case .curve25519(let scalar, _):
            var bigEndian = scalar.bytes
            defer { wipe(&bigEndian) }
            bigEndian.reverse()
            try out.appendMPI(bigEndian)
        case .rsa(let secret):
            try append(secret.d)
            try append(secret.p)
            try append(secret.q)
            try append(secret.u)
        case .dsa(let x), .elgamal(let x):
            try append(x)
        case .ecdsa(let scalar), .ecdh(let scalar):
            try append(scalar)
        }
        return out
    }
}

extension PublicKeyAlgorithm {
    /// RSA in any of its three identifiers.
    var isRSA: Bool { [.rsaEncryptOrSign, .rsaEncryptOnly, .rsaSignOnly].contains(self) }
}

/// The two-byte additive checksum of secret key material.
func secretChecksum(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    var sum: UInt16 = 0
    for byte in bytes { sum &+= UInt16(byte) }
    return [UInt8(sum >> 8), UInt8(sum & 0xFF)]
}
