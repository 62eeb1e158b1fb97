import Foundation

extension SecretKey {
    /// The algorithms a generated key can use.
    public enum KeyType: Sendable, Hashable {
        /// An Ed25519 (v4 EdDSA) primary key for certifying and signing, and a Curve25519
        /// (RFC 6637 ECDH) subkey for encryption.
        case curve25519
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
        guard !userID.isEmpty, !userID.utf8.contains(0) else {
            throw OpenPGPError(.invalidArgument, "a user ID must be non-empty text without NUL")
        }
        let created = UInt32(clamping: Int64(creationDate.timeIntervalSince1970))
        let expiry = try validity.map { duration -> UInt32 in
            let seconds = duration.components.seconds
            guard seconds > 0, seconds <= Int64(UInt32.max) else {
                throw OpenPGPError(.invalidArgument, "key validity must be between one second and 136 years")
            }
            return UInt32(seconds)
        }

        let seed = Ed25519.generateSeed()
        let primaryPublic = PublicKeyPacket(
            creationTime: created, algorithm: .eddsaLegacy,
            parameters: .eddsaLegacy(curve: .ed25519, point: [0x40] + (try Ed25519.publicKey(seed: seed))))
        let primarySecret = SecretParameters.eddsaLegacy(seed: seed)
        let signer = SigningKey(publicKey: primaryPublic, secret: primarySecret)

        let scalar = X25519.generateSecret()
        let subkeyPublic = PublicKeyPacket(
            creationTime: created, algorithm: .ecdh,
            parameters: .ecdh(curve: .curve25519, point: [0x40] + (try X25519.publicKey(secret: scalar)), kdfHash: .sha256, kdfCipher: .aes128))
        let subkeySecret = SecretParameters.curve25519(scalar: scalar)

        let rawUserID = Array(userID.utf8)
        var preferences: [Subpacket] = [
            .keyFlags([.certify, .sign]),
            Subpacket(.preferredSymmetricAlgorithms, [SymmetricAlgorithm.aes256, .aes192, .aes128].map(\.rawValue)),
            Subpacket(.preferredHashAlgorithms, [HashAlgorithm.sha512, .sha384, .sha256].map(\.rawValue)),
            Subpacket(.preferredCompressionAlgorithms, [CompressionAlgorithm.zlib, .zip, .uncompressed].map(\.rawValue)),
            Subpacket(.features, [0x01]),
            Subpacket(.primaryUserID, [1]),
        ]
        if let expiry { preferences.append(.keyExpiration(expiry)) }
        let certification = try signer.makeSignature(
            type: .positiveCertification, hash: .sha256, creationTime: created, extraHashedSubpackets: preferences
        ) {
            $0.update(primaryPublic.hashPrefix)
            $0.update(Certificate.userIDHashPrefix(rawUserID))
        }
        var bindingSubpackets: [Subpacket] = [.keyFlags(.encrypt)]
        if let expiry { bindingSubpackets.append(.keyExpiration(expiry)) }
        let binding = try signer.makeSignature(
            type: .subkeyBinding, hash: .sha256, creationTime: created, extraHashedSubpackets: bindingSubpackets
        ) {
            $0.update(primaryPublic.hashPrefix)
            $0.update(subkeyPublic.hashPrefix)
        }

        let primaryPacket = SecretKeyPacket(publicKey: primaryPublic, parameters: primarySecret)
        let subkeyPacket = SecretKeyPacket(publicKey: subkeyPublic, parameters: subkeySecret)
        var block = KeyBlock(primary: .init(publicKey: primaryPublic, secret: primaryPacket))
        block.userIDs = [.init(raw: rawUserID, signatures: [certification])]
        block.subkeys = [.init(publicKey: subkeyPublic, secret: subkeyPacket, signatures: [binding])]
        let certificate = try Certificate(block: block)
        guard certificate.primaryKey.isBound, certificate.subkeys.allSatisfy(\.isBound) else {
            throw OpenPGPError(.cryptoFailure, "a freshly generated key failed its own self-signature check")
        }
        return SecretKey(
            certificate: certificate,
            secrets: [primaryPublic.fingerprint: primaryPacket, subkeyPublic.fingerprint: subkeyPacket])
    }
}
