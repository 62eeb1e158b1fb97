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
    ///   - version: `.v4` (the default) or `.v6`. A v6 key may have no user ID; its
    ///     preferences, key flags and expiry are in a direct-key signature (and on each user
    ///     ID's certification), and it announces SEIPDv2 and AEAD ciphersuites.
    public static func generate(
        userIDs: [String], type: KeyType = .curve25519, version: KeyVersion = .v4, creationDate: Date = Date(),
        validity: Duration? = nil
    ) throws -> SecretKey {
        guard version == .v6 || !userIDs.isEmpty else {
            throw OpenPGPError(.invalidArgument, "a v4 key needs at least one user ID")
        }
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

        let (primaryPublic, primarySecret, subkeyPublic, subkeySecret) = try makeKeyPairs(
            type, version: version.rawValue, created: created)
        return try assemble(
            userIDs: userIDs, primary: (primaryPublic, primarySecret), subkey: (subkeyPublic, subkeySecret),
            created: created,
            expiry: expiry)
    }

    /// The algorithm preferences of a new key; v6 keys also announce SEIPDv2 (feature 0x08)
    /// and their AEAD ciphersuites.
    private static func preferenceSubpackets(version: UInt8) -> [Subpacket] {
        var preferences: [Subpacket] = [
            Subpacket(.preferredSymmetricAlgorithms, [SymmetricAlgorithm.aes256, .aes192, .aes128].map(\.rawValue)),
            Subpacket(.preferredHashAlgorithms, [HashAlgorithm.sha512, .sha384, .sha256].map(\.rawValue)),
            Subpacket(
                .preferredCompressionAlgorithms,
                [CompressionAlgorithm.zlib, .zip, .bzip2, .uncompressed].map(\.rawValue)),
            Subpacket(.features, [version == 6 ? 0x09 : 0x01]),
        ]
        if version == 6 {
            let suites: [(SymmetricAlgorithm, AEADAlgorithm)] = [(.aes256, .ocb), (.aes128, .ocb)]
            preferences.append(
                Subpacket(.preferredAEADCiphersuites, suites.flatMap { [$0.0.rawValue, $0.1.rawValue] }))
        }
        return preferences
    }

    /// A key from a signing primary key pair and an encryption subkey pair: certifies the
    /// user IDs (the first as primary), binds the subkey and checks the self-signatures. A v6
    /// key also gets a direct-key signature with its flags and preferences. The user IDs must
    /// be valid.
    static func assemble(
        userIDs: [String], primary: (PublicKeyPacket, SecretParameters), subkey: (PublicKeyPacket, SecretParameters),
        created: UInt32, expiry: UInt32?
    ) throws -> SecretKey {
        let (primaryPublic, primarySecret) = primary
        let (subkeyPublic, subkeySecret) = subkey
        let signer = SigningKey(publicKey: primaryPublic, secret: primarySecret)
        let hash = signer.signatureHash(requested: .sha256)
        var primaryProperties: [Subpacket] = [.keyFlags([.certify, .sign])]
        primaryProperties += preferenceSubpackets(version: primaryPublic.version)
        if let expiry { primaryProperties.append(.keyExpiration(expiry)) }

        let certifications = try userIDs.enumerated().map { index, userID in
            let rawUserID = Array(userID.utf8)
            let primaryMark = index == 0 ? [Subpacket(.primaryUserID, [1])] : []
            let signature = try signer.makeSignature(
                type: .positiveCertification, hash: hash, creationTime: created,
                extraHashedSubpackets: primaryProperties + primaryMark
            ) {
                $0.update(primaryPublic.hashPrefix)
                $0.update(Certificate.userIDHashPrefix(rawUserID))
            }
            return KeyBlock.UserIDEntry(raw: rawUserID, signatures: [signature])
        }
        let directKeySignatures =
            primaryPublic.version == 6
            ? [
                try signer.makeSignature(
                    type: .directKey, hash: hash, creationTime: created, extraHashedSubpackets: primaryProperties
                ) { $0.update(primaryPublic.hashPrefix) }
            ] : []
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
        var block = KeyBlock(
            primary: .init(publicKey: primaryPublic, secret: primaryPacket, signatures: directKeySignatures))
        block.userIDs = certifications
        block.subkeys = [.init(publicKey: subkeyPublic, secret: subkeyPacket, signatures: [binding])]
        let certificate = try Certificate(block: block)
        guard certificate.primaryKey.isBound, certificate.subkeys.allSatisfy(\.isBound),
            certificate.userIDs.allSatisfy(\.isBound)
        else {
            throw OpenPGPError(.cryptoFailure, "a freshly generated key failed its own self-signature check")
        }
        return SecretKey(
            certificate: certificate,
            secrets: [primaryPublic.fingerprint: primaryPacket, subkeyPublic.fingerprint: subkeyPacket])
    }

    /// The primary (signing) and subkey (encryption) key pairs of a new key of `type`, as
    /// key packets of `version`.
    private static func makeKeyPairs(
        _ type: KeyType, version: UInt8, created: UInt32
    ) throws -> (PublicKeyPacket, SecretParameters, PublicKeyPacket, SecretParameters) {
        func packet(_ algorithm: PublicKeyAlgorithm, _ parameters: PublicKeyParameters) throws -> PublicKeyPacket {
            try PublicKeyPacket(version: version, creationTime: created, algorithm: algorithm, parameters: parameters)
        }
        switch type {
        case .curve25519 where version == 6:
            let seed = Ed25519.generateSeed()
            let scalar = X25519.generateSecret()
            return (
                try packet(.ed25519, .ed25519(publicKey: try Ed25519.publicKey(seed: seed))),
                .native(secret: seed),
                try packet(.x25519, .x25519(publicKey: try X25519.publicKey(secret: scalar))),
                .native(secret: scalar)
            )
        case .curve25519:
            let seed = Ed25519.generateSeed()
            let primary = try packet(
                .eddsaLegacy, .eddsaLegacy(curve: .ed25519, point: [0x40] + (try Ed25519.publicKey(seed: seed))))
            let scalar = X25519.generateSecret()
            let subkey = try packet(
                .ecdh,
                .ecdh(
                    curve: .curve25519, point: [0x40] + (try X25519.publicKey(secret: scalar)), kdfHash: .sha256,
                    kdfCipher: .aes128))
            return (primary, .eddsaLegacy(seed: seed), subkey, .curve25519(scalar: scalar))
        case .curve448:
            let signing = Ed448.generateSecret()
            let encryption = X448.generateSecret()
            return (
                try packet(.ed448, .ed448(publicKey: try Ed448.publicKey(secret: signing))),
                .native(secret: signing),
                try packet(.x448, .x448(publicKey: try X448.publicKey(of: try X448.privateKey(secret: encryption)))),
                .native(secret: encryption)
            )
        case .rsa(let bits):
            guard [2048, 3072, 4096].contains(bits), version == 4 || bits >= 3072 else {
                throw OpenPGPError(
                    .invalidArgument,
                    "RSA keys have \(version == 6 ? "3072 or 4096" : "2048, 3072 or 4096") bits, not \(bits)")
            }
            let primary = try RSAPrimitives.generate(bits: bits)
            let subkey = try RSAPrimitives.generate(bits: bits)
            return (
                try packet(.rsaEncryptOrSign, .rsa(n: primary.n, e: primary.e)),
                .rsa(primary.secret),
                try packet(.rsaEncryptOrSign, .rsa(n: subkey.n, e: subkey.e)),
                .rsa(subkey.secret)
            )
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
                try packet(.ecdsa, .ecdsa(curve: curve, point: signing.point)),
                .ecdsa(scalar: signing.scalar),
                try packet(
                    .ecdh, .ecdh(curve: curve, point: encryption.point, kdfHash: kdfHash, kdfCipher: kdfCipher)),
                .ecdh(scalar: encryption.scalar)
            )
        }
    }
}
