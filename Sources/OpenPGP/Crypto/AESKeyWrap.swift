import COpenSSL

/// AES key wrap (RFC 3394) with the default IV, as RFC 6637 ECDH uses it.
enum AESKeyWrap {
    static func wrap(_ plaintext: SecureBytes, kek: SecureBytes) throws -> [UInt8] {
        guard plaintext.count >= 16, plaintext.count % 8 == 0 else {
            throw OpenPGPError(.invalidArgument, "key wrap input must be a multiple of 8 bytes, at least 16")
        }
        return try plaintext.withUnsafeBytes { try run(Array($0), kek: kek, encrypting: true) }
    }

    /// Unwraps; any failure (wrong KEK, corrupted input) is reported as `decryptionFailed`.
    static func unwrap(_ ciphertext: [UInt8], kek: SecureBytes) throws -> SecureBytes {
        guard ciphertext.count >= 24, ciphertext.count % 8 == 0 else {
            throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        }
        var plaintext = try run(ciphertext, kek: kek, encrypting: false)
        defer { wipe(&plaintext) }
        return SecureBytes(plaintext)
    }

    private static func run(_ input: [UInt8], kek: SecureBytes, encrypting: Bool) throws -> [UInt8] {
        guard [16, 24, 32].contains(kek.count) else {
            throw OpenPGPError(.invalidArgument, "a key-encryption key has 16, 24 or 32 bytes")
        }
        guard let cipher = CipherTable.shared.keyWrap[kek.count] else {
            throw OpenPGPError(.cryptoFailure, "AES-\(kek.count * 8) key wrap is not available in libcrypto")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        EVP_CIPHER_CTX_set_flags(context, Int32(EVP_CIPHER_CTX_FLAG_WRAP_ALLOW))
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var length: Int32 = 0
        var finalLength: Int32 = 0
        let ok = kek.withUnsafeBytes { keyBytes -> Bool in
            guard
                EVP_CipherInit_ex2(
                    context, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nil,
                    encrypting ? 1 : 0, nil) == 1
            else { return false }
            guard EVP_CipherUpdate(context, &output, &length, input, Int32(input.count)) == 1 else { return false }
            return output.withUnsafeMutableBufferPointer { buffer in
                EVP_CipherFinal_ex(context, buffer.baseAddress! + Int(length), &finalLength) == 1
            }
        }
        guard ok else {
            if encrypting { throw LibCrypto.failure("AES key wrap") }
            LibCrypto.clearErrors()
            wipe(&output)
            throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        }
        return Array(output.prefix(Int(length + finalLength)))
    }
}
