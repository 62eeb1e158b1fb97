/// A public-key encrypted session key packet (RFC 9580 §5.1), version 3 or 6.
///
/// Version 3 names the recipient by key ID (all zero: anonymous) and encrypts the message's
/// cipher with the session key; version 6 (for SEIPDv2) names it by key version and
/// fingerprint (or nothing: anonymous) and encrypts the bare session key.
struct PKESK: Sendable {
    let version: UInt8
    /// The recipient's key ID (v3; the wildcard when anonymous), or the one of its fingerprint (v6).
    let keyID: KeyID?
    /// The recipient's fingerprint (v6 only; nil when anonymous).
    let fingerprint: Fingerprint?
    let algorithm: PublicKeyAlgorithm
    /// The algorithm-specific encrypted session key.
    let fields: [UInt8]

    /// Reads a PKESK packet body; `offset` is where the body starts, for errors. Other
    /// versions are `unsupportedVersion`.
    static func parse(body: [UInt8], offset: Int) throws -> PKESK {
        let tag = PacketTag.publicKeyEncryptedSessionKey.rawValue
        var reader = ByteReader(body, baseOffset: offset, packetTag: tag)
        let version = try reader.readByte("the PKESK version")
        switch version {
        case 3:
            let keyID = KeyID(bytes: try reader.readBytes(8, "the recipient key ID"))
            let algorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the PKESK algorithm"))
            return PKESK(version: 3, keyID: keyID, fingerprint: nil, algorithm: algorithm, fields: reader.readRest())
        case 6:
            let length = Int(try reader.readByte("the recipient length"))
            var fingerprint: Fingerprint?
            if length != 0 {
                let keyVersion = try reader.readByte("the recipient key version")
                let bytes = try reader.readBytes(length - 1, "the recipient fingerprint")
                guard (keyVersion == 6 && bytes.count == 32) || (keyVersion == 4 && bytes.count == 20) else {
                    throw reader.malformed("a PKESK names a version \(keyVersion) key by \(bytes.count) bytes")
                }
                fingerprint = Fingerprint(bytes: bytes)
            }
            let algorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the PKESK algorithm"))
            return PKESK(
                version: 6, keyID: fingerprint?.keyID, fingerprint: fingerprint, algorithm: algorithm,
                fields: reader.readRest())
        default:
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) PKESK packets are not supported", offset: offset,
                packetTag: tag)
        }
    }

    /// Whether this packet may be for `component` (anonymous ones may be for any key of
    /// their algorithm).
    func isAddressed(to component: KeyComponent) -> Bool {
        guard component.algorithm == algorithm else { return false }
        if let fingerprint { return fingerprint == component.fingerprint }
        guard let keyID, keyID != .wildcard else { return true }
        return keyID == component.keyID
    }

    /// Decrypts the session key with the secret of `key`: `(cipher, key)` for v3, `(nil,
    /// key)` for v6 (the cipher comes from the SEIPDv2 packet). Every failure is
    /// `decryptionFailed`.
    func decrypt(with secret: SecretParameters, key: PublicKeyPacket) throws -> (SymmetricAlgorithm?, SecureBytes) {
        guard key.algorithm == algorithm else {
            throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        }
        return try SessionKeyCrypto.decrypt(fields: fields, with: secret, key: key, namesCipher: version == 3)
    }

    /// The body of a v6 PKESK carrying `sessionKey` to `key` (named by its fingerprint, or
    /// not at all when `anonymous`).
    static func makeV6(sessionKey: SecureBytes, to key: PublicKeyPacket, anonymous: Bool = false) throws -> [UInt8] {
        let fields = try SessionKeyCrypto.encrypt(sessionKey: sessionKey, cipher: nil, to: key)
        let fingerprint = key.fingerprint.bytes
        // A fingerprint has at most 32 bytes.
        let recipient = anonymous ? [0] : [UInt8(truncatingIfNeeded: fingerprint.count + 1), key.version] + fingerprint
        return [6] + recipient + [key.algorithm.rawValue] + fields
    }

    /// The body of a v3 PKESK carrying `sessionKey` for a message encrypted with `cipher` to
    /// `key` (named by key ID, or the wildcard when `anonymous`).
    static func makeV3(
        sessionKey: SecureBytes, cipher: SymmetricAlgorithm, to key: PublicKeyPacket, anonymous: Bool = false
    ) throws -> [UInt8] {
        let fields = try SessionKeyCrypto.encrypt(sessionKey: sessionKey, cipher: cipher, to: key)
        return [3] + (anonymous ? KeyID.wildcard : key.keyID).bytes + [key.algorithm.rawValue] + fields
    }
}
