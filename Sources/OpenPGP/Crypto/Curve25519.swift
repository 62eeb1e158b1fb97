import COpenSSL

/// Ed25519 signatures through libcrypto (RFC 8032, pure EdDSA).
enum Ed25519 {
    static let keySize = 32
    static let signatureSize = 64

    /// A new random secret seed.
    static func generateSeed() -> SecureBytes { SecureBytes.random(count: keySize) }

    /// The libcrypto key for a secret seed (deriving its public key: keep it for reuse).
    static func privateKey(seed: SecureBytes) throws -> EVPKey {
        try rawPrivateKey(type: EVP_PKEY_ED25519, seed)
    }

    /// The 32-byte public key for a secret seed.
    static func publicKey(seed: SecureBytes) throws -> [UInt8] {
        try rawPublicKey(of: try privateKey(seed: seed))
    }

    /// Signs `message` with a key from ``privateKey(seed:)``.
    static func sign(_ message: [UInt8], key: EVPKey) throws -> [UInt8] {
        try edDSASign(message, key: key, signatureSize: signatureSize, name: "Ed25519")
    }

    static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        edDSAVerify(
            signature, of: message, publicKey: publicKey, type: EVP_PKEY_ED25519, keySize: keySize,
            signatureSize: signatureSize)
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

    /// The libcrypto key for a secret scalar (deriving its public key: keep it for reuse).
    static func privateKey(secret: SecureBytes) throws -> EVPKey {
        try rawPrivateKey(type: EVP_PKEY_X25519, secret)
    }

    static func publicKey(secret: SecureBytes) throws -> [UInt8] {
        try publicKey(of: try privateKey(secret: secret))
    }

    /// The 32-byte public key of a key from ``privateKey(secret:)``.
    static func publicKey(of key: EVPKey) throws -> [UInt8] {
        try rawPublicKey(of: key)
    }

    /// The shared secret of `key` (from ``privateKey(secret:)``) and `peerPublicKey`; fails for
    /// low-order points.
    static func sharedSecret(key: EVPKey, peerPublicKey: [UInt8]) throws -> SecureBytes {
        try xdhSharedSecret(
            key: key, peerPublicKey: peerPublicKey, type: EVP_PKEY_X25519, keySize: keySize, name: "X25519")
    }
}

/// Pure EdDSA signing (Ed25519, Ed448 with an empty context) with a raw libcrypto key.
func edDSASign(_ message: [UInt8], key: EVPKey, signatureSize: Int, name: String) throws -> [UInt8] {
    guard let context = EVP_MD_CTX_new() else { throw LibCrypto.failure("EVP_MD_CTX_new") }
    defer { EVP_MD_CTX_free(context) }
    guard key.withPointer({ EVP_DigestSignInit(context, nil, nil, nil, $0) }) == 1 else {
        throw LibCrypto.failure("EVP_DigestSignInit(\(name))")
    }
    var signature = [UInt8](repeating: 0, count: signatureSize)
    var length = signature.count
    guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == signatureSize else {
        throw LibCrypto.failure("EVP_DigestSign(\(name))")
    }
    return signature
}

/// Checks a pure EdDSA signature against a raw public key of libcrypto type `type`.
func edDSAVerify(
    _ signature: [UInt8], of message: [UInt8], publicKey: [UInt8], type: Int32, keySize: Int, signatureSize: Int
) -> Bool {
    LibCrypto.initialize()
    guard signature.count == signatureSize, publicKey.count == keySize,
        let key = EVP_PKEY_new_raw_public_key(type, nil, publicKey, publicKey.count)
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

/// X25519 or X448 key agreement of `key` with a raw peer public key of libcrypto type `type`.
func xdhSharedSecret(
    key: EVPKey, peerPublicKey: [UInt8], type: Int32, keySize: Int, name: String
) throws -> SecureBytes {
    guard peerPublicKey.count == keySize else {
        throw OpenPGPError(
            .malformedPacket, "an \(name) public key has \(keySize) bytes, got \(peerPublicKey.count)")
    }
    guard let peer = EVP_PKEY_new_raw_public_key(type, nil, peerPublicKey, peerPublicKey.count) else {
        throw LibCrypto.failure("EVP_PKEY_new_raw_public_key(\(name))")
    }
    defer { EVP_PKEY_free(peer) }
    guard let context = key.withPointer({ EVP_PKEY_CTX_new($0, nil) }) else {
        throw LibCrypto.failure("EVP_PKEY_CTX_new")
    }
    defer { EVP_PKEY_CTX_free(context) }
    var shared = [UInt8](repeating: 0, count: keySize)
    defer { wipe(&shared) }
    var length = shared.count
    guard EVP_PKEY_derive_init(context) == 1, EVP_PKEY_derive_set_peer(context, peer) == 1,
        EVP_PKEY_derive(context, &shared, &length) == 1, length == keySize
    else {
        throw LibCrypto.failure("\(name) key agreement")
    }
    return SecureBytes(shared)
}

/// A libcrypto key of type `type` from a raw secret (Ed25519, X25519, Ed448, X448).
func rawPrivateKey(type: Int32, _ secret: SecureBytes) throws -> EVPKey {
    LibCrypto.initialize()
    let key = secret.withUnsafeBytes { bytes in
        EVP_PKEY_new_raw_private_key(type, nil, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
    guard let key else { throw LibCrypto.failure("EVP_PKEY_new_raw_private_key") }
    return EVPKey(taking: key)
}

/// The raw public key of a key from ``rawPrivateKey(type:_:)``.
func rawPublicKey(of key: EVPKey) throws -> [UInt8] {
    var publicKey = [UInt8](repeating: 0, count: 64)  // Ed448 keys have 57 bytes, the longest
    var length = publicKey.count
    guard key.withPointer({ EVP_PKEY_get_raw_public_key($0, &publicKey, &length) }) == 1 else {
        throw LibCrypto.failure("EVP_PKEY_get_raw_public_key")
    }
    return Array(publicKey.prefix(length))
}
