/// Session-key encryption to native X25519 and X448 keys (RFC 9580 §5.1.6–7): an ephemeral
/// key, HKDF over `ephemeral || recipient || shared secret`, and AES key wrap of the bare
/// session key (no padding, no checksum). A v3 PKESK names the cipher in the clear before the
/// wrapped key; a v6 one does not.
struct NativeKeyAgreement {
    let algorithm: PublicKeyAlgorithm
    let recipientKey: [UInt8]

    /// The agreement for an X25519 or X448 key; nil for any other key.
    init?(_ key: PublicKeyPacket) {
        switch key.parameters {
        case .x25519(let publicKey): (algorithm, recipientKey) = (.x25519, publicKey)
        case .x448(let publicKey): (algorithm, recipientKey) = (.x448, publicKey)
        default: return nil
        }
    }

    private var keySize: Int { algorithm == .x25519 ? X25519.keySize : X448.keySize }

    private func privateKey(_ secret: SecureBytes) throws -> EVPKey {
        algorithm == .x25519 ? try X25519.privateKey(secret: secret) : try X448.privateKey(secret: secret)
    }

    private func sharedSecret(_ key: EVPKey, peer: [UInt8]) throws -> SecureBytes {
        algorithm == .x25519
            ? try X25519.sharedSecret(key: key, peerPublicKey: peer)
            : try X448.sharedSecret(key: key, peerPublicKey: peer)
    }

    /// The key-encryption key: HKDF-SHA256 to 16 bytes ("OpenPGP X25519", AES-128 key wrap)
    /// or HKDF-SHA512 to 32 bytes ("OpenPGP X448", AES-256 key wrap).
    func keyEncryptionKey(ephemeral: [UInt8], shared: SecureBytes) throws -> SecureBytes {
        var material = ephemeral + recipientKey
        shared.withUnsafeBytes { material += $0 }
        defer { wipe(&material) }
        return algorithm == .x25519
            ? try HKDF.derive(.sha256, secret: material, info: Array("OpenPGP X25519".utf8), count: 16)
            : try HKDF.derive(.sha512, secret: material, info: Array("OpenPGP X448".utf8), count: 32)
    }

    /// The PKESK fields: ephemeral public key, a length octet, the cipher (v3 only) and the
    /// wrapped key. `ephemeralSecret` is for tests; by default a new one is made.
    func encrypt(
        sessionKey: SecureBytes, cipher: SymmetricAlgorithm?, ephemeralSecret: SecureBytes? = nil
    ) throws -> [UInt8] {
        guard [16, 24, 32].contains(sessionKey.count) else {
            throw OpenPGPError(.invalidArgument, "\(algorithm) encrypts AES session keys only (16, 24 or 32 bytes)")
        }
        let secret = ephemeralSecret ?? (algorithm == .x25519 ? X25519.generateSecret() : X448.generateSecret())
        let ephemeral = try privateKey(secret)
        let ephemeralPublic = try rawPublicKey(of: ephemeral)
        let shared: SecureBytes
        do {
            shared = try sharedSecret(ephemeral, peer: recipientKey)
        } catch {
            throw OpenPGPError(.malformedPacket, "the \(algorithm) recipient key is not a usable public key")
        }
        let kek = try keyEncryptionKey(ephemeral: ephemeralPublic, shared: shared)
        let wrapped = (cipher.map { [$0.rawValue] } ?? []) + (try AESKeyWrap.wrap(sessionKey, kek: kek))
        // At most 1 + 40 bytes.
        return ephemeralPublic + [UInt8(truncatingIfNeeded: wrapped.count)] + wrapped
    }

    /// The session key (and for v3, `namesCipher`, its cipher) from PKESK fields; every
    /// failure is `decryptionFailed`.
    func decrypt(
        fields: [UInt8], secret: SecureBytes, cache: EVPKeyCache, namesCipher: Bool
    ) throws -> (SymmetricAlgorithm?, SecureBytes) {
        let failure = OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        var reader = ByteReader(fields)
        guard let ephemeral = try? reader.readBytes(keySize), let length = try? reader.readByte(),
            var wrapped = try? reader.readBytes(Int(length)), reader.isAtEnd,
            let ownKey = try? cache.key({ try privateKey(secret) }),
            let shared = try? sharedSecret(ownKey, peer: ephemeral),
            let kek = try? keyEncryptionKey(ephemeral: ephemeral, shared: shared)
        else { throw failure }
        var cipher: SymmetricAlgorithm?
        if namesCipher {
            guard !wrapped.isEmpty else { throw failure }
            cipher = SymmetricAlgorithm(rawValue: wrapped.removeFirst())
        }
        guard let sessionKey = try? AESKeyWrap.unwrap(wrapped, kek: kek),
            cipher.map({ $0.keySize == sessionKey.count }) ?? [16, 24, 32].contains(sessionKey.count)
        else { throw failure }
        return (cipher, sessionKey)
    }
}
