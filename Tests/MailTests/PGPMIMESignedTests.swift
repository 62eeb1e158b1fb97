import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("PGP/MIME signatures (RFC 3156 §5)")
struct PGPMIMESignedTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let stranger = try! SecretKey.generate(userID: "Stranger <stranger@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>", subject: "Signed numbers",
            body: "Hello,\nFrom now on the numbers are signed.   \nGrüße\n"
        ).addingAttachment(Attachment(filename: "numbers.csv", data: Array("q,value\n1,42\n".utf8)))
    }

    private func status(_ wire: [UInt8], _ certificates: [Certificate]) throws -> [SignatureVerification.Status] {
        try PGPMIME.verify(wire, with: certificates).signatures.map(\.status)
    }

    @Test func signedMessageHasTheRFC3156Shape() throws {
        let original = try message()
        // Without header protection (ProtectedHeadersTests covers it) the signed part is the bare body.
        let signed = try original.signed(
            by: Self.sender, options: MessageOptions(hash: .sha512), headerProtection: .none)
        let wire = try signed.renderedBytes()
        Support.expectWellFormedLines(wire)
        #expect(!wire.contains { $0 >= 0x80 })

        let outer = try MIMEEntity.parse(wire)
        #expect(outer.contentType.mimeType == "multipart/signed")
        #expect(outer.contentType[parameter: "micalg"] == "pgp-sha512")
        #expect(outer.contentType[parameter: "protocol"] == "application/pgp-signature")
        #expect(outer.header("Subject") == "Signed numbers")
        #expect(outer.children.map(\.contentType.mimeType) == ["multipart/mixed", "application/pgp-signature"])
        // The signed part is exactly the body as it would be sent unsigned.
        #expect(Array(outer.children[0].rawBytes) == (try original.mimeTree().renderedBytes()))
        #expect(
            try outer.children[0].children[0].decodedText() == "Hello,\nFrom now on the numbers are signed.   \nGrüße\n"
        )
        let signature = try outer.children[1].decodedText()
        #expect(signature.hasPrefix("-----BEGIN PGP SIGNATURE-----\n"))
        #expect(outer.children[1].contentDisposition?.filename == "OpenPGP_signature.asc")

        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.signatures.map(\.status) == [.good])
        #expect(verified.hasGoodSignature)
        #expect(verified.signatures.first?.hashAlgorithm == .sha512)
        #expect(verified.signatures.first?.signerFingerprint == Self.sender.fingerprint)
        #expect(verified.signed.children[1].filename == "numbers.csv")
    }

    @Test func verifiesAfterLineEndingsBecameLF() throws {
        let wire = try message().signed(by: Self.sender).renderedBytes()
        let lf = wire.enumerated().filter {
            !($0.element == 0x0D && $0.offset + 1 < wire.count && wire[$0.offset + 1] == 0x0A)
        }.map(\.element)
        #expect(lf.count < wire.count)
        #expect(try status(lf, [Self.sender.certificate]) == [.good])
    }

    @Test func textModeSignaturesWork() throws {
        let wire = try message().signed(by: Self.sender, options: MessageOptions(literalFormat: .text)).renderedBytes()
        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.signatures.map(\.status) == [.good])
        #expect(verified.signatures.first?.signatureType == .text)
    }

    @Test func tamperingAndUnknownKeysAreReported() throws {
        let wire = try message().signed(by: Self.sender).renderedBytes()
        let text = Support.string(wire)
        #expect(text.contains("numbers are signed"))
        let tampered = Support.bytes(text.replacingOccurrences(of: "numbers are signed", with: "numbers are forged"))
        #expect(try status(tampered, [Self.sender.certificate]) == [.bad])
        // The top-level headers (the first Subject; the protected copy inside is signed) are not signed.
        let outerSubject = try #require(text.range(of: "Subject: Signed numbers"))
        let resubjected = Support.bytes(text.replacingCharacters(in: outerSubject, with: "Subject: Other"))
        #expect(try status(resubjected, [Self.sender.certificate]) == [.good])
        #expect(try status(wire, [Self.stranger.certificate]) == [.missingKey])
    }

    @Test func streamsFileAttachmentsWithoutFreezingThem() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("blob.bin")
        let blob = Support.pattern(count: 2 << 20)
        try Data(blob).write(to: file)
        let signed = try message().addingAttachment(try Attachment(fileURL: file)).signed(by: Self.sender)
        guard case .multipart(let multipart) = try signed.mimeTree().body, case .multipart = multipart.parts[0].body
        else {
            Issue.record("the signed part should stay a part tree that reads its file when rendered")
            return
        }
        var wire: [UInt8] = []
        var chunks = 0
        var renderer = MIMERenderer(part: try signed.mimeTree(), leadingHeaders: signed.topLevelHeaders())
        while let chunk = try renderer.nextChunk() {
            wire += chunk
            chunks += 1
        }
        #expect(chunks > 10)
        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.signatures.map(\.status) == [.good])
        #expect(try verified.signed.children[2].decodedBody() == blob)

        // Changing the file after signing breaks the signature, as documented.
        var changed = blob
        changed[1000] ^= 0xFF
        try Data(changed).write(to: file)
        #expect(try status(try signed.renderedBytes(), [Self.sender.certificate]) == [.bad])
    }

    @Test func inMemoryBodiesAreFrozen() throws {
        let signed = try message().signed(by: Self.sender)
        guard case .multipart(let multipart) = try signed.mimeTree().body,
            case .renderedEntity = multipart.parts[0].body
        else {
            Issue.record("an in-memory body should be signed and sent as the same pre-rendered bytes")
            return
        }
        // Rendering options cannot change the frozen signed bytes.
        let folded = try signed.renderedBytes(options: MIMERenderingOptions(maxHeaderLineLength: 40))
        #expect(try status(folded, [Self.sender.certificate]) == [.good])
    }

    @Test func contentThatTransportCouldAlterIsRefused() throws {
        let base = try message()
        let eightBit = try MIMEPart.data(
            Array("Grüße\n".utf8), contentType: ContentType("text/plain"), transferEncoding: .eightBit)
        let trailing = try MIMEPart.data(
            Array("text   \n".utf8), contentType: ContentType("text/plain"), transferEncoding: .sevenBit)
        let fromLine = try MIMEPart.data(
            Array("Hi\nFrom here\n".utf8), contentType: ContentType("text/plain"), transferEncoding: .sevenBit)
        for part in [eightBit, trailing, fromLine] {
            #expect(throws: MailError.self) { try base.withMIMEBody(part).signed(by: Self.sender) }
        }
        // The same texts through the default body are encoded safely and sign fine.
        for text in ["Grüße\n", "text   \n", "Hi\nFrom here\n"] {
            let wire = try base.withText(text).signed(by: Self.sender).renderedBytes()
            #expect(try status(wire, [Self.sender.certificate]) == [.good])
        }
    }

    @Test func signingChecksTheKey() throws {
        let expired = try SecretKey.generate(
            userID: "Old <old@example.org>", creationDate: Date(timeIntervalSinceNow: -864_000),
            validity: .seconds(86_400))
        #expect(throws: OpenPGPError.self) { try message().signed(by: expired) }
        #expect(throws: OpenPGPError.self) {
            try message().signed(by: Self.sender, options: MessageOptions(hash: HashAlgorithm(rawValue: 99)))
        }
    }

    @Test func verifyingRejectsWhatIsNotPGPMIMESigned() throws {
        let certificates = [Self.sender.certificate]
        #expect(throws: MailError.self) { try PGPMIME.verify(try message().renderedBytes(), with: certificates) }
        let encrypted = try message().encrypted(for: certificates).renderedBytes()
        #expect(throws: MailError.self) { try PGPMIME.verify(encrypted, with: certificates) }
        // A multipart/signed whose second part is not a signature.
        let wrongProtocol = Support.bytes(
            Support.string(try message().signed(by: Self.sender).renderedBytes())
                .replacingOccurrences(of: "Content-Type: application/pgp-signature", with: "Content-Type: text/plain"))
        #expect(throws: MailError.self) { try PGPMIME.verify(wrongProtocol, with: certificates) }
        // A signature part that is not an OpenPGP signature.
        let noSignature = Support.bytes(
            Support.string(try message().signed(by: Self.sender).renderedBytes())
                .replacingOccurrences(of: "-----BEGIN PGP SIGNATURE-----", with: "-----BEGIN PGP NONSENSE-----"))
        #expect(throws: OpenPGPError.self) { try PGPMIME.verify(noSignature, with: certificates) }
    }
}
