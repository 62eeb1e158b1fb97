/// Creating and checking the cryptographic value of signatures, per algorithm.
enum SignatureCrypto {
    /// Checks `values` over `digest` (made with `hash`) with `key`. Throws `unsupportedAlgorithm`
    /// when this engine cannot check this kind of key; returns false for an invalid signature,
    /// including one whose key is malformed (such as an EC point off its curve).
    static func verify(
        digest: [UInt8], values: [[UInt8]], algorithm: PublicKeyAlgorithm, hash: HashAlgorithm, key: PublicKeyPacket
    ) throws -> Bool {
        guard algorithm == key.algorithm, hash.isAllowed(for: key) else { return false }
        switch key.parameters {
        case .ed25519(let publicKey):
            guard values.count == 1 else { return false }
            return Ed25519.verify(values[0], of: digest, publicKey: publicKey)
        case .ed448(let publicKey):
            guard values.count == 1 else { return false }
            return Ed448.verify(values[0], of: digest, publicKey: publicKey)
        case .eddsaLegacy(.ed25519, let point):
            guard point.count == 33, point[0] == 0x40, values.count == 2,
                let r = leftPadded(values[0], to: 32), let s = leftPadded(values[1], to: 32)
            else { return false }
            return Ed25519.verify(r + s, of: digest, publicKey: Array(point.dropFirst()))
        case .rsa(let n, let e) where key.algorithm.isRSA:
            // An encrypt-only RSA key makes no valid signatures.
            guard key.algorithm != .rsaEncryptOnly, values.count == 1 else { return false }
            return RSAPrimitives.verify(signature: values[0], digest: digest, hash: hash, n: n, e: e)
        case .dsa(let p, let q, let g, let y) where key.algorithm == .dsa:
            guard values.count == 2 else { return false }
            return DSAPrimitives.verify(digest: digest, r: values[0], s: values[1], p: p, q: q, g: g, y: y)
        case .ecdsa(let curve, let point) where key.algorithm == .ecdsa:
            let group = try WeierstrassCurve(curve)
            guard values.count == 2 else { return false }
            return group.verify(digest: digest, r: values[0], s: values[1], point: point)
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm,
                "verifying \(key.algorithm) signatures\(key.curve.map { " on \($0)" } ?? "") is not supported")
        }
    }

    /// Signs `digest`, made with `hash`, with a decoded secret key.
    static func sign(
        digest: [UInt8], hash: HashAlgorithm, secret: SecretParameters, key: PublicKeyPacket
    ) throws -> [[UInt8]] {
        guard hash.isAllowed(for: key) else {
            throw OpenPGPError(.invalidArgument, "\(hash) is too weak for a signature by key \(key.fingerprint)")
        }
        switch (secret, key.parameters) {
        case (.native(let secret, let cache), .ed25519):
            return [try Ed25519.sign(digest, key: try cache.key { try Ed25519.privateKey(seed: secret) })]
        case (.native(let secret, let cache), .ed448):
            return [try Ed448.sign(digest, key: try cache.key { try Ed448.privateKey(secret: secret) })]
        case (.eddsaLegacy(let seed, let cache), .eddsaLegacy):
            let signature = try Ed25519.sign(digest, key: try cache.key { try Ed25519.privateKey(seed: seed) })
            return [Array(signature.prefix(32)), Array(signature.suffix(32))]
        case (.rsa(let rsa), .rsa(let n, let e)) where key.algorithm != .rsaEncryptOnly:
            return [try RSAPrimitives.sign(digest: digest, hash: hash, n: n, e: e, secret: rsa)]
        case (.dsa(let x), .dsa(let p, let q, let g, let y)):
            let (r, s) = try DSAPrimitives.sign(digest: digest, p: p, q: q, g: g, y: y, x: x)
            return [r, s]
        case (.ecdsa(let scalar), .ecdsa(let curve, let point)):
            let (r, s) = try WeierstrassCurve(curve).sign(digest: digest, scalar: scalar, point: point)
            return [r, s]
        case (.curve25519, _), (.elgamal, _), (.ecdh, _), (.rsa, _), (.native, .x25519), (.native, .x448):
            throw OpenPGPError(.keyNotUsable, "key \(key.fingerprint) is an encryption key and cannot sign")
        default:
            throw OpenPGPError(
                .invalidArgument, "the secret of key \(key.fingerprint) does not fit its \(key.algorithm) public key")
        }
    }
}

/// A key able to sign: its public packet and decoded secret.
struct SigningKey: Sendable {
    let publicKey: PublicKeyPacket
    let secret: SecretParameters

    /// Makes a signature over whatever `feed` hashes — v6 with a fresh salt for a v6 key, else
    /// v4 — adding creation time and issuer.
    func makeSignature(
        type: SignatureType, hash: HashAlgorithm, creationTime: UInt32, extraHashedSubpackets: [Subpacket] = [],
        feed: (HashContext) throws -> Void
    ) throws -> SignaturePacket {
        let template = try makeTemplate(
            type: type, hash: hash, creationTime: creationTime, extraHashedSubpackets: extraHashedSubpackets)
        let context = try template.makeHashContext()
        try feed(context)
        return try finish(template: template, context: context)
    }

    /// The signature to complete with ``finish(template:context:)``: creation time and issuer
    /// fingerprint hashed; for a v4 key the issuer key ID unhashed, for a v6 key `salt` or a
    /// new one (hash the data into ``SignaturePacket/makeHashContext()`` of the template).
    func makeTemplate(
        type: SignatureType, hash: HashAlgorithm, creationTime: UInt32, extraHashedSubpackets: [Subpacket] = [],
        salt: [UInt8]? = nil
    ) throws -> SignaturePacket {
        let hashed = [Subpacket.creationTime(creationTime), .issuer(publicKey.fingerprint)] + extraHashedSubpackets
        guard publicKey.version == 6 else {
            return try SignaturePacket(
                type: type, publicKeyAlgorithm: publicKey.algorithm, hashAlgorithm: hash, hashedSubpackets: hashed,
                unhashedSubpackets: [.issuerKeyID(publicKey.keyID)], hashPrefix: [], signatureValues: [])
        }
        guard let saltSize = hash.v6SaltSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "version 6 signatures cannot use \(hash)")
        }
        return try SignaturePacket(
            version: 6, type: type, publicKeyAlgorithm: publicKey.algorithm, hashAlgorithm: hash,
            hashedSubpackets: hashed, unhashedSubpackets: [], hashPrefix: [], salt: salt ?? secureRandomBytes(saltSize),
            signatureValues: [])
    }

    /// The hash to sign with when `requested` is asked for — the PSMTP reference's
    /// `EnsureValidDSASignatureHashAlgorithm`. Call it before hashing (the one-pass packet,
    /// the hash context and the signature all name the result).
    ///
    /// - DSA uses the leftmost bits of the digest, as many as q has (FIPS 186-4 §4.6), so a
    ///   shorter digest is upgraded to the shortest SHA-2 hash that covers q: MD5 or SHA-1
    ///   with a 2048/224 key gives SHA-224, with a 2048/256 key SHA-256.
    /// - ECDSA wants a digest as long as the curve's order: a shorter one is replaced by
    ///   SHA-256 for P-256, secp256k1 and brainpoolP256r1, SHA-384 for P-384 and
    ///   brainpoolP384r1, SHA-512 for P-521 and brainpoolP512r1.
    /// - Every other key, an unknown hash, or a hash that is long enough: `requested`.
    func signatureHash(requested: HashAlgorithm) -> HashAlgorithm {
        Self.signatureHash(requested: requested, for: publicKey)
    }

    /// ``signatureHash(requested:)`` for any public key.
    static func signatureHash(requested: HashAlgorithm, for key: PublicKeyPacket) -> HashAlgorithm {
        guard let requestedSize = requested.digestSize else { return requested }
        let needed: HashAlgorithm
        switch key.parameters {
        case _ where !requested.isAllowed(for: key):
            // Native EdDSA and v6 keys: at least SHA-256, SHA-512 for Ed448 (RFC 9580 §5.2.3.4–5).
            needed = key.algorithm == .ed448 ? .sha512 : .sha256
        case .dsa(_, let q, _, _) where key.algorithm == .dsa:
            let trimmed = q.drop { $0 == 0 }
            let qBits = trimmed.first.map { (trimmed.count - 1) * 8 + 8 - $0.leadingZeroBitCount } ?? 0
            guard requestedSize * 8 < qBits else { return requested }
            let candidates: [HashAlgorithm] = [.sha224, .sha256, .sha384, .sha512]
            needed = candidates.first { ($0.digestSize ?? 0) * 8 >= qBits } ?? .sha512
        case .ecdsa(let curve, _) where key.algorithm == .ecdsa:
            switch curve {
            case .nistP256, .secp256k1, .brainpoolP256r1: needed = .sha256
            case .nistP384, .brainpoolP384r1: needed = .sha384
            case .nistP521, .brainpoolP512r1: needed = .sha512
            default: return requested
            }
        default:
            return requested
        }
        return requestedSize < (needed.digestSize ?? 0) ? needed : requested
    }

    /// Completes a signature whose data has already been fed into `context`.
    func finish(template: SignaturePacket, context: HashContext) throws -> SignaturePacket {
        context.update(template.hashTrailer)
        let digest = context.finalize()
        let values = try SignatureCrypto.sign(
            digest: digest, hash: template.hashAlgorithm, secret: secret, key: publicKey)
        return try SignaturePacket(
            version: template.version, type: template.type, publicKeyAlgorithm: template.publicKeyAlgorithm,
            hashAlgorithm: template.hashAlgorithm, hashedSubpackets: template.hashedSubpackets,
            unhashedSubpackets: template.unhashedSubpackets, hashPrefix: Array(digest.prefix(2)), salt: template.salt,
            signatureValues: values)
    }
}

extension SignaturePacket {
    /// Checks this signature over the data `feed` hashes, made by `key`.
    func verify(by key: PublicKeyPacket, feed: (HashContext) throws -> Void) throws -> Bool {
        let context = try makeHashContext()
        try feed(context)
        return try verify(by: key, context: context)
    }

    /// Checks this signature when the signed data is already in `context` (which began with
    /// ``salt``, as ``makeHashContext()`` makes it). A v6 key only makes v6 signatures, and
    /// a v4 key v4 ones (RFC 9580 §5.2.3).
    func verify(by key: PublicKeyPacket, context: HashContext) throws -> Bool {
        guard !hasUnknownCriticalSubpacket, creationTime != nil, (version == 6) == (key.version == 6),
            version != 6 || salt.count == hashAlgorithm.v6SaltSize
        else { return false }
        context.update(hashTrailer)
        let digest = context.finalize()
        guard digest.prefix(2).elementsEqual(hashPrefix) else { return false }
        return try SignatureCrypto.verify(
            digest: digest, values: signatureValues, algorithm: publicKeyAlgorithm, hash: hashAlgorithm, key: key)
    }
}

extension HashAlgorithm {
    /// Whether a signature by `key` may use this hash (RFC 9580 §5.2.3.4–5): v6 keys and
    /// native Ed25519 need a hash of at least 256 bits and never MD5, SHA-1 or RIPEMD-160;
    /// Ed448 needs at least 512 bits. Other keys: any hash.
    func isAllowed(for key: PublicKeyPacket) -> Bool {
        let size = digestSize ?? 0
        switch key.algorithm {
        case .ed448: return size >= 64 && v6SaltSize != nil
        case .ed25519: return size >= 32 && v6SaltSize != nil
        default: return key.version != 6 || v6SaltSize != nil
        }
    }
}
