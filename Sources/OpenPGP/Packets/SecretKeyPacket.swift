/// How the secret part of a secret key packet is stored (RFC 9580 §5.5.3).
enum SecretKeyProtection: Sendable, Hashable {
    case unprotected
    /// CFB-encrypted. `usage` is 254 (SHA-1 integrity check), 255 (two-byte checksum) or,
    /// for legacy keys, the cipher itself (simple MD5 S2K, two-byte checksum).
    case encrypted(usage: UInt8, cipher: SymmetricAlgorithm, s2k: S2K, iv: [UInt8])
    /// Usage 253: sealed with `mode` under a key from HKDF-SHA256 over the S2K output, bound
    /// to the packet type (`packetTag`) and the public key (RFC 9580 §5.5.3).
    case aead(cipher: SymmetricAlgorithm, mode: AEADAlgorithm, s2k: S2K, nonce: [UInt8], packetTag: UInt8)
}

/// How a secret is protected when it is written with a passphrase. The default is what
/// `SecretKey.serialized(passphrase:)` writes: AES-256, iterated and salted SHA-256 S2K,
/// SHA-1 check. The other forms exist so tests can write everything readers meet.
struct SecretKeyProtectionSettings: Sendable, Hashable {
    /// The S2K usage octet to write.
    enum Usage: Sendable, Hashable {
        /// 254: an S2K specifier, and a SHA-1 hash of the secret.
        case sha1Check
        /// 255: an S2K specifier, and a two-byte checksum.
        case checksum
        /// The cipher identifier itself: simple MD5 S2K, two-byte checksum (RFC 9580 forbids
        /// writing it; readers still meet it).
        case legacy
        /// 253: sealed with an AEAD mode, the S2K being `argon2` when given (RFC 9580's
        /// recommendation), else iterated and salted.
        case aead(AEADAlgorithm)
    }

    var usage: Usage = .sha1Check
    var cipher: SymmetricAlgorithm = .aes256
    /// Ignored for `.legacy`, which implies simple MD5.
    var s2kKind: S2K.Kind = .iteratedAndSalted
    var s2kHash: HashAlgorithm = .sha256
    var codedCount: UInt8 = 0xF0
    /// Argon2 parameters for `.aead`; nil for iterated and salted S2K.
    var argon2: S2K.Argon2Parameters?
}

/// A secret key or subkey packet: the public key, and its secret part either still encrypted
/// or decoded.
struct SecretKeyPacket: Sendable {
    let publicKey: PublicKeyPacket
    let protection: SecretKeyProtection
    /// The encrypted secret part, when protected (not secret without the passphrase).
    let encryptedData: [UInt8]
    /// The decoded secret, when unprotected or unlocked.
    let parameters: SecretParameters?
    /// Where the packet started, for error messages.
    let offset: Int

    init(publicKey: PublicKeyPacket, parameters: SecretParameters) {
        self.publicKey = publicKey
        self.protection = .unprotected
        self.encryptedData = []
        self.parameters = parameters
        self.offset = 0
    }

    private init(
        publicKey: PublicKeyPacket, protection: SecretKeyProtection, encryptedData: [UInt8],
        parameters: SecretParameters?, offset: Int
    ) {
        self.publicKey = publicKey
        self.protection = protection
        self.encryptedData = encryptedData
        self.parameters = parameters
        self.offset = offset
    }

    init(body: [UInt8], offset: Int, tag: PacketTag) throws {
        var reader = ByteReader(body, baseOffset: offset, packetTag: tag.rawValue)
        let publicKey = try PublicKeyPacket(reading: &reader)
        self.publicKey = publicKey
        self.offset = offset
        let usage = try reader.readByte("the S2K usage")
        if publicKey.version == 6 {
            (protection, encryptedData, parameters) = try Self.readV6Secret(
                usage: usage, &reader, publicKey: publicKey, offset: offset, tag: tag)
            return
        }
        switch usage {
        case 0:
            var cleartext = reader.readRest()
            defer { wipe(&cleartext) }
            guard cleartext.count >= 2 else { throw reader.truncated("the secret key material") }
            let material = Array(cleartext.dropLast(2))
            guard secretChecksum(material) == Array(cleartext.suffix(2)) else {
                throw OpenPGPError(
                    .malformedPacket, "the checksum of an unprotected secret key is wrong", offset: offset,
                    packetTag: tag.rawValue)
            }
            protection = .unprotected
            encryptedData = []
            parameters = try SecretParameters.parse(material, for: publicKey, offset: offset)
        case 254, 255:
            let cipher = SymmetricAlgorithm(rawValue: try reader.readByte("the protection cipher"))
            let s2k = try S2K(reading: &reader)
            guard s2k.kind != .argon2 else {
                throw OpenPGPError(
                    .malformedPacket, "Argon2 S2K protects secret keys only with AEAD (S2K usage 253), not \(usage)",
                    offset: offset, packetTag: tag.rawValue)
            }
            if s2k.kind == .gnuDummy {
                protection = .encrypted(usage: usage, cipher: cipher, s2k: s2k, iv: [])
                encryptedData = reader.readRest()
                parameters = nil
                return
            }
            let iv = try reader.readBytes(try Self.blockSize(cipher, offset: offset, tag: tag), "the protection IV")
            protection = .encrypted(usage: usage, cipher: cipher, s2k: s2k, iv: iv)
            encryptedData = reader.readRest()
            parameters = nil
        case 253:
            let cipher = SymmetricAlgorithm(rawValue: try reader.readByte("the protection cipher"))
            let mode = AEADAlgorithm(rawValue: try reader.readByte("the protection AEAD mode"))
            let s2k = try S2K(reading: &reader)
            let nonce = try reader.readBytes(try Self.nonceSize(mode, offset: offset, tag: tag), "the protection nonce")
            protection = .aead(cipher: cipher, mode: mode, s2k: s2k, nonce: nonce, packetTag: tag.rawValue)
            encryptedData = reader.readRest()
            parameters = nil
        default:
            // Legacy CFB: the usage octet is the cipher, the key its MD5 simple S2K.
            let cipher = SymmetricAlgorithm(rawValue: usage)
            let iv = try reader.readBytes(try Self.blockSize(cipher, offset: offset, tag: tag), "the protection IV")
            protection = .encrypted(usage: usage, cipher: cipher, s2k: .legacyMD5, iv: iv)
            encryptedData = reader.readRest()
            parameters = nil
        }
    }

    /// The secret part of a v6 key (RFC 9580 §5.5.3): unprotected without a checksum, or
    /// usage 254 with a count of the S2K fields and a count of the S2K specifier. Usage 255
    /// and the legacy cipher-octet form are not allowed for v6 keys.
    private static func readV6Secret(
        usage: UInt8, _ reader: inout ByteReader, publicKey: PublicKeyPacket, offset: Int, tag: PacketTag
    ) throws -> (SecretKeyProtection, [UInt8], SecretParameters?) {
        switch usage {
        case 0:
            var material = reader.readRest()
            defer { wipe(&material) }
            return (.unprotected, [], try SecretParameters.parse(material, for: publicKey, offset: offset))
        case 254:
            var fields = try countedFields(&reader, tag: tag)
            let cipher = SymmetricAlgorithm(rawValue: try fields.readByte("the protection cipher"))
            let s2k = try countedSpecifier(&fields, tag: tag)
            let iv =
                s2k.kind == .gnuDummy
                ? [] : try fields.readBytes(try blockSize(cipher, offset: offset, tag: tag), "the protection IV")
            guard fields.isAtEnd else { throw fields.malformed("the S2K fields are longer than they should be") }
            return (.encrypted(usage: usage, cipher: cipher, s2k: s2k, iv: iv), reader.readRest(), nil)
        case 253:
            var fields = try countedFields(&reader, tag: tag)
            let cipher = SymmetricAlgorithm(rawValue: try fields.readByte("the protection cipher"))
            let mode = AEADAlgorithm(rawValue: try fields.readByte("the protection AEAD mode"))
            let s2k = try countedSpecifier(&fields, tag: tag)
            let nonce = try fields.readBytes(try nonceSize(mode, offset: offset, tag: tag), "the protection nonce")
            guard fields.isAtEnd else { throw fields.malformed("the S2K fields are longer than they should be") }
            return (
                .aead(cipher: cipher, mode: mode, s2k: s2k, nonce: nonce, packetTag: tag.rawValue), reader.readRest(),
                nil
            )
        default:
            throw OpenPGPError(
                .malformedPacket, "a version 6 secret key cannot use S2K usage \(usage)", offset: offset,
                packetTag: tag.rawValue)
        }
    }

    /// The S2K parameter fields of a v6 key, behind their one-octet count.
    private static func countedFields(_ reader: inout ByteReader, tag: PacketTag) throws -> ByteReader {
        let count = Int(try reader.readByte("the S2K fields length"))
        return ByteReader(
            try reader.readBytes(count, "the S2K fields"), baseOffset: reader.absoluteOffset - count,
            packetTag: tag.rawValue)
    }

    /// An S2K specifier behind its one-octet length, which it must fill exactly.
    private static func countedSpecifier(_ fields: inout ByteReader, tag: PacketTag) throws -> S2K {
        let length = Int(try fields.readByte("the S2K specifier length"))
        var specifier = ByteReader(
            try fields.readBytes(length, "the S2K specifier"), baseOffset: fields.absoluteOffset - length,
            packetTag: tag.rawValue)
        let s2k = try S2K(reading: &specifier)
        guard specifier.isAtEnd else { throw specifier.malformed("the S2K specifier is longer than its fields") }
        return s2k
    }

    private static func blockSize(_ cipher: SymmetricAlgorithm, offset: Int, tag: PacketTag) throws -> Int {
        guard let blockSize = cipher.blockSize else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "secret key protected with unknown cipher \(cipher.rawValue)", offset: offset,
                packetTag: tag.rawValue)
        }
        return blockSize
    }

    private static func nonceSize(_ mode: AEADAlgorithm, offset: Int, tag: PacketTag) throws -> Int {
        guard let nonceSize = mode.nonceSize else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "secret key protected with unknown AEAD mode \(mode.rawValue)", offset: offset,
                packetTag: tag.rawValue)
        }
        return nonceSize
    }

    /// The usage 253 fields before the nonce: v6 keys count them (§5.5.3).
    private func aeadFields(
        cipher: SymmetricAlgorithm, mode: AEADAlgorithm, s2k: S2K, nonceCount: Int
    ) throws
        -> [UInt8]
    {
        let specifier = s2k.serialized
        guard publicKey.version == 6 else { return [253, cipher.rawValue, mode.rawValue] + specifier }
        guard let specifierLength = UInt8(exactly: specifier.count),
            let count = UInt8(exactly: 3 + specifier.count + nonceCount)
        else {
            throw OpenPGPError(.invalidArgument, "this protection cannot be written for a version 6 key")
        }
        return [253, count, cipher.rawValue, mode.rawValue, specifierLength] + specifier
    }

    /// The key-encryption key and associated data of usage 253 (RFC 9580 §5.5.3).
    private func aeadKey(
        passphrase: SecureBytes, cipher: SymmetricAlgorithm, mode: AEADAlgorithm, s2k: S2K, packetTag: UInt8
    ) throws -> (key: SecureBytes, associatedData: [UInt8]) {
        guard let keySize = cipher.keySize, cipher.supportsAEAD(mode) else {
            throw OpenPGPError(.unsupportedAlgorithm, "secret key protection \(mode) with \(cipher) is not supported")
        }
        let header = 0xC0 | packetTag
        var derived = try s2k.deriveKey(passphrase: passphrase, keySize: keySize).bytes
        defer { wipe(&derived) }
        let key = try HKDF.derive(
            .sha256, secret: derived, info: [header, publicKey.version, cipher.rawValue, mode.rawValue], count: keySize)
        return (key, [header] + publicKey.body)
    }

    /// The S2K usage fields as written before the IV: v6 keys count them (§5.5.3).
    private func usageFields(usage: UInt8, cipher: SymmetricAlgorithm, s2k: S2K, ivCount: Int) throws -> [UInt8] {
        guard usage >= 254 else { return [usage] }
        let specifier = s2k.serialized
        guard publicKey.version == 6 else { return [usage, cipher.rawValue] + specifier }
        guard usage == 254, let specifierLength = UInt8(exactly: specifier.count),
            let count = UInt8(exactly: 2 + specifier.count + ivCount)
        else {
            throw OpenPGPError(.invalidArgument, "this protection cannot be written for a version 6 key")
        }
        return [usage, count, cipher.rawValue, specifierLength] + specifier
    }

    var isLocked: Bool { parameters == nil }

    /// Whether the secret part exists at all (GnuPG stubs have none).
    var hasSecretMaterial: Bool {
        if case .encrypted(_, _, let s2k, _) = protection, s2k.kind == .gnuDummy { return false }
        return true
    }

    /// Decrypts the secret part; a wrong passphrase gives `wrongPassphrase`.
    func unlocked(passphrase: SecureBytes) throws -> SecretKeyPacket {
        guard parameters == nil else { return self }
        if case .aead(let cipher, let mode, let s2k, let nonce, let packetTag) = protection {
            return try unlockedAEAD(
                passphrase: passphrase, cipher: cipher, mode: mode, s2k: s2k, nonce: nonce, packetTag: packetTag)
        }
        guard case .encrypted(let usage, let cipher, let s2k, let iv) = protection else {
            return self
        }
        guard let keySize = cipher.keySize else {
            throw OpenPGPError(.unsupportedAlgorithm, "protection cipher \(cipher) is not supported")
        }
        // Oversized parameters are refused before the S2K work, and not mistaken for a wrong passphrase.
        try SecretParameters.checkBounds(of: publicKey, offset: offset)
        let key = try s2k.deriveKey(passphrase: passphrase, keySize: keySize)
        var cleartext = try CFBCipher(cipher, key: key, iv: iv, encrypting: false).update(encryptedData)
        defer { wipe(&cleartext) }
        let wrong = OpenPGPError(.wrongPassphrase, "the passphrase for key \(publicKey.fingerprint) is wrong")
        let material: [UInt8]
        if usage == 254 {
            guard cleartext.count > 20 else { throw wrong }
            material = Array(cleartext.dropLast(20))
            let check = try HashContext.digest(.sha1, material)
            guard SecureBytes(check) == SecureBytes(cleartext.suffix(20)) else { throw wrong }
        } else {
            guard cleartext.count > 2 else { throw wrong }
            material = Array(cleartext.dropLast(2))
            guard secretChecksum(material) == Array(cleartext.suffix(2)) else { throw wrong }
        }
        var owned = material
        defer { wipe(&owned) }
        let parameters: SecretParameters
        do {
            parameters = try SecretParameters.parse(owned, for: publicKey, offset: offset)
        } catch let error as OpenPGPError where error.code == .malformedPacket || error.code == .truncatedPacket {
            // With the legacy checksum a wrong passphrase can pass the check by chance.
            throw wrong
        }
        return SecretKeyPacket(
            publicKey: publicKey, protection: protection, encryptedData: encryptedData, parameters: parameters,
            offset: offset)
    }

    /// Opens a usage 253 secret: the tag proves the passphrase and the material at once.
    private func unlockedAEAD(
        passphrase: SecureBytes, cipher: SymmetricAlgorithm, mode: AEADAlgorithm, s2k: S2K, nonce: [UInt8],
        packetTag: UInt8
    ) throws -> SecretKeyPacket {
        try SecretParameters.checkBounds(of: publicKey, offset: offset)
        let (key, associatedData) = try aeadKey(
            passphrase: passphrase, cipher: cipher, mode: mode, s2k: s2k, packetTag: packetTag)
        guard encryptedData.count > AEADCipher.tagSize else {
            throw OpenPGPError(.malformedPacket, "an AEAD-protected secret key has no sealed material", offset: offset)
        }
        var material: [UInt8]
        do {
            material = try AEADCipher(mode, algorithm: cipher, key: key).open(
                nonce: nonce, associatedData: associatedData, sealed: encryptedData)
        } catch let error as OpenPGPError where error.code == .integrityCheckFailed {
            throw OpenPGPError(.wrongPassphrase, "the passphrase for key \(publicKey.fingerprint) is wrong")
        }
        defer { wipe(&material) }
        // Authenticated: material that does not parse is a malformed key, not a wrong passphrase.
        let parameters = try SecretParameters.parse(material, for: publicKey, offset: offset)
        return SecretKeyPacket(
            publicKey: publicKey, protection: protection, encryptedData: encryptedData, parameters: parameters,
            offset: offset)
    }

    /// The packet body; with a passphrase the secret is protected as `protection` says (by
    /// default AES-256, iterated and salted SHA-256 S2K, SHA-1 check), without it is stored
    /// in the clear.
    func serializedBody(
        passphrase: SecureBytes?, protection settings: SecretKeyProtectionSettings = SecretKeyProtectionSettings(),
        tag: PacketTag = .secretKey
    ) throws -> [UInt8] {
        guard let parameters else {
            // Still locked (or a stub): write it back exactly as it came.
            if case .aead(let cipher, let mode, let s2k, let nonce, _) = protection {
                let fields = try aeadFields(cipher: cipher, mode: mode, s2k: s2k, nonceCount: nonce.count)
                return publicKey.body + fields + nonce + encryptedData
            }
            guard case .encrypted(let usage, let cipher, let s2k, let iv) = protection else {
                throw OpenPGPError(.invalidArgument, "secret key has no secret part")
            }
            let specifier = try usageFields(usage: usage, cipher: cipher, s2k: s2k, ivCount: iv.count)
            return publicKey.body + specifier + iv + encryptedData
        }
        var cleartext = try parameters.serialized()
        defer { wipe(&cleartext) }
        guard let passphrase else {
            // v6 keys have no checksum on an unprotected secret (§5.5.3).
            return publicKey.body + [0] + cleartext + (publicKey.version == 6 ? [] : secretChecksum(cleartext))
        }
        let cipher = settings.cipher
        if case .aead(let mode) = settings.usage {
            return try sealedBody(
                cleartext, passphrase: passphrase, cipher: cipher, mode: mode, settings: settings, tag: tag)
        }
        guard let keySize = cipher.keySize, let blockSize = cipher.blockSize, cipher.isSupported else {
            throw OpenPGPError(.unsupportedAlgorithm, "protection cipher \(cipher) is not supported")
        }
        let s2k: S2K
        let specifier: [UInt8]
        var plain: [UInt8]
        switch settings.usage {
        case .sha1Check:
            s2k = .random(kind: settings.s2kKind, hash: settings.s2kHash, codedCount: settings.codedCount)
            specifier = try usageFields(usage: 254, cipher: cipher, s2k: s2k, ivCount: blockSize)
            plain = cleartext + (try HashContext.digest(.sha1, cleartext))
        case .checksum where publicKey.version != 6:
            s2k = .random(kind: settings.s2kKind, hash: settings.s2kHash, codedCount: settings.codedCount)
            specifier = [255, cipher.rawValue] + s2k.serialized
            plain = cleartext + secretChecksum(cleartext)
        case .legacy where publicKey.version != 6:
            s2k = .legacyMD5
            specifier = [cipher.rawValue]
            plain = cleartext + secretChecksum(cleartext)
        case .checksum, .legacy:
            throw OpenPGPError(.invalidArgument, "a version 6 secret key is protected with S2K usage 253 or 254 only")
        case .aead:
            preconditionFailure("AEAD protection is written by sealedBody")
        }
        defer { wipe(&plain) }
        guard s2k.kind != .gnuDummy else {
            throw OpenPGPError(.invalidArgument, "a GnuPG stub S2K cannot protect a secret")
        }
        guard s2k.kind != .argon2 else {
            throw OpenPGPError(.invalidArgument, "Argon2 S2K protects secret keys only with AEAD (S2K usage 253)")
        }
        let iv = secureRandomBytes(blockSize)
        let key = try s2k.deriveKey(passphrase: passphrase, keySize: keySize)
        let encrypted = try CFBCipher(cipher, key: key, iv: iv, encrypting: true).update(plain)
        return publicKey.body + specifier + iv + encrypted
    }

    /// The body with the secret sealed under usage 253.
    private func sealedBody(
        _ cleartext: [UInt8], passphrase: SecureBytes, cipher: SymmetricAlgorithm, mode: AEADAlgorithm,
        settings: SecretKeyProtectionSettings, tag: PacketTag
    ) throws -> [UInt8] {
        guard let nonceSize = mode.nonceSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "AEAD mode \(mode) is not supported")
        }
        let s2k: S2K =
            settings.argon2.map { S2K.argon2($0) }
            ?? S2K.random(kind: .iteratedAndSalted, hash: settings.s2kHash, codedCount: settings.codedCount)
        let (key, associatedData) = try aeadKey(
            passphrase: passphrase, cipher: cipher, mode: mode, s2k: s2k, packetTag: tag.rawValue)
        let nonce = secureRandomBytes(nonceSize)
        let sealed = try AEADCipher(mode, algorithm: cipher, key: key).seal(
            nonce: nonce, associatedData: associatedData, plaintext: cleartext)
        let fields = try aeadFields(cipher: cipher, mode: mode, s2k: s2k, nonceCount: nonce.count)
        return publicKey.body + fields + nonce + sealed
    }
}
