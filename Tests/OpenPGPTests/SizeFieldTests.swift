import Foundation
import Testing

@testable import OpenPGP

/// Inputs whose sizes sit at the edges of OpenPGP's 16-bit length fields. Each used to stop
/// the process with a conversion trap; each must now be read, or refused with a typed error.
@Suite("Sizes at the 16-bit length fields")
struct SizeFieldTests {
    static let key = try! SecretKey.generate(userID: "Sizes <sizes@example.org>")

    /// A v4 public-key packet of an algorithm this engine does not know, `bodyLength` bytes
    /// long, followed by a user ID: the shape of a crafted certificate.
    private func unknownAlgorithmKey(bodyLength: Int) -> [UInt8] {
        var body: [UInt8] = [4, 0x60, 0, 0, 0, 99]
        body += [UInt8](repeating: 0xA5, count: bodyLength - body.count)
        return PacketFraming.packet(tag: .publicKey, body: body)
            + PacketFraming.packet(tag: .userID, body: Array("Unknown <unknown@example.org>".utf8))
    }

    @Test func keyOfAnUnknownAlgorithmUpToTheFingerprintLimitIsRead() throws {
        let certificate = try Certificate(bytes: unknownAlgorithmKey(bodyLength: 65_535))
        #expect(certificate.fingerprint.bytes.count == 20)
    }

    @Test func keyOfAnUnknownAlgorithmPastTheFingerprintLimitIsRefused() throws {
        let crafted = unknownAlgorithmKey(bodyLength: 65_536)
        #expect(errorCode { _ = try Certificate(bytes: crafted) } == .malformedPacket)
        #expect(errorCode { _ = try Certificate(armored: Armor.encode(crafted, type: .publicKey)) } == .malformedPacket)
        #expect(errorCode { _ = try Keyring(bytes: crafted) } == .malformedPacket)
        // As a recipient or verifier next to a good key, it is refused before any use.
        let both = Self.key.certificate.serialized() + unknownAlgorithmKey(bodyLength: 100_000)
        #expect(errorCode { _ = try Certificate.readKeyring(both) } == .malformedPacket)
    }

    /// The fuzz corpus's boundary key with its subkey packet grown to 65,536 bytes: it used to
    /// read, then trap when a keyring merging it again computed the subkey's fingerprint.
    @Test func fuzzFindingOfAnOversizedSubkeyIsRefused() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/fuzz-findings/known-hashprefix-unknown-subkey-65536.bin")
        let bytes = Array(try Data(contentsOf: url))
        #expect(errorCode { _ = try Certificate(bytes: bytes) } == .malformedPacket)
        #expect(errorCode { _ = try SecretKey(bytes: bytes) } == .malformedPacket)
        #expect(errorCode { _ = try Keyring(bytes: bytes) } == .malformedPacket)
    }

    /// Appends five subpackets of 13,103 bytes, written with two-octet lengths, to the
    /// unhashed area of every signature packet in `message`. The area stays within 65,535
    /// bytes as written, but would not if the subpackets were re-encoded with five-octet
    /// lengths — and nothing in the unhashed area is covered by the signature.
    private func padUnhashedAreas(_ message: [UInt8]) throws -> [UInt8] {
        try PacketFraming.parse(message).flatMap { packet -> [UInt8] in
            guard packet.tag == .signature else { return packet.serialized }
            var reader = ByteReader(packet.body)
            let fixed = try reader.readBytes(4)
            let hashed = try reader.readBytes(Int(try reader.readUInt16()))
            let unhashed = try reader.readBytes(Int(try reader.readUInt16()))
            let rest = reader.readRest()
            let length = 13_103  // type octet + body
            let encoded = length - 192
            let subpacket =
                [UInt8(encoded >> 8 + 192), UInt8(encoded & 0xFF), 100] + [UInt8](repeating: 0x5A, count: length - 1)
            let padded = unhashed + Array([[UInt8]](repeating: subpacket, count: 5).joined())
            #expect(padded.count <= 65_535)
            #expect(padded.count + 5 * 3 > 65_535)
            var body = fixed
            body.appendUInt16(UInt16(hashed.count))
            body += hashed
            body.appendUInt16(UInt16(padded.count))
            return PacketFraming.packet(tag: .signature, body: body + padded + rest)
        }
    }

    @Test func paddedUnhashedAreaInAnInlineSignatureVerifies() throws {
        let data = Array("padded signature\n".utf8)
        let signed = try OpenPGPMessage.sign(
            data, by: [Self.key], options: MessageOptions(compression: .uncompressed, armor: false))
        let padded = try padUnhashedAreas(signed)
        let result = try OpenPGPMessage.decrypt(padded, using: [], verifyingWith: [Self.key.certificate])
        #expect(result.data == data)
        #expect(result.signatures.map(\.status) == [.good])
        // The signature block is handed back exactly as it was read.
        let original = try #require(PacketFraming.parse(padded).last)
        #expect(result.report.signaturePackets == PacketFraming.packet(tag: .signature, body: original.body))
    }

    @Test func paddedUnhashedAreaInADetachedSignatureVerifies() throws {
        let data = Array("detached\n".utf8)
        let signature = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.key], options: MessageOptions(armor: false))
        let results = try OpenPGPMessage.verifyDetached(
            try padUnhashedAreas(signature), of: data, with: [Self.key.certificate])
        #expect(results.map(\.status) == [.good])
    }

    @Test func paddedUnhashedAreaInAnEncryptedMessageVerifies() throws {
        let data = Array("encrypted and padded\n".utf8)
        let signed = try OpenPGPMessage.sign(
            data, by: [Self.key], options: MessageOptions(compression: .uncompressed, armor: false))
        let encrypted = try OpenPGPMessage.encrypt(
            try padUnhashedAreas(signed), for: [Self.key.certificate], options: MessageOptions(armor: false))
        // The encrypted layer holds a signed message as its literal data: read both layers.
        let outer = try OpenPGPMessage.decrypt(encrypted, using: [Self.key])
        let inner = try OpenPGPMessage.decrypt(outer.data, using: [], verifyingWith: [Self.key.certificate])
        #expect(inner.signatures.map(\.status) == [.good])
    }

    @Test func signatureWhoseSubpacketAreaCannotBeWrittenIsRefused() {
        let large = Subpacket(.notationData, [UInt8](repeating: 0, count: 70_000))
        #expect(
            errorCode {
                _ = try SignaturePacket(
                    type: .binary, publicKeyAlgorithm: .eddsaLegacy, hashAlgorithm: .sha256,
                    hashedSubpackets: [], unhashedSubpackets: [large], hashPrefix: [0, 0], signatureValues: [[1], [1]])
            } == .invalidArgument)
        #expect(
            errorCode {
                _ = try SignaturePacket(
                    type: .binary, publicKeyAlgorithm: .eddsaLegacy, hashAlgorithm: .sha256,
                    hashedSubpackets: [large], unhashedSubpackets: [], hashPrefix: [0, 0], signatureValues: [[1], [1]])
            } == .invalidArgument)
    }

    @Test func integersPastTheMPILimitAreRefused() throws {
        var out: [UInt8] = []
        try out.appendMPI([0x7F] + [UInt8](repeating: 0xFF, count: 8_191))
        #expect(out.prefix(2) == [0xFF, 0xFF])
        #expect(errorCode { try out.appendMPI([1] + [UInt8](repeating: 0, count: 8_192)) } == .invalidArgument)
        #expect(
            errorCode { try out.appendOneOctetLengthField([UInt8](repeating: 1, count: 256), "an OID") }
                == .invalidArgument)
        #expect(
            errorCode {
                _ = try PublicKeyPacket(
                    creationTime: 1, algorithm: .rsaEncryptOrSign,
                    parameters: .rsa(n: [UInt8](repeating: 1, count: 9_000), e: [1, 0, 1]))
            }
                == .invalidArgument)
    }

    @Test func datesOutsideTheTimestampFieldAreClamped() {
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: 1_700_000_000.9)) == 1_700_000_000)
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: -5)) == 0)
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: 1e300)) == .max)
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: .infinity)) == .max)
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: -.infinity)) == 0)
        #expect(UInt32(openPGPTimestamp: Date(timeIntervalSince1970: .nan)) == 0)
    }

    @Test func signingWithADateFarOutsideTheFieldWorks() throws {
        let data = Array("late\n".utf8)
        let signature = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.key],
            options: MessageOptions(armor: false, signatureDate: Date(timeIntervalSince1970: 1e300)))
        #expect(try PacketFraming.parse(signature).count == 1)
    }
}
