import Foundation

/// An OpenPGP secret key (a transferable secret key): a ``Certificate`` plus the secret
/// parts of its keys, each either unlocked or still protected by a passphrase.
public struct SecretKey: Sendable {
    /// The public part.
    public let certificate: Certificate
    let secrets: [Fingerprint: SecretKeyPacket]

    init(certificate: Certificate, secrets: [Fingerprint: SecretKeyPacket]) {
        self.certificate = certificate
        self.secrets = secrets
    }

    /// Reads a secret key from armored or binary data; with a passphrase, protected parts are
    /// unlocked now (a wrong one throws `wrongPassphrase`).
    public init(armored text: String, passphrase: String? = nil) throws {
        try self.init(bytes: Array(text.utf8), passphrase: passphrase)
    }

    /// Reads a secret key from binary (or armored) data.
    public init(bytes: [UInt8], passphrase: String? = nil) throws {
        guard let first = try Self.readKeyring(bytes).first else {
            throw OpenPGPError(.malformedPacket, "no secret key found in the input")
        }
        if let passphrase {
            self = try first.unlocked(passphrase: passphrase)
        } else {
            self = first
        }
    }

    /// Reads every secret key of a keyring; public-only keys in the input are skipped.
    public static func readKeyring(_ bytes: [UInt8]) throws -> [SecretKey] {
        let blocks = try KeyBlock.parse(PacketFraming.parse(Armor.decodeIfArmored(bytes)))
        return try blocks.compactMap { block in
            let components = [block.primary] + block.subkeys
            guard components.contains(where: { $0.secret != nil }) else { return nil }
            var secrets: [Fingerprint: SecretKeyPacket] = [:]
            for component in components {
                if let secret = component.secret { secrets[secret.publicKey.fingerprint] = secret }
            }
            return SecretKey(certificate: try Certificate(block: block), secrets: secrets)
        }
    }

    /// The primary key's fingerprint.
    public var fingerprint: Fingerprint { certificate.fingerprint }

    /// Whether any secret part is still protected (a passphrase is needed to use it).
    public var isLocked: Bool { secrets.values.contains { $0.isLocked && $0.hasSecretMaterial } }

    /// A copy with every protected part decrypted. Throws `wrongPassphrase` if the
    /// passphrase opens none of them.
    public func unlocked(passphrase: String) throws -> SecretKey {
        let secretPassphrase = SecureBytes(passphrase.utf8)
        var result = secrets
        var lastError: Error?
        var unlockedAny = false
        for (fingerprint, packet) in secrets where packet.isLocked && packet.hasSecretMaterial {
            do {
                result[fingerprint] = try packet.unlocked(passphrase: secretPassphrase)
                unlockedAny = true
            } catch {
                lastError = error
            }
        }
        if !unlockedAny, let lastError { throw lastError }
        return SecretKey(certificate: certificate, secrets: result)
    }

    /// The binary transferable secret key; with a passphrase every unlocked part is
    /// protected with it (AES-256, iterated and salted SHA-256 S2K).
    public func serialized(passphrase: String? = nil) throws -> [UInt8] {
        try serialized(passphrase: passphrase, protection: SecretKeyProtectionSettings())
    }

    /// The binary transferable secret key with every unlocked part protected by `passphrase`
    /// as `keyProtection` says.
    public func serialized(passphrase: String, keyProtection: KeyProtection) throws -> [UInt8] {
        var settings = SecretKeyProtectionSettings()
        if case .aead(let mode, let kdf) = keyProtection {
            settings.usage = .aead(mode)
            if case .argon2(let passes, let parallelism, let memoryExponent) = kdf {
                settings.argon2 = try S2K.Argon2Parameters(
                    passes: passes, parallelism: parallelism, memoryExponent: memoryExponent)
            }
        }
        return try serialized(passphrase: passphrase, protection: settings)
    }

    /// The ASCII-armored form of ``serialized(passphrase:keyProtection:)``.
    public func armored(
        passphrase: String, keyProtection: KeyProtection, headers: ArmorHeaders = ArmorHeaders()
    )
        throws -> String
    {
        Armor.encode(
            try serialized(passphrase: passphrase, keyProtection: keyProtection), type: .privateKey, headers: headers)
    }

    /// How a passphrase protects secret key material.
    public enum KeyProtection: Sendable, Hashable {
        /// CFB with a SHA-1 check (S2K usage 254), AES-256, iterated and salted SHA-256 S2K:
        /// what `serialized(passphrase:)` writes and every reader opens.
        case cfb
        /// AES-256 in an AEAD mode (S2K usage 253) with the passphrase through `kdf` (Argon2
        /// is RFC 9580's recommendation): tamper-evident, read by RFC 9580 implementations only.
        case aead(AEADAlgorithm, PassphraseKDF)
    }

    /// The binary transferable secret key, protected as `protection` says (tests write every
    /// protection form with it).
    func serialized(passphrase: String?, protection: SecretKeyProtectionSettings) throws -> [UInt8] {
        let secretPassphrase = passphrase.map { SecureBytes($0.utf8) }
        func packet(_ component: KeyComponent, tag: PacketTag, publicTag: PacketTag) throws -> [UInt8] {
            guard let secret = secrets[component.fingerprint] else {
                return PacketFraming.packet(tag: publicTag, body: component.packet.body)
            }
            return PacketFraming.packet(
                tag: tag,
                body: try secret.serializedBody(passphrase: secretPassphrase, protection: protection, tag: tag))
        }
        return try certificate.serialize(
            primary: try packet(certificate.primaryKey, tag: .secretKey, publicTag: .publicKey)
        ) {
            try packet($0, tag: .secretSubkey, publicTag: .publicSubkey)
        }
    }

    /// The ASCII-armored transferable secret key.
    public func armored(passphrase: String? = nil, headers: ArmorHeaders = ArmorHeaders()) throws -> String {
        Armor.encode(try serialized(passphrase: passphrase), type: .privateKey, headers: headers)
    }

    /// The decoded secret of one component, or the reason it cannot be used.
    func secretParameters(for component: KeyComponent) throws -> SecretParameters {
        guard let packet = secrets[component.fingerprint], packet.hasSecretMaterial else {
            throw OpenPGPError(.noSuitableKey, "the secret part of key \(component.fingerprint) is not available")
        }
        guard let parameters = packet.parameters else {
            throw OpenPGPError(
                .passphraseRequired, "key \(component.fingerprint) is protected; unlock it with its passphrase")
        }
        return parameters
    }

    /// The key to sign with at `date`: a usable signing-capable component whose secret is here.
    func signingKey(at date: Date) throws -> SigningKey {
        let candidates = certificate.signingKeys(at: date).filter { secrets[$0.fingerprint]?.hasSecretMaterial == true }
        guard let component = candidates.first else {
            throw OpenPGPError(.keyNotUsable, "key \(fingerprint) has no usable signing key at \(date)")
        }
        return SigningKey(publicKey: component.packet, secret: try secretParameters(for: component))
    }
}
