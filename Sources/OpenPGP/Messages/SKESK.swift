/// Symmetric-key encrypted session keys, version 4 (RFC 9580 §5.3): the PSMTP
/// `SymmetricPassphrase`.
enum SKESK {
    /// The cipher that protects the session key inside the packet.
    static let cipher = SymmetricAlgorithm.aes256

    /// A v4 SKESK packet body carrying `sessionKey` (for `messageCipher`), encrypted with a
    /// key derived from `passphrase` (iterated and salted SHA-256 S2K).
    static func make(sessionKey: SecureBytes, messageCipher: SymmetricAlgorithm, passphrase: SecureBytes) throws -> [UInt8] {
        let s2k = S2K.iteratedAndSalted()
        let kek = try s2k.deriveKey(passphrase: passphrase, keySize: cipher.keySize ?? 32)
        var plain = sessionKey.withUnsafeBytes { [messageCipher.rawValue] + Array($0) }
        defer { wipe(&plain) }
        let encrypted = try CFBCipher(cipher, key: kek, encrypting: true).update(plain)
        return [4, cipher.rawValue] + s2k.serialized + encrypted
    }

    /// The session key of a v4 SKESK if `passphrase` opens it, nil if it evidently does not.
    ///
    /// Without an encrypted session key the derived key *is* the session key; a wrong
    /// passphrase then only shows when the data fails its integrity check.
    static func decrypt(_ body: [UInt8], offset: Int, passphrase: SecureBytes) throws -> (cipher: SymmetricAlgorithm, key: SecureBytes)? {
        var reader = ByteReader(body, baseOffset: offset, packetTag: PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        let version = try reader.readByte("the SKESK version")
        guard version == 4 else {
            throw OpenPGPError(.unsupportedVersion, "version \(version) SKESK packets are not supported yet", offset: offset, packetTag: reader.packetTag)
        }
        let cipher = SymmetricAlgorithm(rawValue: try reader.readByte("the SKESK cipher"))
        let s2k = try S2K(reading: &reader)
        guard let keySize = cipher.keySize else {
            throw OpenPGPError(.unsupportedAlgorithm, "SKESK cipher \(cipher) is not supported", offset: offset)
        }
        let derived = try s2k.deriveKey(passphrase: passphrase, keySize: keySize)
        let encrypted = reader.readRest()
        guard !encrypted.isEmpty else { return (cipher, derived) }
        var plain = try CFBCipher(cipher, key: derived, encrypting: false).update(encrypted)
        defer { wipe(&plain) }
        let messageCipher = SymmetricAlgorithm(rawValue: plain[0])
        guard let size = messageCipher.keySize, plain.count == size + 1 else { return nil }
        return (messageCipher, SecureBytes(plain[1...]))
    }
}
