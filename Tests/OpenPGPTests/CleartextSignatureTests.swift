import Foundation
import Testing

@testable import OpenPGP

@Suite("Cleartext signatures (RFC 9580 §7)")
struct CleartextSignatureTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.org>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")
    /// A fixed signing time at which both keys are valid.
    static let fixedDate = Date(
        timeIntervalSince1970: TimeInterval(
            max(alice.certificate.primaryKey.packet.creationTime, bob.certificate.primaryKey.packet.creationTime)) + 1)
    static let text = "Hello,\n-- \nFrom the desk of Alice  \n- a list item\t\n\nGrüße\n"

    /// The part of `message` before the signature.
    private func cleartextPart(_ message: String) throws -> String {
        let range = try #require(message.range(of: "-----BEGIN PGP SIGNATURE-----"))
        return String(message[..<range.lowerBound])
    }

    @Test func writesTheFramingAndDashEscapes() throws {
        let message = try OpenPGPMessage.clearSign(Self.text, by: [Self.alice])
        #expect(
            try cleartextPart(message) == """
                -----BEGIN PGP SIGNED MESSAGE-----
                Hash: SHA256

                Hello,
                - --
                - From the desk of Alice
                - - a list item

                Grüße

                """)
        #expect(message.hasSuffix("-----END PGP SIGNATURE-----\n"))
        let blocks = try Armor.decode(message)
        #expect(blocks.map(\.type) == [.signature])
        let packets = try PacketFraming.parse(blocks[0].data)
        #expect(try packets.map { try SignaturePacket(body: $0.body, offset: 0).type } == [.text])
    }

    @Test func roundTripsWithoutTrailingWhitespaceAndFinalLineBreak() throws {
        let message = try OpenPGPMessage.clearSign(Self.text, by: [Self.alice])
        let result = try OpenPGPMessage.verifyCleartext(message, with: [Self.alice.certificate])
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.hasGoodSignature)
        #expect(result.text == "Hello,\n--\nFrom the desk of Alice\n- a list item\n\nGrüße")
        #expect(result.declaredHashes == [.sha256])
        #expect(result.signatures.first?.signatureType == .text)
        #expect(result.signatures.first?.signerFingerprint == Self.alice.fingerprint)
    }

    @Test func theLineBreakBeforeTheSignatureIsNotSigned() throws {
        let options = MessageOptions(signatureDate: Self.fixedDate)
        let withBreak = try OpenPGPMessage.clearSign("one\ntwo\n", by: [Self.alice], options: options)
        #expect(try OpenPGPMessage.clearSign("one\ntwo", by: [Self.alice], options: options) == withBreak)
        #expect(try OpenPGPMessage.clearSign("one\r\ntwo  \r\n", by: [Self.alice], options: options) == withBreak)
        // A blank last line is part of the text.
        let blankLast = try OpenPGPMessage.clearSign("one\ntwo\n\n", by: [Self.alice], options: options)
        #expect(blankLast != withBreak)
        #expect(try OpenPGPMessage.verifyCleartext(blankLast, with: [Self.alice.certificate]).text == "one\ntwo\n")
        let empty = try OpenPGPMessage.verifyCleartext(
            try OpenPGPMessage.clearSign("", by: [Self.alice]), with: [Self.alice.certificate])
        #expect(empty.text == "")
        #expect(empty.signatures.map(\.status) == [.good])
    }

    @Test func streamingInPiecesGivesTheSameMessage() throws {
        let options = MessageOptions(signatureDate: Self.fixedDate)
        let text = Array("a\r\nb\rc\n-d\r\n\r\nFrom e \r".utf8)
        let whole = try OpenPGPMessage.clearSign(text, by: [Self.alice], options: options)
        var output: [UInt8] = []
        let signer = try CleartextSigner(signers: [Self.alice], options: options) { output += $0 }
        for byte in text { try signer.write([byte]) }
        try signer.finish()
        #expect(output == whole)
        #expect(throws: OpenPGPError.self) { try signer.finish() }
        let result = try OpenPGPMessage.verifyCleartext(whole, with: [Self.alice.certificate])
        #expect(result.text == "a\nb\nc\n-d\n\nFrom e")
        #expect(result.signatures.map(\.status) == [.good])
    }

    @Test func optionsApply() throws {
        let options = MessageOptions(
            hash: .sha512, armorHeaders: ArmorHeaders(comment: "PGPMail", version: "1.0"), armorLineEnding: .crlf)
        let message = try OpenPGPMessage.clearSign("line\nnext\n", by: [Self.alice, Self.bob], options: options)
        #expect(
            message.hasPrefix(
                "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA512\r\n\r\nline\r\nnext\r\n-----BEGIN PGP SIGNATURE-----\r\nVersion: 1.0\r\nComment: PGPMail\r\n\r\n"
            ))
        let result = try OpenPGPMessage.verifyCleartext(message, with: [Self.alice.certificate, Self.bob.certificate])
        #expect(result.signatures.map(\.status) == [.good, .good])
        #expect(result.signatures.map(\.hashAlgorithm) == [.sha512, .sha512])
        #expect(result.text == "line\nnext")

        // The Hash header is optional when reading (RFC 9580 deprecates it).
        let bare = try OpenPGPMessage.clearSign("text", by: [Self.alice]).replacingOccurrences(
            of: "Hash: SHA256\n", with: "")
        #expect(bare.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----\n\ntext\n-----BEGIN PGP SIGNATURE-----\n"))
        let bareResult = try OpenPGPMessage.verifyCleartext(bare, with: [Self.alice.certificate])
        #expect(bareResult.declaredHashes.isEmpty)
        #expect(bareResult.signatures.map(\.status) == [.good])
    }

    @Test func tamperingOrAnUnknownKeyIsReported() throws {
        let message = try OpenPGPMessage.clearSign("Transfer 10 EUR to Bob.\n", by: [Self.alice])
        let tampered = message.replacingOccurrences(of: "10 EUR", with: "90 EUR")
        #expect(
            try OpenPGPMessage.verifyCleartext(tampered, with: [Self.alice.certificate]).signatures.map(\.status) == [
                .bad
            ])
        let added = message.replacingOccurrences(of: "Bob.\n", with: "Bob.\nAnd Mallory.\n")
        #expect(
            try OpenPGPMessage.verifyCleartext(added, with: [Self.alice.certificate]).signatures.map(\.status) == [.bad]
        )
        // Trailing whitespace and LF versus CRLF do not matter; they are not signed.
        let spaced = message.replacingOccurrences(of: "Bob.\n", with: "Bob. \t\r\n")
        #expect(
            try OpenPGPMessage.verifyCleartext(spaced, with: [Self.alice.certificate]).signatures.map(\.status) == [
                .good
            ])
        #expect(
            try OpenPGPMessage.verifyCleartext(message, with: [Self.bob.certificate]).signatures.map(\.status) == [
                .missingKey
            ])
    }

    @Test func hashHeaderMustAgreeWithTheSignatures() throws {
        let message = try OpenPGPMessage.clearSign("text\n", by: [Self.alice])
        let certificates = [Self.alice.certificate]
        let other = message.replacingOccurrences(of: "Hash: SHA256", with: "Hash: SHA512")
        let result = try OpenPGPMessage.verifyCleartext(other, with: certificates)
        #expect(result.signatures.map(\.status) == [.bad])
        #expect(result.signatures.first?.detail.contains("Hash header") == true)
        let listed = message.replacingOccurrences(of: "Hash: SHA256", with: "Hash: SHA512, sha256\nHash: SHA1")
        #expect(
            try OpenPGPMessage.verifyCleartext(listed, with: certificates).declaredHashes == [.sha512, .sha256, .sha1])
        #expect(try OpenPGPMessage.verifyCleartext(listed, with: certificates).signatures.map(\.status) == [.good])
        // A Hash header that is not a list of hash names, or any other header, is refused.
        for header in ["Hash: SHA256 and this is signed too", "Hash: ", "Comment: hi", "Hash:SHA256"] {
            let framed = message.replacingOccurrences(of: "Hash: SHA256", with: header)
            #expect(
                errorCode { _ = try OpenPGPMessage.verifyCleartext(framed, with: certificates) } == .malformedArmor,
                "\(header)")
        }
    }

    @Test func aBinarySignatureIsNotACleartextSignature() throws {
        let text = "text"
        let detached = try OpenPGPMessage.detachedSignature(for: Array(text.utf8), by: [Self.alice])
        let message = "-----BEGIN PGP SIGNED MESSAGE-----\n\n\(text)\n" + String(decoding: detached, as: UTF8.self)
        let result = try OpenPGPMessage.verifyCleartext(message, with: [Self.alice.certificate])
        #expect(result.signatures.map(\.status) == [.bad])
        #expect(
            try OpenPGPMessage.verifyDetached(detached, of: Array(text.utf8), with: [Self.alice.certificate]).map(
                \.status) == [.good])
    }

    @Test func malformedFramingIsATypedError() throws {
        let message = try OpenPGPMessage.clearSign("- dash\ntext\n", by: [Self.alice])
        let certificates = [Self.alice.certificate]
        let signature = try #require(message.range(of: "-----BEGIN PGP SIGNATURE-----")).lowerBound
        let cases: [String] = [
            "no framing at all",
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n",
            String(message[..<signature]),
            message.replacingOccurrences(of: "- - dash", with: "-- dash"),
            message.replacingOccurrences(of: "-----END PGP SIGNATURE-----", with: ""),
            message.replacingOccurrences(of: "\nHash: SHA256\n\n", with: "\nHash: SHA256\n"),
        ]
        for input in cases {
            #expect(
                errorCode { _ = try OpenPGPMessage.verifyCleartext(input, with: certificates) } == .malformedArmor,
                "\(input)")
        }
        let literal = PacketFraming.packet(tag: .literalData, body: [0x62, 0, 0, 0, 0, 0])
        let notSignatures = String(message[..<signature]) + Armor.encode(literal, type: .signature)
        #expect(
            errorCode { _ = try OpenPGPMessage.verifyCleartext(notSignatures, with: certificates) } == .unexpectedPacket
        )
        // Text around the message is ignored.
        let surrounded = "Some preamble\n\n" + message + "trailing words\n"
        let result = try OpenPGPMessage.verifyCleartext(surrounded, with: certificates)
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.text == "- dash\ntext")
    }
}
