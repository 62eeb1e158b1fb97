/// Writes a version 2 Symmetrically Encrypted Integrity Protected Data packet (RFC 9580
/// §5.13.2): the header (cipher, AEAD mode, chunk size octet, 32-byte random salt), then
/// each chunk of plaintext sealed with its tag, then the final tag over the total length.
///
/// Holds one chunk of plaintext at a time.
final class SEIPDv2Stage: WriterStage {
    static let saltSize = 32
    private let body: PartialLengthStage
    private let schedule: AEADChunkSchedule
    /// Plaintext of the chunk being filled, `chunkSize` bytes reserved.
    private var plain: [UInt8]
    private var sealed: [UInt8]
    private var chunkIndex: UInt64 = 0
    private var totalLength: UInt64 = 0

    /// - Parameter chunkSizeExponent: the chunk size octet, 0…16 (chunks of 2^(n+6) bytes).
    init(
        algorithm: SymmetricAlgorithm, mode: AEADAlgorithm, chunkSizeExponent: Int, sessionKey: SecureBytes,
        next: WriterStage
    ) throws {
        try Self.checkChunkSizeExponent(chunkSizeExponent)
        let octet = UInt8(chunkSizeExponent)
        let salt = secureRandomBytes(Self.saltSize)
        schedule = try .seipdV2(
            sessionKey: sessionKey, cipher: algorithm, mode: mode, chunkSizeOctet: octet, salt: salt)
        plain = []
        plain.reserveCapacity(schedule.chunkSize)
        sealed = [UInt8](repeating: 0, count: schedule.chunkSize + AEADCipher.tagSize)
        body = try PartialLengthStage(tag: .symEncryptedIntegrityProtectedData, next: next)
        try body.write([2, algorithm.rawValue, mode.rawValue, octet] + salt)
    }

    /// Throws `invalidArgument` unless `exponent` is a chunk size octet RFC 9580 allows (0…16).
    static func checkChunkSizeExponent(_ exponent: Int) throws {
        guard (0...Int(AEADChunkSchedule.maxChunkSizeOctet)).contains(exponent) else {
            throw OpenPGPError(.invalidArgument, "the AEAD chunk size exponent must be 0–16, got \(exponent)")
        }
    }

    deinit {
        wipe(&plain)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            // Whole chunks are sealed straight from the input, without a copy.
            if plain.isEmpty, bytes.count - offset >= schedule.chunkSize {
                try seal(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + schedule.chunkSize]))
                offset += schedule.chunkSize
                continue
            }
            let take = min(schedule.chunkSize - plain.count, bytes.count - offset)
            plain += UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take])
            offset += take
            if plain.count == schedule.chunkSize { try sealChunk() }
        }
    }

    func finish() throws {
        if !plain.isEmpty { try sealChunk() }
        var tag = [UInt8](repeating: 0, count: AEADCipher.tagSize)
        try tag.withUnsafeMutableBytes { output in
            try schedule.cipher.seal(
                nonce: schedule.nonce(chunkIndex),
                associatedData: schedule.finalAssociatedData(chunks: chunkIndex, length: totalLength),
                plaintext: UnsafeRawBufferPointer(start: nil, count: 0), into: output)
        }
        try body.write(tag)
        try body.finish()
    }

    /// Seals the collected plaintext as one chunk and wipes it.
    private func sealChunk() throws {
        try plain.withUnsafeBytes { try seal($0) }
        plain.withUnsafeMutableBytes { wipe($0) }
        plain.removeAll(keepingCapacity: true)
    }

    /// Seals `input` as the next chunk and writes it with its tag.
    private func seal(_ input: UnsafeRawBufferPointer) throws {
        let count = input.count
        try sealed.withUnsafeMutableBytes { output in
            try schedule.cipher.seal(
                nonce: schedule.nonce(chunkIndex), associatedData: schedule.associatedData(chunkIndex),
                plaintext: input, into: output)
            try body.write(UnsafeRawBufferPointer(rebasing: output[0..<count + AEADCipher.tagSize]))
        }
        chunkIndex += 1
        totalLength += UInt64(count)
    }
}
