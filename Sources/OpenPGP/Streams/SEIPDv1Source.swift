/// Decrypts a version 1 SEIPD body as it is read and checks its MDC at the end.
///
/// The last 22 decrypted bytes are held back until the input ends, since they may be the
/// MDC packet; at the end the MDC is checked before reporting the end of the data, so a
/// reader that consumes this source to the end either sees the integrity failure or knows
/// that everything it read is authentic.
final class SEIPDv1Source: ByteSource {
    private static let mdcLength = 22
    private let body: ByteSource
    private let cipher: CFBCipher
    private let mdc: HashContext
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    /// Decrypted bytes not yet handed out; the last `mdcLength` are held back.
    private var plain: [UInt8] = []
    private var plainStart = 0
    private var bodyEnded = false
    private(set) var verified = false
    private let packetOffset: Int

    init(body: ByteSource, algorithm: SymmetricAlgorithm, sessionKey: SecureBytes, packetOffset: Int) throws {
        guard let blockSize = algorithm.blockSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(algorithm) is not supported")
        }
        self.body = body
        self.packetOffset = packetOffset
        cipher = try CFBCipher(algorithm, key: sessionKey, encrypting: false)
        mdc = try HashContext(.sha1)
        // The random prefix (block size + 2) is hashed into the MDC and then dropped. Its
        // repeated bytes are deliberately not checked: that check is a known oracle.
        try fillPlain(atLeast: blockSize + 2 + Self.mdcLength)
        guard plain.count - plainStart >= blockSize + 2 + Self.mdcLength else {
            throw OpenPGPError(
                .integrityCheckFailed, "encrypted data is too short to carry its integrity check", offset: packetOffset)
        }
        plain.withUnsafeBytes {
            mdc.update(UnsafeRawBufferPointer(rebasing: $0[plainStart..<plainStart + blockSize + 2]))
        }
        plainStart += blockSize + 2
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if plain.count - plainStart <= Self.mdcLength && !bodyEnded {
            try fillPlain(atLeast: Self.mdcLength + 1)
        }
        let available = plain.count - plainStart - Self.mdcLength
        if available <= 0 {
            try verify()
            return 0
        }
        let count = min(buffer.count, available)
        plain.withUnsafeBytes { source in
            let slice = UnsafeRawBufferPointer(rebasing: source[plainStart..<plainStart + count])
            mdc.update(slice)
            buffer.copyMemory(from: slice)
        }
        plainStart += count
        return count
    }

    /// Reads and decrypts until `atLeast` bytes are pending or the body ends.
    private func fillPlain(atLeast: Int) throws {
        if plainStart > 0 {
            plain.removeSubrange(0..<plainStart)
            plainStart = 0
        }
        while plain.count < atLeast && !bodyEnded {
            let count = try input.withUnsafeMutableBytes { try body.read(into: $0) }
            if count == 0 {
                bodyEnded = true
                break
            }
            let old = plain.count
            plain += repeatElement(0, count: count)
            input.withUnsafeBytes { source in
                plain.withUnsafeMutableBytes { target in
                    cipher.update(
                        UnsafeRawBufferPointer(rebasing: source[0..<count]),
                        into: UnsafeMutableRawBufferPointer(rebasing: target[old..<old + count]))
                }
            }
        }
    }

    private func verify() throws {
        guard !verified else { return }
        let trailer = Array(plain[plainStart...])
        guard bodyEnded, trailer.count == Self.mdcLength, trailer[0] == 0xD3, trailer[1] == 0x14 else {
            throw OpenPGPError(
                .integrityCheckFailed, "the encrypted data has no valid MDC packet; no plaintext is released",
                offset: packetOffset, packetTag: PacketTag.symEncryptedIntegrityProtectedData.rawValue)
        }
        mdc.update(trailer[0..<2])
        let expected = mdc.finalize()
        guard SecureBytes(expected) == SecureBytes(trailer[2...]) else {
            throw OpenPGPError(
                .integrityCheckFailed, "the encrypted data was modified (MDC mismatch); no plaintext is released",
                offset: packetOffset, packetTag: PacketTag.symEncryptedIntegrityProtectedData.rawValue)
        }
        verified = true
    }
}
