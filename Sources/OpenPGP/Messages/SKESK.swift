/// Symmetric-key encrypted session keys (RFC 9580 §5.3): version 4 (CFB, before SEIPDv1) and
/// version 6 (AEAD, before SEIPDv2); the PSMTP `SymmetricPassphrase`.
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

    /// A v6 SKESK packet body (RFC 9580 §5.3.2) carrying `sessionKey` for a SEIPDv2 packet:
    /// the session key sealed with `mode` under HKDF-SHA256(S2K output, info = the packet
    /// header octets), the key-encryption cipher being the message's own.
    static func makeV6(
        sessionKey: SecureBytes, messageCipher: SymmetricAlgorithm, mode: AEADAlgorithm, passphrase: SecureBytes,
        kdf: PassphraseKDF = .iteratedAndSalted
    ) throws -> [UInt8] {
        guard let keySize = messageCipher.keySize, let nonceSize = mode.nonceSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "\(mode) with \(messageCipher) is not supported")
        }
        let s2k = try kdf.s2k()
        let info = v6Info(cipher: messageCipher, mode: mode)
        var derived = try s2k.deriveKey(passphrase: passphrase, keySize: keySize).bytes
        defer { wipe(&derived) }
        let kek = try HKDF.derive(.sha256, secret: derived, info: info, count: keySize)
        let nonce = secureRandomBytes(nonceSize)
        var plain = sessionKey.bytes
        defer { wipe(&plain) }
        let sealed = try AEADCipher(mode, algorithm: messageCipher, key: kek).seal(
            nonce: nonce, associatedData: info, plaintext: plain)
        let specifier = s2k.serialized
        let fields: [UInt8] = [messageCipher.rawValue, mode.rawValue, UInt8(specifier.count)] + specifier + nonce
        return [6, UInt8(fields.count)] + fields + sealed
    }

    /// The HKDF info and associated data of a v6 SKESK: its packet header octets.
    private static func v6Info(cipher: SymmetricAlgorithm, mode: AEADAlgorithm) -> [UInt8] {
        [0xC3, 6, cipher.rawValue, mode.rawValue]
    }

    /// The encrypted data packet SKESKs precede, which decides the SKESK versions that count
    /// (RFC 9580 §5.3: v4 before SEIPDv1, v6 before SEIPDv2; GnuPG writes v5 before its AEAD
    /// packet) and, for the AEAD containers, the cipher their session keys are for.
    enum Container {
        case seipdV1
        case seipdV2(SymmetricAlgorithm)
        case gnupgAEAD(SymmetricAlgorithm)

        var versions: [UInt8] {
            switch self {
            case .seipdV1: [4]
            case .seipdV2: [6]
            case .gnupgAEAD: [4, 5]
            }
        }

        /// The PKESK version that goes with this container (RFC 9580 §10.3.2.1).
        var pkeskVersion: UInt8 {
            switch self {
            case .seipdV2: 6
            case .seipdV1, .gnupgAEAD: 3
            }
        }

        var cipher: SymmetricAlgorithm? {
            switch self {
            case .seipdV1: nil
            case .seipdV2(let cipher), .gnupgAEAD(let cipher): cipher
            }
        }
    }

    /// Every plausible session key `passphrases` give for the SKESK `packets` (each body and
    /// its offset) of the versions `container` takes, in packet order, within `limits`: more
    /// packets than allowed, or S2K work beyond the budget, throw `workLimitExceeded` before
    /// any (further) derivation. Keys from v5 and v6 packets get the container's cipher.
    static func sessionKeys(
        _ packets: [(body: [UInt8], offset: Int)], passphrases: [SecureBytes], limits: SessionKeyLimits,
        for container: Container = .seipdV1
    ) throws -> [SessionKey] {
        var budget = S2KBudget(limits)
        return try sessionKeys(packets, passphrases: passphrases, limits: limits, for: container, budget: &budget)
    }

    /// ``sessionKeys(_:passphrases:limits:)`` spending from `budget`, which shows the work done.
    static func sessionKeys(
        _ packets: [(body: [UInt8], offset: Int)], passphrases: [SecureBytes], limits: SessionKeyLimits,
        for container: Container = .seipdV1, budget: inout S2KBudget
    ) throws -> [SessionKey] {
        guard !passphrases.isEmpty else { return [] }
        guard packets.count <= limits.maxPassphrasePackets else {
            throw OpenPGPError(
                .workLimitExceeded,
                "the message has \(packets.count) passphrase-encrypted session keys; at most \(limits.maxPassphrasePackets) are tried",
                offset: packets.first?.offset, packetTag: PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        }
        var keys: [SessionKey] = []
        for packet in packets where container.versions.contains(packet.body.first ?? 0) {
            for passphrase in passphrases {
                guard
                    let recovered = try decrypt(
                        packet.body, offset: packet.offset, passphrase: passphrase, budget: &budget)
                else { continue }
                guard let cipher = recovered.cipher ?? container.cipher, cipher.keySize == recovered.key.count else {
                    continue
                }
                keys.append(try SessionKey(algorithm: cipher, key: recovered.key))
            }
        }
        return keys
    }

    /// ``decrypt(_:offset:passphrase:budget:)`` for one packet and passphrase, without a work limit.
    static func decrypt(
        _ body: [UInt8], offset: Int, passphrase: SecureBytes
    ) throws -> (cipher: SymmetricAlgorithm?, key: SecureBytes)? {
        var budget = S2KBudget(limit: .max)
        return try decrypt(body, offset: offset, passphrase: passphrase, budget: &budget)
    }

    /// The session key of a v4 or v6 SKESK if `passphrase` opens it, nil if it evidently
    /// does not. The S2K work is taken from `budget` first, which throws `workLimitExceeded`
    /// when it does not suffice. A v6 SKESK gives no cipher (its SEIPDv2 packet names it).
    ///
    /// Without an encrypted session key (v4 only) the derived key *is* the session key; a
    /// wrong passphrase then only shows when the data fails its integrity check. A v6 SKESK
    /// always carries an authenticated session key, so a key it gives is certain.
    static func decrypt(
        _ body: [UInt8], offset: Int, passphrase: SecureBytes, budget: inout S2KBudget
    ) throws -> (cipher: SymmetricAlgorithm?, key: SecureBytes)? {
        var reader = ByteReader(body, baseOffset: offset, packetTag: PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        let version = try reader.readByte("the SKESK version")
        if version == 5 || version == 6 {
            return try decryptAEAD(&reader, version: version, offset: offset, passphrase: passphrase, budget: &budget)
        }
        guard version == 4 else {
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) SKESK packets are not supported", offset: offset,
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
    /// The rest of a v6 SKESK (RFC 9580 §5.3.2) after its version: field count, cipher, AEAD
    /// mode, S2K length and specifier, nonce, encrypted session key and tag. Or of GnuPG's v5
    /// SKESK (draft-koch-librepgp), the same without the two length octets, whose key is the
    /// S2K output itself rather than HKDF of it.
    private static func decryptAEAD(
        _ reader: inout ByteReader, version: UInt8, offset: Int, passphrase: SecureBytes, budget: inout S2KBudget
    ) throws -> (cipher: SymmetricAlgorithm?, key: SecureBytes)? {
        let fieldsLength = version == 6 ? Int(try reader.readByte("the SKESK field length")) : nil
        let fieldsStart = reader.absoluteOffset
        let cipher = SymmetricAlgorithm(rawValue: try reader.readByte("the SKESK cipher"))
        let mode = AEADAlgorithm(rawValue: try reader.readByte("the SKESK AEAD algorithm"))
        let s2k: S2K
        if version == 6 {
            let s2kLength = Int(try reader.readByte("the S2K length"))
            let s2kBytes = try reader.readBytes(s2kLength, "the S2K specifier")
            var s2kReader = ByteReader(
                s2kBytes, baseOffset: reader.absoluteOffset - s2kLength, packetTag: reader.packetTag)
            s2k = try S2K(reading: &s2kReader)
            guard s2kReader.isAtEnd else { throw s2kReader.malformed("the S2K specifier is longer than its contents") }
        } else {
            s2k = try S2K(reading: &reader)
        }
        guard let nonceSize = mode.nonceSize, let tagSize = mode.tagSize else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "SKESK AEAD algorithm \(mode.rawValue) is not supported", offset: offset,
                packetTag: reader.packetTag)
        }
        let nonce = try reader.readBytes(nonceSize, "the SKESK nonce")
        if let fieldsLength, reader.absoluteOffset - fieldsStart != fieldsLength {
            throw reader.malformed("the SKESK field length \(fieldsLength) does not match its fields")
        }
        let sealed = reader.readRest()
        guard let keySize = cipher.keySize, cipher.supportsAEAD(mode) else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "SKESK \(mode) with \(cipher) is not supported", offset: offset,
                packetTag: reader.packetTag)
        }
        guard sealed.count > tagSize else { throw reader.malformed("the SKESK has no encrypted session key") }
        var derived: [UInt8]
        do {
            derived = try budget.deriveKey(s2k, passphrase: passphrase, keySize: keySize).bytes
        } catch var error as OpenPGPError {
            error.offset = error.offset ?? offset
            error.packetTag = reader.packetTag
            throw error
        }
        defer { wipe(&derived) }
        let info: [UInt8] = [0xC3, version, cipher.rawValue, mode.rawValue]
        let kek =
            version == 6
            ? try HKDF.derive(.sha256, secret: derived, info: info, count: keySize) : SecureBytes(derived)
        do {
            var key = try AEADCipher(mode, algorithm: cipher, key: kek).open(
                nonce: nonce, associatedData: info, sealed: sealed)
            defer { wipe(&key) }
            return (nil, SecureBytes(key))
        } catch let error as OpenPGPError where error.code == .integrityCheckFailed {
            // The wrong passphrase (or a modified packet).
            return nil
        }
    }
}
