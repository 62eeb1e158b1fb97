import COpenSSL

/// Ed448 signatures through libcrypto (RFC 8032, pure EdDSA with an empty context, as
/// RFC 9580 §5.2.3.4 asks).
enum Ed448 {
    static let keySize = 57
    static let signatureSize = 114

    /// A new random secret key.
    static func generateSecret() -> SecureBytes { SecureBytes.random(count: keySize) }

    /// The libcrypto key for a secret (deriving its public key: keep it for reuse).
    static func privateKey(secret: SecureBytes) throws -> EVPKey {
        try rawPrivateKey(type: EVP_PKEY_ED448, secret)
    }

    /// The 57-byte public key for a secret.
    static func publicKey(secret: SecureBytes) throws -> [UInt8] {
        try rawPublicKey(of: try privateKey(secret: secret))
    }

    /// Signs `message` with a key from ``privateKey(secret:)``.
    static func sign(_ message: [UInt8], key: EVPKey) throws -> [UInt8] {
        try edDSASign(message, key: key, signatureSize: signatureSize, name: "Ed448")
    }

    static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        edDSAVerify(
            signature, of: message, publicKey: publicKey, type: EVP_PKEY_ED448, keySize: keySize,
            signatureSize: signatureSize)
    }
}

/// X448 key agreement through libcrypto (RFC 7748).
enum X448 {
    static let keySize = 56

    /// A new random secret scalar, clamped as RFC 7748 describes.
    static func generateSecret() -> SecureBytes {
        var scalar = secureRandomBytes(keySize)
        defer { wipe(&scalar) }
        scalar[0] &= 252
        scalar[55] |= 128
        return SecureBytes(scalar)
    }

    /// The libcrypto key for a secret scalar (deriving its public key: keep it for reuse).
    static func privateKey(secret: SecureBytes) throws -> EVPKey {
        try rawPrivateKey(type: EVP_PKEY_X448, secret)
    }

    /// The 56-byte public key of a key from ``privateKey(secret:)``.
    static func publicKey(of key: EVPKey) throws -> [UInt8] {
        try rawPublicKey(of: key)
    }

    /// The shared secret of `key` and `peerPublicKey`; fails for low-order points.
    static func sharedSecret(key: EVPKey, peerPublicKey: [UInt8]) throws -> SecureBytes {
        try xdhSharedSecret(key: key, peerPublicKey: peerPublicKey, type: EVP_PKEY_X448, keySize: keySize, name: "X448")
    }
}
