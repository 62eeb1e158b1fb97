import Foundation
import Testing

@testable import OpenPGP

/// Packet framings other implementations write: marker packets, old-format headers of each
/// length type (including indeterminate), and partial body lengths.
@Suite("Packet formats in messages")
struct PacketFormatTests {
    static let key = try! SecretKey.generate(userID: "Formats <formats@example.org>")
    let data = Array("framing\n".utf8)

    /// Re-frames every top-level packet with an old-format header of `lengthType`.
    private func oldFormat(_ packets: [RawPacket], lengthType: UInt8) -> [UInt8] {
        packets.flatMap { packet -> [UInt8] in
            var header: [UInt8] = [0x80 | packet.tag.rawValue << 2 | lengthType]
            switch lengthType {
            case 1: header.appendUInt16(UInt16(packet.body.count))
            case 2: header.appendUInt32(UInt32(packet.body.count))
            default: break
            }
            return header + packet.body
        }
    }

    @Test func markerPacketsAreSkipped() throws {
        let message = try OpenPGPMessage.encrypt(
            data, for: [Self.key.certificate], options: MessageOptions(armor: false))
        let marker = PacketFraming.packet(tag: .marker, body: Array("PGP".utf8))
        #expect(try OpenPGPMessage.decrypt(marker + message, using: [Self.key]).data == data)
    }

    @Test func oldFormatHeadersOfEveryLengthType() throws {
        let signed = try OpenPGPMessage.sign(
            data, by: [Self.key], options: MessageOptions(compression: .uncompressed, armor: false))
        let packets = try PacketFraming.parse(signed)
        for lengthType: UInt8 in [1, 2] {
            let result = try OpenPGPMessage.decrypt(
                oldFormat(packets, lengthType: lengthType), using: [], verifyingWith: [Self.key.certificate])
            #expect(result.data == data)
            #expect(result.signatures.map(\.status) == [.good])
        }
        // Indeterminate length (old format, tags up to 15): allowed only for the last,
        // data-carrying packet — here a compressed packet holding the literal data.
        let compressed = try OpenPGPMessage.sign(
            data, by: [Self.key], options: MessageOptions(compression: .zlib, armor: false))
        let unsignedLiteral = try PacketFraming.parse(compressed).first { $0.tag == .compressedData }
        let inner = try #require(unsignedLiteral)
        let indeterminate = [0x80 | PacketTag.compressedData.rawValue << 2 | 3] + inner.body
        let read = try OpenPGPMessage.decrypt(indeterminate, using: [], verifyingWith: [Self.key.certificate])
        #expect(read.data == data)
        #expect(read.signatures.map(\.status) == [.good])
        let signature = try #require(PacketFraming.parse(signed).last)
        let badIndeterminate = [0x80 | PacketTag.signature.rawValue << 2 | 3] + signature.body
        #expect(throws: OpenPGPError.self) { try OpenPGPMessage.decrypt(badIndeterminate, using: []) }
    }

    @Test func partialBodyLengthsAcrossChunks() throws {
        // More than one 64 KiB partial chunk at every layer.
        let large = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 2) }
        let message = try OpenPGPMessage.encrypt(
            large, for: [Self.key.certificate], signedBy: [Self.key],
            options: MessageOptions(compression: .uncompressed, armor: false))
        let packets = try PacketFraming.parse(message)
        #expect(packets.last?.usedPartialLengths == true)
        let result = try OpenPGPMessage.decrypt(message, using: [Self.key], verifyingWith: [Self.key.certificate])
        #expect(result.data == large)
        #expect(result.signatures.map(\.status) == [.good])
        // A first partial chunk shorter than 512 bytes is malformed.
        let tiny: [UInt8] = [0xC0 | PacketTag.literalData.rawValue, 0xE0 | 4] + Array(repeating: 0x62, count: 16) + [0]
        #expect(throws: OpenPGPError.self) { try OpenPGPMessage.decrypt(tiny, using: []) }
    }
}
