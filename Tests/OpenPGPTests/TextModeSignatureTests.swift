import Foundation
import Testing

@testable import OpenPGP

@Suite("Text-mode signatures (type 0x01)")
struct TextModeSignatureTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.org>")

    /// Runs `input` through a canonicalizer in the given pieces.
    private func canonicalize(_ pieces: [String]) -> String {
        var canonicalizer = TextCanonicalizer()
        var out: [UInt8] = []
        for piece in pieces {
            Array(piece.utf8).withUnsafeBytes { canonicalizer.process($0) { out += $0 } }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func canonicalizerMakesEveryLineEndingCRLF() {
        #expect(canonicalize(["a\nb\r\nc\n"]) == "a\r\nb\r\nc\r\n")
        #expect(canonicalize(["\n\n"]) == "\r\n\r\n")
        #expect(canonicalize(["no line break"]) == "no line break")
        // A bare CR is not a line ending (GnuPG treats it so too).
        #expect(canonicalize(["a\rb"]) == "a\rb")
        #expect(canonicalize([]) == "")
    }

    @Test func canonicalizerCountsACRLFSplitAcrossWritesOnce() {
        #expect(canonicalize(["line one\r", "\nline two\n"]) == "line one\r\nline two\r\n")
        #expect(canonicalize(["line one", "\n", "\n"]) == "line one\r\n\r\n")
        #expect(canonicalize(["a\r", "", "\n"]) == "a\r\n")
        #expect(canonicalize(["a\r", "b\n"]) == "a\rb\r\n")
        // Byte by byte gives the same as all at once.
        let text = "x\r\n\ny\r\rz\n"
        let bytewise = Array(text.utf8).map { String(decoding: [$0], as: UTF8.self) }
        #expect(canonicalize(bytewise) == "x\r\n\r\ny\r\rz\r\n")
        #expect(canonicalize([text]) == "x\r\n\r\ny\r\rz\r\n")
        #expect(TextCanonicalizer.canonicalize(Array(text.utf8)) == Array(canonicalize([text]).utf8))
    }

    @Test(arguments: [LiteralFormat.text, .utf8])
    func inlineTextSignatureRoundTrips(format: LiteralFormat) throws {
        let data = Array("Grüße\nsecond line\r\nthird\n".utf8)
        let options = MessageOptions(compression: .uncompressed, literalFormat: format)
        let message = try OpenPGPMessage.sign(data, by: [Self.alice], options: options)
        let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [Self.alice.certificate])
        // Text is stored with CRLF line endings (RFC 4880 §5.9), as GnuPG expects.
        #expect(result.data == Array("Grüße\r\nsecond line\r\nthird\r\n".utf8))
        #expect(result.literalFormat == format)
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.signatures.first?.signatureType == .text)

        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(message))
        #expect(packets.map(\.tag) == [.onePassSignature, .literalData, .signature])
        #expect(packets[0].body[1] == SignatureType.text.rawValue)
    }

    @Test func textIsStoredCanonicallyWhateverTheWrites() throws {
        let options = MessageOptions(compression: .uncompressed, armor: false, literalFormat: .text)
        var output: [UInt8] = []
        let writer = try MessageWriter(recipients: [], signers: [Self.alice], options: options) { output += $0 }
        for piece in ["one\r", "\ntwo\n", "\n", "three\rfour"] { try writer.write(Array(piece.utf8)) }
        try writer.finish()
        let result = try OpenPGPMessage.decrypt(output, using: [], verifyingWith: [Self.alice.certificate])
        #expect(result.data == Array("one\r\ntwo\r\n\r\nthree\rfour".utf8))
        #expect(result.signatures.map(\.status) == [.good])
        // Binary data is stored exactly as written.
        let binary = try OpenPGPMessage.sign(
            Array("a\nb\r".utf8), by: [Self.alice], options: MessageOptions(literalFormat: .binary))
        #expect(try OpenPGPMessage.decrypt(binary, using: []).data == Array("a\nb\r".utf8))
    }

    @Test func tamperedTextSignedMessageIsBad() throws {
        let options = MessageOptions(compression: .uncompressed, armor: false, literalFormat: .text)
        var message = try OpenPGPMessage.sign(Array("pay 10 EUR\n".utf8), by: [Self.alice], options: options)
        let literal = try #require(PacketFraming.parse(message).first { $0.tag == .literalData })
        let index = try #require(message[literal.offset...].firstIndex(of: UInt8(ascii: "1")))
        message[index] = UInt8(ascii: "9")
        let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [Self.alice.certificate])
        #expect(result.data == Array("pay 90 EUR\r\n".utf8))
        #expect(result.signatures.map(\.status) == [.bad])
    }
}
