import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("Inline PGP (PSMTP ClearSignature, ProcessAttachments)")
struct InlinePGPTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let recipient = try! SecretKey.generate(userID: "Recipient <recipient@example.org>")
    static let stranger = try! SecretKey.generate(userID: "Stranger <stranger@example.org>")

    static let tricky = "Grüße, é€😀\n- a dashed line\nFrom here on\n--double dash\nend with spaces   \n\tindented\t\n"
    /// What a cleartext signature keeps of `tricky`: no trailing whitespace, no final break.
    static let trickySigned = "Grüße, é€😀\n- a dashed line\nFrom here on\n--double dash\nend with spaces\n\tindented"
    static let csv = Array("q,value\n1,42\n2,43\n".utf8)
    static let blob = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    private func message(_ body: String = "Hello,\nthe numbers are attached.\n") throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>", subject: "Quarterly numbers",
            body: body)
    }

    private func withAttachments(_ message: MailMessage) throws -> MailMessage {
        message.addingAttachment(try Attachment(filename: "numbers.csv", data: Self.csv))
            .addingAttachment(try Attachment(filename: "blob.bin", data: Self.blob))
    }

    @Test func signedASCIIRoundTrips() throws {
        let wire = try message().inlineSigned(by: Self.sender).renderedBytes()
        Support.expectWellFormedLines(wire)
        let entity = try MIMEEntity.parse(wire)
        #expect(entity.contentType.mimeType == "text/plain")
        #expect(entity.contentType[parameter: "charset"] == "utf-8")
        #expect(entity.transferEncoding == .sevenBit)
        #expect(Support.contains(wire, "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nHello,\r\n"))

        let read = try InlinePGP.verify(wire, with: [Self.sender.certificate])
        #expect(read.textSignatures.map(\.status) == [.good])
        #expect(read.textSignatures.first?.signerFingerprint == Self.sender.fingerprint)
        #expect(read.text == "Hello,\nthe numbers are attached.")
        #expect(!read.textWasEncrypted)
        #expect(read.attachments.isEmpty)
    }

    @Test func signedNonASCIIDashesFromLinesAndTrailingSpaces() throws {
        let wire = try message(Self.tricky).inlineSigned(by: Self.sender).renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        let entity = try MIMEEntity.parse(wire)
        #expect(entity.transferEncoding == .quotedPrintable)
        #expect(entity.contentType[parameter: "charset"] == "utf-8")
        // Dash-escaped in the signed text, so no line of the body starts with "From ".
        let body = Support.string(try entity.decodedBody())
        #expect(body.contains("- - a dashed line\r\n- From here on\r\n- --double dash\r\n"))
        #expect(!body.contains("spaces "))
        #expect(!Support.crlfLines(wire).contains { $0.starts(with: Array("From ".utf8)) })

        let read = try InlinePGP.verify(wire, with: [Self.sender.certificate])
        #expect(read.textHasGoodSignature)
        #expect(read.text == Self.trickySigned)
    }

    @Test func longLinesAreQuotedPrintableAndVerify() throws {
        let line = String(repeating: "0123456789", count: 20)
        let wire = try message(line + "\n" + line + "\n").inlineSigned(by: Self.sender).renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        #expect(try MIMEEntity.parse(wire).transferEncoding == .quotedPrintable)
        let read = try InlinePGP.verify(wire, with: [Self.sender.certificate])
        #expect(read.textHasGoodSignature)
        #expect(read.text == line + "\n" + line)
    }

    @Test func clearSignedIsInlineSigned() throws {
        let wire = try message(Self.tricky).clearSigned(by: Self.sender).renderedBytes()
        let read = try InlinePGP.verify(wire, with: [Self.sender.certificate])
        #expect(read.textHasGoodSignature)
        #expect(read.text == Self.trickySigned)
    }

    @Test func signedAttachmentsGetDetachedSignatures() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Data(Self.blob.reversed()).write(to: file)
        let original = try withAttachments(message(Self.tricky))
            .addingAttachment(try Attachment(fileURL: file))
            .addingAttachment(try Attachment(filename: nil, data: [1, 2, 3]))
        let wire = try original.inlineSigned(by: Self.sender, processAttachments: true).renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)

        let entity = try MIMEEntity.parse(wire)
        #expect(entity.contentType.mimeType == "multipart/mixed")
        #expect(
            entity.children.map { $0.filename ?? "-" } == [
                "-", "numbers.csv", "numbers.csv.sig", "blob.bin", "blob.bin.sig", "report.pdf", "report.pdf.sig",
                "attachment4", "attachment4.sig",
            ])
        #expect(entity.children[2].contentType.mimeType == "application/pgp-signature")
        #expect(entity.children[2].transferEncoding == .base64)
        #expect(try entity.children[2].decodedBody().first.map { $0 & 0x80 } == 0x80, "a binary signature packet")

        let read = try InlinePGP.verify(wire, with: [Self.sender.certificate])
        #expect(read.text == Self.trickySigned)
        #expect(read.textHasGoodSignature)
        #expect(
            read.attachments.map { $0.filename ?? "-" } == ["numbers.csv", "blob.bin", "report.pdf", "attachment4"])
        #expect(read.attachments.map(\.data) == [Self.csv, Self.blob, Array(Self.blob.reversed()), [1, 2, 3]])
        #expect(read.attachments.allSatisfy { $0.signatures.map(\.status) == [.good] })

        // Another key's certificate does not make the signatures good.
        let strangers = try InlinePGP.verify(wire, with: [Self.stranger.certificate])
        #expect(!strangers.textHasGoodSignature)
        #expect(!strangers.attachments.contains { $0.hasGoodSignature })
    }

    @Test func tamperedAttachmentFailsItsSignature() throws {
        let wire = try withAttachments(message()).inlineSigned(by: Self.sender, processAttachments: true)
            .renderedBytes()
        // "q,value" is base64 "cSx2YWx1ZQ"; changing its first letter changes the attachment.
        var tampered = wire
        let needle = Array("cSx2YWx1".utf8)
        let start = try #require(
            (0...(wire.count - needle.count)).first { wire[$0..<($0 + needle.count)].elementsEqual(needle) })
        tampered[start] = UInt8(ascii: "d")
        let read = try InlinePGP.verify(tampered, with: [Self.sender.certificate])
        #expect(read.textHasGoodSignature)
        #expect(read.attachments[0].signatures.map(\.status) == [.bad])
        #expect(read.attachments[1].hasGoodSignature)
    }

    @Test func encryptedRoundTrips() throws {
        let wire = try message(Self.tricky).inlineEncrypted(for: [Self.recipient.certificate]).renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        let entity = try MIMEEntity.parse(wire)
        #expect(entity.contentType.mimeType == "text/plain")
        #expect(entity.contentType[parameter: "charset"] == "utf-8")
        #expect(entity.transferEncoding == .sevenBit)
        #expect(try entity.decodedText().hasPrefix("-----BEGIN PGP MESSAGE-----\n"))
        #expect(!Support.contains(wire, "dashed"))

        let read = try InlinePGP.decrypt(wire, using: [Self.recipient])
        #expect(read.textWasEncrypted)
        #expect(read.text == Self.tricky)
        #expect(read.textSignatures.isEmpty)
        #expect(read.outer.header("Subject") == "Quarterly numbers")
    }

    @Test func signedAndEncryptedRoundTripsWithAttachments() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Data(Self.blob.reversed()).write(to: file)
        let original = try withAttachments(message(Self.tricky)).addingAttachment(try Attachment(fileURL: file))
        let wire = try original.inlineSignedAndEncrypted(
            by: Self.sender, for: [Self.recipient.certificate], processAttachments: true
        ).renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        #expect(!Support.contains(wire, "q,value"))

        let entity = try MIMEEntity.parse(wire)
        #expect(
            entity.children.map { $0.filename ?? "-" } == ["-", "numbers.csv.pgp", "blob.bin.pgp", "report.pdf.pgp"])
        #expect(entity.children.dropFirst().allSatisfy { $0.contentType.mimeType == "application/octet-stream" })
        #expect(entity.children.dropFirst().allSatisfy { $0.transferEncoding == .base64 })

        let read = try InlinePGP.decrypt(wire, using: [Self.recipient], verifyingWith: [Self.sender.certificate])
        #expect(read.text == Self.tricky)
        #expect(read.textSignatures.map(\.status) == [.good])
        #expect(read.attachments.map { $0.filename ?? "-" } == ["numbers.csv", "blob.bin", "report.pdf"])
        #expect(read.attachments.map(\.data) == [Self.csv, Self.blob, Array(Self.blob.reversed())])
        #expect(read.attachments.allSatisfy { $0.wasEncrypted && $0.signatures.map(\.status) == [.good] })

        // The literal data of an encrypted attachment carries its file name, as gpg writes it.
        let attachment = try OpenPGPMessage.decrypt(try entity.children[1].decodedBody(), using: [Self.recipient])
        #expect(attachment.fileName == "numbers.csv")
    }

    @Test func encryptedAttachmentsAlone() throws {
        let wire = try withAttachments(message()).inlineEncrypted(
            for: [Self.recipient.certificate], processAttachments: true
        ).renderedBytes()
        let read = try InlinePGP.decrypt(wire, using: [Self.recipient])
        #expect(read.text == "Hello,\nthe numbers are attached.\n")
        #expect(read.attachments.map(\.data) == [Self.csv, Self.blob])
        #expect(read.attachments.allSatisfy { $0.wasEncrypted && $0.signatures.isEmpty })
    }

    @Test func passphraseRoundTrips() throws {
        let wire = try withAttachments(message(Self.tricky)).inlineEncrypted(
            for: [], passphrases: ["swordfish"], processAttachments: true
        ).renderedBytes()
        let read = try InlinePGP.decrypt(wire, using: [], passphrases: ["swordfish"])
        #expect(read.text == Self.tricky)
        #expect(read.attachments.map(\.data) == [Self.csv, Self.blob])
        #expect(throws: OpenPGPError.self) { try InlinePGP.decrypt(wire, using: [], passphrases: ["trout"]) }
    }

    @Test func wrongKeyIsATypedError() throws {
        let wire = try message().inlineEncrypted(for: [Self.recipient.certificate]).renderedBytes()
        #expect(throws: OpenPGPError.self) { try InlinePGP.decrypt(wire, using: [Self.stranger]) }
        // A signature checked against the wrong certificate is not good, but no error.
        let signed = try message().inlineSignedAndEncrypted(by: Self.sender, for: [Self.recipient.certificate])
        let read = try InlinePGP.decrypt(
            try signed.renderedBytes(), using: [Self.recipient], verifyingWith: [Self.stranger.certificate])
        #expect(!read.textHasGoodSignature)
        #expect(throws: MailError.self) { try message().inlineEncrypted(for: []) }
        let expired = try SecretKey.generate(
            userID: "Old <old@example.org>", creationDate: Date(timeIntervalSinceNow: -864_000),
            validity: .seconds(86_400))
        #expect(throws: OpenPGPError.self) { try message().inlineEncrypted(for: [expired.certificate]) }
        #expect(throws: OpenPGPError.self) { try message().inlineSigned(by: expired) }
    }

    @Test func missingFileAttachmentIsATypedError() throws {
        let missing = try message().addingAttachment(
            try Attachment(fileURL: URL(fileURLWithPath: "/nonexistent/inline-pgp-\(UUID().uuidString).pdf")))
        for protect in protections(processAttachments: true) {
            let error = try #require(throws: MailError.self) { try protect(missing) }
            #expect(error.code == .unreadableAttachment)
        }
    }

    @Test func htmlIsRefused() throws {
        let html = try message().withHTML("<p>Hello</p>")
        for protect in protections(processAttachments: true) {
            let error = try #require(throws: MailError.self) { try protect(html) }
            #expect(error.code == .invalidBody)
            #expect(error.message.contains("PGP/MIME"))
        }
        #expect(throws: MailError.self) { try html.clearSigned(by: Self.sender) }
        let custom = try message().withMIMEBody(MIMEPart.text("custom"))
        #expect(throws: MailError.self) { try custom.inlineSigned(by: Self.sender) }
    }

    @Test func attachmentsWithoutProcessAttachmentsAreRefused() throws {
        let original = try withAttachments(message())
        for protect in protections(processAttachments: false) {
            let error = try #require(throws: MailError.self) { try protect(original) }
            #expect(error.code == .invalidBody)
            #expect(error.message.contains("processAttachments"))
        }
        #expect(throws: MailError.self) { try original.clearSigned(by: Self.sender) }
    }

    @Test func readersRejectWhatIsNotInlinePGP() throws {
        let html = try message().withHTML("<p>Hello</p>").renderedBytes()
        #expect(throws: MailError.self) { try InlinePGP.verify(html, with: [Self.sender.certificate]) }
        #expect(throws: MailError.self) { try InlinePGP.decrypt(html, using: [Self.recipient]) }
        let plain = try message().renderedBytes()
        #expect(throws: OpenPGPError.self) { try InlinePGP.verify(plain, with: [Self.sender.certificate]) }
        #expect(throws: OpenPGPError.self) { try InlinePGP.decrypt(plain, using: [Self.recipient]) }
    }

    @Test func unencryptedAttachmentsAreReportedAsSuch() throws {
        // A message written elsewhere: encrypted text, one attachment left in the clear.
        let encrypted = try message().inlineEncrypted(for: [Self.recipient.certificate])
        let mixed = encrypted.addingAttachment(try Attachment(filename: "plain.txt", data: Array("open".utf8)))
        let read = try InlinePGP.decrypt(try mixed.renderedBytes(), using: [Self.recipient])
        #expect(read.attachments.count == 1)
        #expect(read.attachments[0].filename == "plain.txt")
        #expect(!read.attachments[0].wasEncrypted)
        #expect(read.attachments[0].data == Array("open".utf8))
    }

    private func protections(processAttachments: Bool) -> [(MailMessage) throws -> MailMessage] {
        [
            { try $0.inlineSigned(by: Self.sender, processAttachments: processAttachments) },
            { try $0.inlineEncrypted(for: [Self.recipient.certificate], processAttachments: processAttachments) },
            {
                try $0.inlineSignedAndEncrypted(
                    by: Self.sender, for: [Self.recipient.certificate], processAttachments: processAttachments)
            },
        ]
    }
}
