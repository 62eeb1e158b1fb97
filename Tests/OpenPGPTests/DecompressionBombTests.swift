import Foundation
import Testing

@testable import OpenPGP

/// Messages that decompress to much more than they are, built with the writer's own stages.
enum CompressionBomb {
    /// A message whose literal data is `data` written `times` times, compressed once per entry
    /// of `layers` (the first innermost, each Compressed Data packet inside the next), then
    /// encrypted to `recipient` if one is given.
    static func message(
        _ data: [UInt8], times: Int = 1, layers: [CompressionAlgorithm], level: Int = 9,
        to recipient: Certificate? = nil
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        let sink = try OutputStage(armor: nil) { output += $0 }
        var stage: WriterStage = sink
        if let recipient {
            let key = try #require(recipient.encryptionKeys(at: Date()).first)
            let sessionKey = SecureBytes.random(count: 16)
            let fields = try SessionKeyCrypto.encrypt(sessionKey: sessionKey, cipher: .aes128, to: key.packet)
            try sink.write(
                PacketFraming.packet(
                    tag: .publicKeyEncryptedSessionKey, body: [3] + key.keyID.bytes + [key.algorithm.rawValue] + fields)
            )
            stage = try SEIPDv1Stage(algorithm: .aes128, sessionKey: sessionKey, next: sink)
        }
        for algorithm in layers.reversed() {
            stage = try compressionStage(for: algorithm, level: level, next: stage)
        }
        let literal = try LiteralDataStage(format: .binary, fileName: "", date: nil, hashes: [], next: stage)
        for _ in 0..<times { try literal.write(data) }
        try literal.finish()
        try stage.finish()
        return output
    }

    /// `count` MiB of zeros.
    static func zeros(
        mebibytes count: Int, layers: [CompressionAlgorithm], to recipient: Certificate? = nil
    ) throws -> [UInt8] {
        try message([UInt8](repeating: 0, count: 1 << 20), times: count, layers: layers, to: recipient)
    }
}

/// Counts the plaintext it is given without keeping it.
final class CountingPlaintextSink: PlaintextSink {
    private(set) var written = 0
    private(set) var committed = false
    func write(_ bytes: UnsafeRawBufferPointer) throws { written += bytes.count }
    func commit() throws { committed = true }
    func discard() {}
}

/// Decompression limits over all compression layers of a message, and the lower default of
/// the in-memory APIs.
@Suite("Decompression bombs")
struct DecompressionBombTests {
    static let recipient = try! SecretKey.generate(userID: "Bomb Recipient <recipient@example.org>")

    /// Inflates a Compressed Data packet body on its own, as every layer was checked before
    /// the limits applied to the whole message.
    private func inflateAlone(_ packet: RawPacket, limits: DecompressionLimits) throws -> [UInt8] {
        #expect(packet.tag == .compressedData && packet.body.first == CompressionAlgorithm.zlib.rawValue)
        let source = try ZlibInflatingSource(
            body: ArrayByteSource(Array(packet.body.dropFirst())), raw: false, limits: limits, offset: 0)
        return try source.readToEnd()
    }

    @Test func nestedBombPassesEveryLayerButNotTheTotal() throws {
        // 64 MiB of zeros, deflated twice: about 250 bytes. Each layer expands at most about
        // 1000-fold, under the 2048-fold limit; together they expand over 200 000-fold.
        let limits = DecompressionLimits(maxRatio: 2048, ratioGrace: 1 << 20)
        let plain = try CompressionBomb.zeros(mebibytes: 64, layers: [.zlib, .zlib])
        #expect(plain.count < 1024)

        // Layer by layer, the old per-packet check, every layer passes.
        let outer = try #require(try PacketFraming.parse(plain).first)
        let inner = try #require(try PacketFraming.parse(try inflateAlone(outer, limits: limits)).first)
        let literal = try inflateAlone(inner, limits: limits)
        #expect(literal.count > 64 << 20)

        // Counted over the whole message, the expansion is refused, and in-memory by default.
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(plain, using: [], limits: limits) }
                == .decompressionLimitExceeded)
        #expect(errorCode { _ = try OpenPGPMessage.decrypt(plain, using: []) } == .decompressionLimitExceeded)

        // Encrypted, the same: the error, and no plaintext released.
        let encrypted = try CompressionBomb.zeros(
            mebibytes: 64, layers: [.zlib, .zlib], to: Self.recipient.certificate)
        let sink = MemoryPlaintextSink()
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(
                    from: ArrayByteSource(encrypted), to: sink, using: [Self.recipient], limits: limits)
            } == .decompressionLimitExceeded)
        #expect(sink.data == nil)
    }

    @Test(arguments: [[CompressionAlgorithm.zlib, .zlib], [.zip, .zlib, .zip], [.zlib, .bzip2]])
    func nestedBombStopsAtTheDefaultRatioGrace(layers: [CompressionAlgorithm]) throws {
        // Under the default limits (2048-fold after 16 MiB) a nested bomb is stopped once it
        // has produced 16 MiB: well before the 64 MiB it holds, or any output cap.
        let bomb = try CompressionBomb.zeros(mebibytes: 64, layers: layers, to: Self.recipient.certificate)
        let sink = CountingPlaintextSink()
        let error = try #require(throws: OpenPGPError.self) {
            try OpenPGPMessage.decrypt(from: ArrayByteSource(bomb), to: sink, using: [Self.recipient])
        }
        #expect(error.code == .decompressionLimitExceeded)
        #expect(error.description.contains("2048-fold"))
        #expect(sink.written <= 17 << 20)
        #expect(!sink.committed)
    }

    @Test func singleLayerBombStopsAtTheInMemoryDefault() throws {
        // 257 MiB of zeros in one deflate layer expand about 1000-fold: under the ratio limit,
        // so only the output cap stops them. In memory that is 256 MiB ...
        #expect(DecompressionLimits.inMemory.maxOutputBytes == 256 << 20)
        let bomb = try CompressionBomb.zeros(mebibytes: 257, layers: [.zlib], to: Self.recipient.certificate)
        #expect(bomb.count < 400 << 10)
        let error = try #require(throws: OpenPGPError.self) {
            try OpenPGPMessage.decrypt(bomb, using: [Self.recipient])
        }
        #expect(error.code == .decompressionLimitExceeded)
        #expect(error.description.contains("\(256 << 20) bytes"))
        // ... while reading into a stream may go on to the larger streaming cap.
        let sink = CountingPlaintextSink()
        _ = try OpenPGPMessage.decrypt(from: ArrayByteSource(bomb), to: sink, using: [Self.recipient])
        #expect(sink.written == 257 << 20 && sink.committed)
        #expect(DecompressionLimits.streaming.maxOutputBytes == 1 << 32)
    }

    @Test func theInMemoryCapIsTheCallers() throws {
        let message = try CompressionBomb.zeros(mebibytes: 4, layers: [.zip], to: Self.recipient.certificate)
        var limits = DecompressionLimits.inMemory
        limits.maxOutputBytes = 3 << 20
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(message, using: [Self.recipient], limits: limits) }
                == .decompressionLimitExceeded)
        // (The output counted includes the literal packet's few framing bytes.)
        limits.maxOutputBytes = (4 << 20) + (4 << 10)
        #expect(try OpenPGPMessage.decrypt(message, using: [Self.recipient], limits: limits).data.count == 4 << 20)
    }

    @Test func legitimateNestedCompressionIsCountedOnce() throws {
        // Random data does not compress: compressed twice it is still about 3 MiB at every
        // layer. A cap of 3 MiB plus a little holds, so the layers are not added up.
        let data = secureRandomBytes(3 << 20)
        let message = try CompressionBomb.message(data, layers: [.zlib, .zip], to: Self.recipient.certificate)
        let limits = DecompressionLimits(maxOutputBytes: (3 << 20) + (256 << 10), maxRatio: 2, ratioGrace: 0)
        let read = try OpenPGPMessage.decrypt(message, using: [Self.recipient], limits: limits)
        #expect(read.data == data)
        #expect(read.compression == .zip)
    }

    @Test func largeCompressibleMessageReadsInMemory() throws {
        // 48 MiB of text, compressed about 100-fold by the ordinary writer: fine by default.
        let line = Array("Quarterly numbers, line after line, well within any limit.\n".utf8)
        var data: [UInt8] = []
        data.reserveCapacity(48 << 20)
        while data.count + line.count <= 48 << 20 { data += line }
        let message = try OpenPGPMessage.encrypt(
            data, for: [Self.recipient.certificate], options: MessageOptions(armor: false))
        #expect(message.count < data.count / 50)
        let read = try OpenPGPMessage.decrypt(message, using: [Self.recipient])
        #expect(Data(read.data) == Data(data))
    }
}
