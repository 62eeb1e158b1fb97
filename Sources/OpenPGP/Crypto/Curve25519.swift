import COpenSSL

/// Ed25519 signatures through libcrypto (RFC 8032, pure EdDSA).
enum Ed25519 {
    static let keySize = 32
    static let signatureSize = 64

    /// A new random secret seed.
    static func generateSeed() -> SecureBytes { SecureBytes.random(count: keySize) }

    /// The 32-byte public key for a secret seed.
    static func publicKey(seed: SecureBytes) throws -> [UInt8] {
        let key = try rawPrivateKey(type: EVP_PKEY_ED25519, seed)
        defer { EVP_PKEY_free(key) }
        return try rawPublicKey(of: key)
    }

    static func sign(_ message: [UInt8], seed: SecureBytes) throws -> [UInt8] {
        let key = try rawPrivateKey(type: EVP_PKEY_ED25519, seed)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw LibCrypto.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            throw LibCrypto.failure("EVP_DigestSignInit(Ed25519)")
        }
        var signature = [UInt8](repeating: 0, count: signatureSize)
        var length = signature.count
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == signatureSize else {
            throw LibCrypto.failure("EVP_DigestSign(Ed25519)")
        }
        return signature
    }

    static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureSize, publicKey.count == keySize,
            let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, publicKey.count)
        else {
            LibCrypto.clearErrors()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        let valid =
            EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
            && EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        LibCrypto.clearErrors()
        return valid
    }
}

/// X25519 key agreement through libcrypto (RFC 7748).
enum X25519 {
    static let keySize = 32

    /// A new random secret scalar, clamped as RFC 7748 describes (libcrypto clamps as well;
    /// storing it clamped keeps the OpenPGP encoding canonical).
    static func generateSecret() -> SecureBytes {
        var scalar = secureRandomBytes(keySize)
        defer { wipe(&scalar) }
        scalar[0] &= 248
        scalar[31] &= 127
        scalar[31] |= 64
        return SecureBytes(scalar)
    }

    static func publicKey(secret: SecureBytes) throws -> [UInt8] {
        let key = try rawPrivateKey(type: EVP_PKEY_X25519, secret)
        defer { EVP_PKEY_free(key) }
        return try rawPublicKey(of: key)
    }

    /// The shared secret of `secret` and `peerPublicKey`; fails for low-order points.
    static func sharedSecret(secret: SecureBytes, peerPublicKey: [UInt8]) throws -> SecureBytes {
        guard peerPublicKey.count == keySize else {
            throw OpenPGPError(.malformedPacket, "an X25519 public key has 32 bytes, got \(peerPublicKey.count)")
        }
        let key = try rawPrivateKey(type: EVP_PKEY_X25519, secret)
        defer { EVP_PKEY_free(key) }
        guard let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peerPublicKey, peerPublicKey.count) else {
            throw LibCrypto.failure("EVP_PKEY_new_raw_public_key(X25519)")
        }
        defer { EVP_PKEY_free(peer) }
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw LibCrypto.failure("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(context) }
        var shared = [UInt8](repeating: 0, count: keySize)
        defer { wipe(&shared) }
        var length = shared.count
        guard EVP_PKEY_derive_init(context) == 1, EVP_PKEY_derive_set_peer(context, peer) == 1,
            EVP_PKEY_derive(context, &shared, &length) == 1, length == keySize
        else {
            throw LibCrypto.failure("X25519 key agreement")
        }
        return SecureBytes(shared)
    }
}

private func rawPrivateKey(type: Int32, _ secret: SecureBytes) throws -> OpaquePointer {
    LibCrypto.initialize()
    let key = secret.withUnsafeBytes { bytes in
        EVP_PKEY_new_raw_private_key(type, nil, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
    guard let key else { throw LibCrypto.failure("EVP_PKEY_new_raw_private_key") }
    return key
}

private func rawPublicKey(of key: OpaquePointer) throws -> [UInt8] {
    var publicKey = [UInt8](repeating: 0, count: 64)
    var length = publicKey.count
    guard EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1 else {
        throw LibCrypto.failure("EVP_PKEY_get_raw_public_key")
    }
    return Array(publicKey.prefix(length))
}
