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

    /// Whether this engine can encrypt and decrypt with this cipher: through libcrypto, or
    /// with the Swift implementation of a cipher libcrypto lacks (Twofish, IDEA).
    public var isSupported: Bool {
        hasSwiftImplementation || libcryptoCFBCipher() != nil
    }

    /// Whether a Swift block cipher exists for this algorithm.
    var hasSwiftImplementation: Bool { self == .twofish || self == .idea }

    /// The libcrypto CFB cipher (fetched once per process, never freed), or nil if libcrypto
    /// lacks it.
    func libcryptoCFBCipher() -> OpaquePointer? {
        CipherTable.shared.cfb[self]
    }
}

/// A cipher in OpenPGP's CFB mode, as used by SEIPDv1 and secret-key protection: standard
/// full-block CFB, so input of any length can be fed in pieces. libcrypto's EVP does the work
/// when it has the cipher, the Swift implementation otherwise. Not shared across tasks.
final class CFBCipher {
    /// One case per Swift cipher, so each `update` call is specialised for its cipher.
    private enum Engine {
        case evp(OpaquePointer)
        case twofish(CFBMode<Twofish>)
        case idea(CFBMode<IDEA>)
    }

    private let engine: Engine

    /// - Parameters:
    ///   - iv: the initial vector; all zeros (SEIPDv1) when nil.
    init(_ algorithm: SymmetricAlgorithm, key: SecureBytes, iv: [UInt8]? = nil, encrypting: Bool) throws {
        guard let keySize = algorithm.keySize, let blockSize = algorithm.blockSize,
            algorithm.libcryptoCFBName != nil || algorithm.hasSwiftImplementation
        else {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not supported")
        }
        guard key.count == keySize else {
            throw OpenPGPError(.invalidArgument, "\(algorithm) needs a \(keySize)-byte key, got \(key.count)")
        }
        let initialVector = iv ?? [UInt8](repeating: 0, count: blockSize)
        guard initialVector.count == blockSize else {
            throw OpenPGPError(.invalidArgument, "\(algorithm) needs a \(blockSize)-byte IV")
        }
        guard let cipher = algorithm.libcryptoCFBCipher() else {
            engine = try key.withUnsafeBytes { keyBytes in
                try initialVector.withUnsafeBytes { ivBytes in
                    switch algorithm {
                    case .twofish:
                        .twofish(CFBMode(cipher: try Twofish(key: keyBytes), iv: ivBytes, encrypting: encrypting))
                    case .idea: .idea(CFBMode(cipher: try IDEA(key: keyBytes), iv: ivBytes, encrypting: encrypting))
                    default:
                        throw OpenPGPError(
                            .unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not available in libcrypto")
                    }
                }
            }
            return
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        let status = key.withUnsafeBytes { keyBytes in
            EVP_CipherInit_ex2(
                context, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), initialVector,
                encrypting ? 1 : 0, nil)
        }
        guard status == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw LibCrypto.failure("EVP_CipherInit_ex2(\(algorithm))")
        }
        EVP_CIPHER_CTX_set_padding(context, 0)
        engine = .evp(context)
    }

    deinit {
        if case .evp(let context) = engine { EVP_CIPHER_CTX_free(context) }
    }

    /// Transforms `input` into `output`, which must have room for `input.count` bytes.
    func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        guard input.count > 0 else { return }
        precondition(output.count >= input.count)
        let context: OpaquePointer
        switch engine {
        case .twofish(let mode): return mode.update(input, into: output)
        case .idea(let mode): return mode.update(input, into: output)
        case .evp(let evp): context = evp
        }
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
