/// Writes a version 1 Symmetrically Encrypted Integrity Protected Data packet: CFB over
/// random prefix, plaintext and the MDC packet (RFC 9580 §5.13.1).
final class SEIPDv1Stage: WriterStage {
    private let body: PartialLengthStage
    private let cipher: CFBCipher
    private let mdc: HashContext
    /// Ciphertext on its way out: grown to the largest piece seen, at most 64 KiB, so that a
    /// small message does not clear 64 KiB.
    private var scratch: [UInt8] = []

    init(algorithm: SymmetricAlgorithm, sessionKey: SecureBytes, next: WriterStage) throws {
        guard let blockSize = algorithm.blockSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not supported")
        }
        cipher = try CFBCipher(algorithm, key: sessionKey, encrypting: true)
        mdc = try HashContext(.sha1)
        body = try PartialLengthStage(tag: .symEncryptedIntegrityProtectedData, next: next)
        try body.write([1])
        var prefix = secureRandomBytes(blockSize)
        prefix += prefix.suffix(2)
        try encrypt(prefix)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try encrypt(bytes)
    }

    func finish() throws {
        try encrypt([0xD3, 0x14] as [UInt8])
        try encryptWithoutHashing(mdc.finalize())
        try body.finish()
    }

    private func encrypt(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try encrypt($0) }
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) throws {
        mdc.update(bytes)
        try encryptWithoutHashing(bytes)
    }

    private func encryptWithoutHashing(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try encryptWithoutHashing($0) }
    }

    private func encryptWithoutHashing(_ bytes: UnsafeRawBufferPointer) throws {
        if scratch.count < min(bytes.count, 1 << 16) {
            scratch = [UInt8](repeating: 0, count: min(bytes.count, 1 << 16))
        }
        var offset = 0
        while offset < bytes.count {
            let length = min(scratch.count, bytes.count - offset)
            try scratch.withUnsafeMutableBytes { out in
                cipher.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), into: out)
                try body.write(UnsafeRawBufferPointer(rebasing: out[0..<length]))
            }
            offset += length
        }
    }
}
