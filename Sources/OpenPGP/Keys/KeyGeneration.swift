import Foundation

extension SecretKey {
    /// The algorithms a generated key can use.
    public enum KeyType: Sendable, Hashable {
        /// An Ed25519 (v4 EdDSA) primary key for certifying and signing, and a Curve25519
        /// (RFC 6637 ECDH) subkey for encryption.
        case curve25519
        /// An RSA primary key for certifying and signing and an RSA encryption subkey, both
        /// with a modulus of `bits` bits: 2048, 3072 or 4096.
        case rsa(bits: Int)
        /// An ECDSA primary key and an ECDH subkey (SHA-256, AES-128 key wrap) on NIST P-256.
        case nistP256
        /// An ECDSA primary key and an ECDH subkey (SHA-384, AES-192 key wrap) on NIST P-384.
        case nistP384
        /// An ECDSA primary key and an ECDH subkey (SHA-512, AES-256 key wrap) on NIST P-521.
        case nistP521
        /// An Ed448 primary key and an X448 subkey (RFC 9580's native algorithms 28 and 26).
        case curve448
    }

    /// The key packet version of a generated key.
    public enum KeyVersion: UInt8, Sendable, Hashable, CaseIterable {
        /// RFC 4880 keys, which every OpenPGP implementation reads.
        case v4 = 4
        /// RFC 9580 keys: SHA-256 fingerprints, salted signatures, preferences in a direct-key
        /// signature; read by RFC 9580 implementations only.
        case v6 = 6
    }

    /// Generates a new v4 key with one user ID.
    ///
    /// - Parameters:
    ///   - userID: usually `"Name <address>"`; must not be empty or contain NUL.
    ///   - type: the algorithms.
    ///   - creationDate: the key's creation time.
    ///   - validity: how long the key stays valid; nil for no expiry.
    public static func generate(
        userID: String, type: KeyType = .curve25519, creationDate: Date = Date(), validity: Duration? = nil
    ) throws -> SecretKey {
        try generate(userIDs: [userID], type: type, version: .v4, creationDate: creationDate, validity: validity)
    }

    /// Generates a new key with several user IDs; the first is the primary one.
    ///
    /// - Parameters:
    ///   - version: `.v4` (the default) or `.v6`. A v6 key may have no user ID.
    public static func generate(
        userIDs: [String], type: KeyType = .curve25519, version: KeyVersion = .v4, creationDate: Date = Date(),
        validity: Duration? = nil
    ) throws -> SecretKey {
        guard version == .v4, type != .curve448 else {
            throw OpenPGPError(.unsupportedVersion, "generating \(version) keys of type \(type) is not supported yet")
        }
        guard !userIDs.isEmpty else { throw OpenPGPError(.invalidArgument, "a key needs at least one user ID") }
        for userID in userIDs where userID.isEmpty || userID.utf8.contains(0) {
            throw OpenPGPError(.invalidArgument, "a user ID must be non-empty text without NUL")
        }
        let created = UInt32(openPGPTimestamp: creationDate)
        let expiry = try validity.map { duration -> UInt32 in
            let seconds = duration.components.seconds
            guard seconds > 0, seconds <= Int64(UInt32.max) else {
                throw OpenPGPError(.invalidArgument, "key validity must be between one second and 136 years")
            }
            return UInt32(seconds)
        }

        let (primaryPublic, primarySecret, subkeyPublic, subkeySecret) = try makeKeyPairs(type, created: created)
        return try assemble(
            userIDs: userIDs, primary: (primaryPublic, primarySecret), subkey: (subkeyPublic, subkeySecret),
            created: created,
            expiry: expiry)
    }

    /// A key from a signing primary key pair and an encryption subkey pair: certifies the
    /// user IDs (the first as primary), binds the subkey and checks the self-signatures.
    /// The user IDs must be valid.
    static func assemble(
        userIDs: [String], primary: (PublicKeyPacket, SecretParameters), subkey: (PublicKeyPacket, SecretParameters),
        created: UInt32, expiry: UInt32?
    ) throws -> SecretKey {
        let (primaryPublic, primarySecret) = primary
        let (subkeyPublic, subkeySecret) = subkey
        let signer = SigningKey(publicKey: primaryPublic, secret: primarySecret)
        let hash = signer.signatureHash(requested: .sha256)

        let certifications = try userIDs.enumerated().map { index, userID in
            let rawUserID = Array(userID.utf8)
            var preferences: [Subpacket] = [
                .keyFlags([.certify, .sign]),
                Subpacket(
                    .preferredSymmetricAlgorithms, [SymmetricAlgorithm.aes256, .aes192, .aes128].map(\.rawValue)),
                Subpacket(.preferredHashAlgorithms, [HashAlgorithm.sha512, .sha384, .sha256].map(\.rawValue)),
                Subpacket(
                    .preferredCompressionAlgorithms,
                    [CompressionAlgorithm.zlib, .zip, .bzip2, .uncompressed].map(\.rawValue)),
                Subpacket(.features, [0x01]),
            ]
            if index == 0 { preferences.append(Subpacket(.primaryUserID, [1])) }
            if let expiry { preferences.append(.keyExpiration(expiry)) }
            let signature = try signer.makeSignature(
                type: .positiveCertification, hash: hash, creationTime: created, extraHashedSubpackets: preferences
            ) {
                $0.update(primaryPublic.hashPrefix)
                $0.update(Certificate.userIDHashPrefix(rawUserID))
            }
            return KeyBlock.UserIDEntry(raw: rawUserID, signatures: [signature])
        }
        var bindingSubpackets: [Subpacket] = [.keyFlags(.encrypt)]
        if let expiry { bindingSubpackets.append(.keyExpiration(expiry)) }
        let binding = try signer.makeSignature(
            type: .subkeyBinding, hash: hash, creationTime: created, extraHashedSubpackets: bindingSubpackets
        ) {
            $0.update(primaryPublic.hashPrefix)
            $0.update(subkeyPublic.hashPrefix)
        }

        let primaryPacket = SecretKeyPacket(publicKey: primaryPublic, parameters: primarySecret)
        let subkeyPacket = SecretKeyPacket(publicKey: subkeyPublic, parameters: subkeySecret)
        var block = KeyBlock(primary: .init(publicKey: primaryPublic, secret: primaryPacket))
        block.userIDs = certifications
        block.subkeys = [.init(publicKey: subkeyPublic, secret: subkeyPacket, signatures: [binding])]
        let certificate = try Certificate(block: block)
        guard certificate.primaryKey.isBound, certificate.subkeys.allSatisfy(\.isBound) else {
            throw OpenPGPError(.cryptoFailure, "a freshly generated key failed its own self-signature check")
        }
        return SecretKey(
            certificate: certificate,
            secrets: [primaryPublic.fingerprint: primaryPacket, subkeyPublic.fingerprint: subkeyPacket])
    }

    /// The primary (signing) and subkey (encryption) key pairs of a new key of `type`.
    private static func makeKeyPairs(
        _ type: KeyType, created: UInt32
    ) throws -> (PublicKeyPacket, SecretParameters, PublicKeyPacket, SecretParameters) {
        switch type {
        case .curve25519:
            let seed = Ed25519.generateSeed()
            let primary = try PublicKeyPacket(
                creationTime: created, algorithm: .eddsaLegacy,
                parameters: .eddsaLegacy(curve: .ed25519, point: [0x40] + (try Ed25519.publicKey(seed: seed))))
            let scalar = X25519.generateSecret()
            let subkey = try PublicKeyPacket(
                creationTime: created, algorithm: .ecdh,
                parameters: .ecdh(
                    curve: .curve25519, point: [0x40] + (try X25519.publicKey(secret: scalar)), kdfHash: .sha256,
                    kdfCipher: .aes128))
            return (primary, .eddsaLegacy(seed: seed), subkey, .curve25519(scalar: scalar))
        case .rsa(let bits):
            guard [2048, 3072, 4096].contains(bits) else {
                throw OpenPGPError(.invalidArgument, "RSA keys have 2048, 3072 or 4096 bits, not \(bits)")
            }
            let primary = try RSAPrimitives.generate(bits: bits)
            let subkey = try RSAPrimitives.generate(bits: bits)
            return (
                try PublicKeyPacket(
                    creationTime: created, algorithm: .rsaEncryptOrSign, parameters: .rsa(n: primary.n, e: primary.e)),
                .rsa(primary.secret),
                try PublicKeyPacket(
                    creationTime: created, algorithm: .rsaEncryptOrSign, parameters: .rsa(n: subkey.n, e: subkey.e)),
                .rsa(subkey.secret)
            )
        case .curve448:
            throw OpenPGPError(.unsupportedAlgorithm, "Ed448/X448 keys are not supported yet")
        case .nistP256, .nistP384, .nistP521:
            // RFC 6637 §13: the KDF hash and key-wrap cipher grow with the curve.
            let (curve, kdfHash, kdfCipher): (Curve, HashAlgorithm, SymmetricAlgorithm) =
                switch type {
                case .nistP384: (.nistP384, .sha384, .aes192)
                case .nistP521: (.nistP521, .sha512, .aes256)
                default: (.nistP256, .sha256, .aes128)
                }
            let group = try WeierstrassCurve(curve)
            let signing = try group.generate()
            let encryption = try group.generate()
            return (
                try PublicKeyPacket(
                    creationTime: created, algorithm: .ecdsa, parameters: .ecdsa(curve: curve, point: signing.point)),
                .ecdsa(scalar: signing.scalar),
                try PublicKeyPacket(
                    creationTime: created, algorithm: .ecdh,
                    parameters: .ecdh(curve: curve, point: encryption.point, kdfHash: kdfHash, kdfCipher: kdfCipher)),
                .ecdh(scalar: encryption.scalar)
            )
        }
    }
}
