import COpenSSL

extension SymmetricAlgorithm {
    /// The libcrypto name of this cipher in CFB mode (full-block feedback), if it has one.
    var libcryptoCFBName: String? {
        switch self {
        case .aes128: "AES-128-CFB"
        case .aes192: "AES-192-CFB"
        case .aes256: "AES-256-CFB"
        case .camellia128: "CAMELLIA-128-CFB"
        case .camellia192: "CAMELLIA-192-CFB"
        case .camellia256: "CAMELLIA-256-CFB"
        case .cast5: "CAST5-CFB"
        case .blowfish: "BF-CFB"
        case .tripleDES: "DES-EDE3-CFB"
        case .idea: "IDEA-CFB"
        default: nil
        }
    }

    /// Whether this engine can encrypt and decrypt with this cipher.
    public var isSupported: Bool {
        guard let name = libcryptoCFBName else { return false }
        LibCrypto.initialize()
        guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else {
            LibCrypto.clearErrors()
            return false
        }
        EVP_CIPHER_free(cipher)
        return true
    }
}

/// A cipher in OpenPGP's CFB mode, as used by SEIPDv1 and secret-key protection: standard
/// full-block CFB, so input of any length can be fed in pieces. Not shared across tasks.
final class CFBCipher {
    private let context: OpaquePointer

    /// - Parameters:
    ///   - iv: the initial vector; all zeros (SEIPDv1) when nil.
    init(_ algorithm: SymmetricAlgorithm, key: SecureBytes, iv: [UInt8]? = nil, encrypting: Bool) throws {
        LibCrypto.initialize()
        guard let name = algorithm.libcryptoCFBName, let keySize = algorithm.keySize,
            let blockSize = algorithm.blockSize
        else {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not supported")
        }
        guard key.count == keySize else {
            throw OpenPGPError(.invalidArgument, "\(algorithm) needs a \(keySize)-byte key, got \(key.count)")
        }
        guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else {
            LibCrypto.clearErrors()
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not available in libcrypto")
        }
        defer { EVP_CIPHER_free(cipher) }
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        let initialVector = iv ?? [UInt8](repeating: 0, count: blockSize)
        guard initialVector.count == blockSize else {
            EVP_CIPHER_CTX_free(context)
            throw OpenPGPError(.invalidArgument, "\(algorithm) needs a \(blockSize)-byte IV")
        }
        let status = key.withUnsafeBytes { keyBytes in
            EVP_CipherInit_ex2(
                context, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), initialVector,
                encrypting ? 1 : 0, nil)
        }
        guard status == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw LibCrypto.failure("EVP_CipherInit_ex2(\(name))")
        }
        EVP_CIPHER_CTX_set_padding(context, 0)
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Transforms `input` into `output`, which must have room for `input.count` bytes.
    func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        guard input.count > 0 else { return }
        precondition(output.count >= input.count)
        var written: Int32 = 0
        var offset = 0
        // EVP takes an Int32 length: feed very large buffers in slices.
        while offset < input.count {
            let length = min(input.count - offset, 1 << 30)
            _ = EVP_CipherUpdate(
                context, output.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), &written,
                input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), Int32(length))
            offset += length
        }
    }

    /// Transforms a byte array.
    func update(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count)
        input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in update(inBytes, into: outBytes) }
        }
        return output
    }
}
