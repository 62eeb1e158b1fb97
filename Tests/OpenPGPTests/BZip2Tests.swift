import Testing

@testable import OpenPGP

@Suite("BZip2 compression")
struct BZip2Tests {
    /// The body of the Compressed Data packet `BZip2Stage` writes for `data`, fed in pieces.
    static func compressedBody(_ data: [UInt8], level: Int = 9, piece: Int = 1 << 20) throws -> [UInt8] {
        var output: [UInt8] = []
        let stage = try BZip2Stage(level: level, next: try OutputStage(armor: nil) { output += $0 })
        var offset = 0
        while offset < data.count {
            let end = min(offset + piece, data.count)
            try data[offset..<end].withUnsafeBytes { try stage.write($0) }
            offset = end
        }
        try stage.finish()
        let packets = try PacketFraming.parse(output)
        #expect(packets.map(\.tag) == [.compressedData])
        let body = try #require(packets.first?.body)
        #expect(body.first == CompressionAlgorithm.bzip2.rawValue)
        return body
    }

    /// Inflates a Compressed Data packet body (algorithm octet first) through
    /// `BZip2InflatingSource`, reading `readSize` bytes at a time.
    static func inflate(
        _ body: [UInt8], limits: DecompressionLimits = DecompressionLimits(), offset: Int = 0, readSize: Int = 1 << 16
    ) throws -> [UInt8] {
        #expect(body.first == CompressionAlgorithm.bzip2.rawValue)
        let source = try BZip2InflatingSource(
            body: ArrayByteSource(Array(body.dropFirst())), limits: limits, offset: offset)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: readSize)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return output }
            output += chunk.prefix(count)
        }
    }

    static let text = Array(String(repeating: "Grüße aus PGPMail, bzip2 edition. ", count: 3000).utf8)

    @Test(arguments: [0, 1, 6, 9])
    func stageOutputInflatesBack(level: Int) throws {
        let body = try Self.compressedBody(Self.text, level: level, piece: 777)
        #expect(Array(body.dropFirst().prefix(3)) == Array("BZh".utf8))
        #expect(body.count < Self.text.count / 10)
        #expect(try Self.inflate(body) == Self.text)
        // Small reads resume inside a stream.
        #expect(try Self.inflate(body, readSize: 7) == Self.text)
    }

    @Test func emptyInputRoundTrips() throws {
        let body = try Self.compressedBody([])
        #expect(try Self.inflate(body) == [])
    }

    @Test func messagesRoundTripThroughTheWriter() throws {
        #expect(CompressionAlgorithm.bzip2.isSupported)
        let key = try SecretKey.generate(userID: "BZip2 <bzip2@example.org>")
        let options = MessageOptions(cipher: .twofish, compression: .bzip2, compressionLevel: 9)
        let encrypted = try OpenPGPMessage.encrypt(Self.text, for: [key.certificate], signedBy: [key], options: options)
        let result = try OpenPGPMessage.decrypt(encrypted, using: [key], verifyingWith: [key.certificate])
        #expect(result.data == Self.text)
        #expect(result.compression == .bzip2)
        #expect(result.signatures.map(\.status) == [.good])
        let signed = try OpenPGPMessage.sign(
            Self.text, by: [key], options: MessageOptions(compression: .bzip2, compressionLevel: 1))
        let verified = try OpenPGPMessage.decrypt(signed, using: [], verifyingWith: [key.certificate])
        #expect(verified.data == Self.text)
        #expect(verified.compression == .bzip2)
    }

    @Test func concatenatedStreamsAreAllRead() throws {
        let first = try Self.compressedBody(Array("first stream, ".utf8))
        let second = try Self.compressedBody(Array("second stream".utf8))
        let joined = first + second.dropFirst()
        #expect(try Self.inflate(joined) == Array("first stream, second stream".utf8))
        #expect(try Self.inflate(joined, readSize: 1) == Array("first stream, second stream".utf8))
    }

    @Test func bombStopsAtTheRatioLimit() throws {
        // 32 MiB of zeros compress to well under a kilobyte.
        let zeros = [UInt8](repeating: 0, count: 32 << 20)
        let body = try Self.compressedBody(zeros)
        #expect(body.count < 1024)
        let limits = DecompressionLimits(maxRatio: 1000, ratioGrace: 1 << 20)
        let error = try #require(throws: OpenPGPError.self) { try Self.inflate(body, limits: limits, offset: 42) }
        #expect(error.code == .decompressionLimitExceeded)
        #expect(error.offset == 42)
        // The same limits through the public reader.
        let key = try SecretKey.generate(userID: "Bomb <bomb@example.org>")
        let message = try OpenPGPMessage.sign(zeros, by: [key], options: MessageOptions(compression: .bzip2))
        let readError = try #require(throws: OpenPGPError.self) {
            try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [key.certificate], limits: limits)
        }
        #expect(readError.code == .decompressionLimitExceeded)
    }

    @Test func bombStopsAtTheSizeLimit() throws {
        let body = try Self.compressedBody([UInt8](repeating: 0x41, count: 8 << 20))
        let limits = DecompressionLimits(maxOutputBytes: 1 << 20)
        let error = try #require(throws: OpenPGPError.self) { try Self.inflate(body, limits: limits) }
        #expect(error.code == .decompressionLimitExceeded)
    }

    @Test func truncatedDataIsATypedError() throws {
        let body = try Self.compressedBody(Self.text)
        for length in [1, 4, 10, body.count / 2, body.count - 1] {
            let error = try #require(throws: OpenPGPError.self) {
                try Self.inflate(Array(body.prefix(length)))
            }
            #expect(error.code == .decompressionFailed, "cut at \(length)")
        }
    }

    @Test func corruptDataIsATypedError() throws {
        let body = try Self.compressedBody(Self.text)
        var badMagic = body
        badMagic[1] = UInt8(ascii: "X")
        var badBlock = body
        badBlock[body.count / 2] ^= 0x55
        var trailingGarbage = body
        trailingGarbage += Array("garbage".utf8)
        for corrupt in [badMagic, badBlock, trailingGarbage] {
            let error = try #require(throws: OpenPGPError.self) {
                try Self.inflate(corrupt)
            }
            #expect(error.code == .decompressionFailed)
        }
    }
}
