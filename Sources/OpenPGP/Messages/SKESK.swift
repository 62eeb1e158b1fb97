/// Symmetric-key encrypted session keys, version 4 (RFC 9580 §5.3): the PSMTP
/// `SymmetricPassphrase`.
enum SKESK {
    /// The cipher that protects the session key inside the packet.
    static let cipher = SymmetricAlgorithm.aes256

    /// A v4 SKESK packet body carrying `sessionKey` (for `messageCipher`), encrypted with a
    /// key derived from `passphrase` by `kdf` (by default iterated and salted SHA-256 S2K).
    static func make(
        sessionKey: SecureBytes, messageCipher: SymmetricAlgorithm, passphrase: SecureBytes,
        kdf: PassphraseKDF = .iteratedAndSalted
    ) throws -> [UInt8] {
        let s2k = try kdf.s2k()
        let kek = try s2k.deriveKey(passphrase: passphrase, keySize: cipher.keySize ?? 32)
        var plain = sessionKey.withUnsafeBytes { [messageCipher.rawValue] + Array($0) }
        defer { wipe(&plain) }
        let encrypted = try CFBCipher(cipher, key: kek, encrypting: true).update(plain)
        return [4, cipher.rawValue] + s2k.serialized + encrypted
    }

    /// Every plausible session key `passphrases` give for the SKESK `packets` (each body and
    /// its offset), in packet order, within `limits`: more packets than allowed, or S2K work
    /// beyond the budget, throw `workLimitExceeded` before any (further) derivation.
    static func sessionKeys(
        _ packets: [(body: [UInt8], offset: Int)], passphrases: [SecureBytes], limits: SessionKeyLimits
    ) throws -> [SessionKey] {
        var budget = S2KBudget(limits)
        return try sessionKeys(packets, passphrases: passphrases, limits: limits, budget: &budget)
    }

    /// ``sessionKeys(_:passphrases:limits:)`` spending from `budget`, which shows the work done.
    static func sessionKeys(
        _ packets: [(body: [UInt8], offset: Int)], passphrases: [SecureBytes], limits: SessionKeyLimits,
        budget: inout S2KBudget
    ) throws -> [SessionKey] {
        guard !passphrases.isEmpty else { return [] }
        guard packets.count <= limits.maxPassphrasePackets else {
            throw OpenPGPError(
                .workLimitExceeded,
                "the message has \(packets.count) passphrase-encrypted session keys; at most \(limits.maxPassphrasePackets) are tried",
                offset: packets.first?.offset, packetTag: PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        }
        var keys: [SessionKey] = []
        for packet in packets {
            for passphrase in passphrases {
                if let recovered = try decrypt(
                    packet.body, offset: packet.offset, passphrase: passphrase, budget: &budget)
                {
                    keys.append(try SessionKey(algorithm: recovered.cipher, key: recovered.key))
                }
            }
        }
        return keys
    }

    /// ``decrypt(_:offset:passphrase:budget:)`` for one packet and passphrase, without a work limit.
    static func decrypt(
        _ body: [UInt8], offset: Int, passphrase: SecureBytes
    ) throws -> (cipher: SymmetricAlgorithm, key: SecureBytes)? {
        var budget = S2KBudget(limit: .max)
        return try decrypt(body, offset: offset, passphrase: passphrase, budget: &budget)
    }

    /// The session key of a v4 SKESK if `passphrase` opens it, nil if it evidently does not.
    /// The S2K work is taken from `budget` first, which throws `workLimitExceeded` when it
    /// does not suffice.
    ///
    /// Without an encrypted session key the derived key *is* the session key; a wrong
    /// passphrase then only shows when the data fails its integrity check.
    static func decrypt(
        _ body: [UInt8], offset: Int, passphrase: SecureBytes, budget: inout S2KBudget
    ) throws -> (cipher: SymmetricAlgorithm, key: SecureBytes)? {
        var reader = ByteReader(body, baseOffset: offset, packetTag: PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        let version = try reader.readByte("the SKESK version")
        guard version == 4 else {
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) SKESK packets are not supported yet", offset: offset,
                packetTag: reader.packetTag)
        }
        let cipher = SymmetricAlgorithm(rawValue: try reader.readByte("the SKESK cipher"))
        let s2k = try S2K(reading: &reader)
        guard let keySize = cipher.keySize else {
            throw OpenPGPError(.unsupportedAlgorithm, "SKESK cipher \(cipher) is not supported", offset: offset)
        }
        let derived: SecureBytes
        do {
            derived = try budget.deriveKey(s2k, passphrase: passphrase, keySize: keySize)
        } catch var error as OpenPGPError {
            error.offset = error.offset ?? offset
            error.packetTag = reader.packetTag
            throw error
        }
        let encrypted = reader.readRest()
        guard !encrypted.isEmpty else { return (cipher, derived) }
        var plain = try CFBCipher(cipher, key: derived, encrypting: false).update(encrypted)
        defer { wipe(&plain) }
        let messageCipher = SymmetricAlgorithm(rawValue: plain[0])
        guard let size = messageCipher.keySize, plain.count == size + 1 else { return nil }
        return (messageCipher, SecureBytes(plain[1...]))
    }
}
