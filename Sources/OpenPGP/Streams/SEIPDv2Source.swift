/// Decrypts chunked AEAD data — a version 2 SEIPD body (RFC 9580 §5.13.2), or GnuPG's AEAD
/// Encrypted Data body — one chunk at a time, as it is read.
///
/// A chunk's plaintext is handed out only after its tag checked; the last chunk only after
/// the final tag (over the number of chunks and the total length) checked too, so a reader
/// that gets to the end has read exactly what was encrypted, neither truncated nor extended.
/// A failed check throws `integrityCheckFailed` and releases nothing of that chunk. Memory:
/// one sealed chunk (at most 4 MiB and 33 bytes) and its plaintext.
///
/// With `allOrNothingLimit` set, nothing at all is handed out until the final tag checked:
/// the whole plaintext is decrypted into memory first, and data whose plaintext would exceed
/// the limit is refused with `workLimitExceeded` before any of it is released.
final class SEIPDv2Source: ByteSource {
    private static let tagSize = AEADCipher.tagSize
    private let body: ByteSource
    private let schedule: AEADChunkSchedule
    private let packetOffset: Int
    private let packetTag: PacketTag
    private let allOrNothingLimit: Int?
    /// Sealed bytes read but not yet opened: room for a whole sealed chunk, the final tag and
    /// one byte more, so that a chunk is known not to be the last one only when more than the
    /// final tag follows it (the last chunk waits for the final tag).
    private var input: [UInt8]
    private var inputCount = 0
    private var bodyEnded = false
    /// Authenticated plaintext not yet handed out.
    private var plain: [UInt8] = []
    private var plainStart = 0
    private var chunkIndex: UInt64 = 0
    private var totalLength: UInt64 = 0
    /// Sealed bytes consumed so far, for error messages.
    private var consumed = 0
    /// Whether the final tag checked: the data is complete and authentic.
    private(set) var verified = false

    init(
        body: ByteSource, schedule: AEADChunkSchedule, packetOffset: Int,
        packetTag: PacketTag = .symEncryptedIntegrityProtectedData, allOrNothingLimit: Int? = nil
    ) {
        self.body = body
        self.schedule = schedule
        self.packetOffset = packetOffset
        self.packetTag = packetTag
        self.allOrNothingLimit = allOrNothingLimit
        input = [UInt8](repeating: 0, count: Self.lookahead(chunkSize: schedule.chunkSize))
    }

    /// How many sealed bytes the source reads ahead for chunks of `chunkSize` bytes.
    static func lookahead(chunkSize: Int) -> Int { chunkSize + 2 * tagSize + 1 }

    deinit {
        wipe(&plain)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if allOrNothingLimit != nil && !verified { try decryptEverything() }
        while plainStart == plain.count {
            if verified { return 0 }
            try openNextChunk()
        }
        let count = min(buffer.count, plain.count - plainStart)
        plain.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[plainStart..<plainStart + count]))
        }
        plainStart += count
        return count
    }

    /// Opens the first chunk now (without handing anything out), so that a wrong session
    /// key shows as `integrityCheckFailed` before the data is used.
    func authenticateFirstChunk() throws {
        if chunkIndex == 0 && !verified && plain.isEmpty { try openNextChunk() }
    }

    private func decryptEverything() throws {
        var whole: [UInt8] = []
        defer { wipe(&whole) }
        let limit = allOrNothingLimit ?? .max
        while !verified {
            try openNextChunk()
            guard plain.count - plainStart <= limit - whole.count else {
                throw failure(
                    .workLimitExceeded,
                    "the encrypted data holds more than the \(limit) bytes all-or-nothing decryption may keep in memory"
                )
            }
            whole += plain[plainStart...]
            plainStart = plain.count
        }
        wipe(&plain)
        swap(&plain, &whole)
        plainStart = 0
    }

    /// Reads and opens the next chunk into `plain`; at the end also checks the final tag.
    private func openNextChunk() throws {
        let sealedChunk = schedule.chunkSize + Self.tagSize
        try fill()
        wipe(&plain)
        plainStart = 0
        if inputCount == input.count {
            // A whole chunk with more than a tag after it: not the last chunk.
            try open(count: sealedChunk)
            shift(by: sealedChunk)
            return
        }
        // The input ended: what is left is the last chunk (maybe none) and the final tag.
        guard inputCount >= Self.tagSize else {
            throw failure(.integrityCheckFailed, "the encrypted data ends before its final authentication tag")
        }
        let lastChunk = inputCount - Self.tagSize
        if lastChunk > 0 {
            guard lastChunk >= Self.tagSize else {
                throw failure(
                    .integrityCheckFailed, "the encrypted data ends inside the tag of chunk \(chunkIndex)")
            }
            try open(count: lastChunk)
        }
        let finalTag = Array(input[lastChunk..<inputCount])
        do {
            var empty: [UInt8] = []
            try finalTag.withUnsafeBytes { sealed in
                try empty.withUnsafeMutableBytes { output in
                    try schedule.cipher.open(
                        nonce: schedule.nonce(chunkIndex),
                        associatedData: schedule.finalAssociatedData(chunks: chunkIndex, length: totalLength),
                        sealed: sealed, into: output)
                }
            }
        } catch let error as OpenPGPError where error.code == .integrityCheckFailed {
            // The last chunk's plaintext stays unreleased.
            wipe(&plain)
            throw failure(
                .integrityCheckFailed,
                "the final authentication tag does not match (the data was truncated or modified); no further plaintext is released"
            )
        }
        consumed += inputCount
        inputCount = 0
        verified = true
    }

    /// Opens the `count` sealed bytes at the start of `input` as chunk `chunkIndex`.
    private func open(count: Int) throws {
        plain = [UInt8](repeating: 0, count: count - Self.tagSize)
        do {
            try input.withUnsafeBytes { source in
                try plain.withUnsafeMutableBytes { output in
                    try schedule.cipher.open(
                        nonce: schedule.nonce(chunkIndex), associatedData: schedule.associatedData(chunkIndex),
                        sealed: UnsafeRawBufferPointer(rebasing: source[0..<count]), into: output)
                }
            }
        } catch let error as OpenPGPError where error.code == .integrityCheckFailed {
            plain = []
            throw failure(
                .integrityCheckFailed,
                "chunk \(chunkIndex) (encrypted bytes \(consumed)–\(consumed + count - 1)) failed its authentication check; none of its plaintext is released"
            )
        }
        chunkIndex += 1
        totalLength += UInt64(count - Self.tagSize)
    }

    /// Reads until `input` is full or the body ends.
    private func fill() throws {
        while inputCount < input.count && !bodyEnded {
            let count = try input.withUnsafeMutableBytes {
                try body.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[inputCount...]))
            }
            if count == 0 { bodyEnded = true } else { inputCount += count }
        }
    }

    private func shift(by count: Int) {
        input.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            base.copyMemory(from: base + count, byteCount: inputCount - count)
        }
        inputCount -= count
        consumed += count
    }

    private func failure(_ code: OpenPGPError.Code, _ message: String) -> OpenPGPError {
        OpenPGPError(code, message, offset: packetOffset, packetTag: packetTag.rawValue)
    }
}

/// Decrypted data that knows whether its integrity check passed (at its end).
protocol AuthenticatedSource: ByteSource {
    /// Whether the data was read to its end and found authentic.
    var verified: Bool { get }
}

extension SEIPDv1Source: AuthenticatedSource {}
extension SEIPDv2Source: AuthenticatedSource {}

/// The algorithm octets of a chunked AEAD packet (SEIPDv2 or GnuPG's AEAD Encrypted Data):
/// cipher, AEAD mode, chunk size octet, checked as they are read.
struct AEADPacketHeader {
    let tag: PacketTag
    let cipher: SymmetricAlgorithm
    let mode: AEADAlgorithm
    let chunkSizeOctet: UInt8
    let nonceSize: Int

    /// Parses the three octets; throws `unsupportedAlgorithm` for a cipher or mode this
    /// engine lacks and `malformedPacket` for a chunk size octet above 16.
    init(_ fields: [UInt8], tag: PacketTag, offset: Int) throws {
        guard fields.count >= 3 else {
            throw OpenPGPError(
                .truncatedPacket, "the \(tag) header is cut short", offset: offset, packetTag: tag.rawValue)
        }
        self.tag = tag
        cipher = SymmetricAlgorithm(rawValue: fields[0])
        mode = AEADAlgorithm(rawValue: fields[1])
        chunkSizeOctet = fields[2]
        guard let nonceSize = mode.nonceSize else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "AEAD algorithm \(mode.rawValue) is not supported", offset: offset,
                packetTag: tag.rawValue)
        }
        self.nonceSize = nonceSize
        guard cipher.supportsAEAD(mode) else {
            throw OpenPGPError(
                .unsupportedAlgorithm, "\(mode) with \(cipher) is not supported", offset: offset,
                packetTag: tag.rawValue)
        }
        guard chunkSizeOctet <= AEADChunkSchedule.maxChunkSizeOctet else {
            throw OpenPGPError(
                .malformedPacket, "the chunk size octet is \(chunkSizeOctet); at most 16 is allowed", offset: offset,
                packetTag: tag.rawValue)
        }
    }

    /// The three octets as on the wire.
    var octets: [UInt8] { [cipher.rawValue, mode.rawValue, chunkSizeOctet] }

    /// Plaintext bytes per chunk.
    var chunkSize: Int { 1 << (Int(chunkSizeOctet) + 6) }
}
