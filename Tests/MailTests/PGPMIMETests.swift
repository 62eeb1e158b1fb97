import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("PGP/MIME (RFC 3156)")
struct PGPMIMETests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let recipient = try! SecretKey.generate(userID: "Recipient <recipient@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>", subject: "Quarterly numbers",
            body: "Hello,\nthe numbers are attached.\n"
        ).addingAttachment(Attachment(filename: "numbers.csv", data: Array("q,value\n1,42\n2,43\n".utf8)))
    }

    @Test func signedAndEncryptedRoundTrips() throws {
        let original = try message()
        // Without header protection (ProtectedHeadersTests covers it) the payload is the bare body.
        let protected = try original.signedAndEncrypted(
            by: Self.sender, for: [Self.recipient.certificate], headerProtection: .none)
        let wire = try protected.renderedBytes()
        Support.expectWellFormedLines(wire)

        let outer = try MIMEEntity.parse(wire)
        #expect(outer.contentType.mimeType == "multipart/encrypted")
        #expect(outer.contentType[parameter: "protocol"] == "application/pgp-encrypted")
        #expect(outer.header("Subject") == "Quarterly numbers")
        #expect(
            outer.children.map(\.contentType.mimeType) == ["application/pgp-encrypted", "application/octet-stream"])
        #expect(try outer.children[0].decodedText().contains("Version: 1"))
        #expect(!Support.string(wire).contains("the numbers are attached"))

        let decrypted = try PGPMIME.decrypt(wire, using: [Self.recipient], verifyingWith: [Self.sender.certificate])
        #expect(decrypted.openPGP.signatures.map(\.status) == [.good])
        #expect(decrypted.openPGP.signatures.first?.signerFingerprint == Self.sender.fingerprint)
        #expect(decrypted.inner.contentType.mimeType == "multipart/mixed")
        #expect(try decrypted.inner.children[0].decodedText() == "Hello,\nthe numbers are attached.\n")
        #expect(decrypted.inner.children[1].filename == "numbers.csv")
        #expect(try decrypted.inner.children[1].decodedBody() == Array("q,value\n1,42\n2,43\n".utf8))
        // The inner entity is exactly the original body as it would have been sent in the clear.
        #expect(Array(decrypted.openPGP.data) == (try original.mimeTree().renderedBytes()))
    }

    @Test func streamsALargeFileAttachment() async throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("blob.bin")
        let blob = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try Data(blob).write(to: file)
        let protected = try message().addingAttachment(try Attachment(fileURL: file))
            .encrypted(for: [Self.recipient.certificate], options: MessageOptions(compression: .uncompressed))
        var chunks = 0
        var wire: [UInt8] = []
        for try await chunk in try protected.chunks() {
            chunks += 1
            wire += chunk
        }
        #expect(chunks > 10)
        let decrypted = try PGPMIME.decrypt(wire, using: [Self.recipient])
        #expect(decrypted.openPGP.signatures.isEmpty)
        #expect(try decrypted.inner.children[2].decodedBody() == blob)
    }

    @Test func keysAreCheckedWhenProtecting() throws {
        let expired = try SecretKey.generate(
            userID: "Old <old@example.org>", creationDate: Date(timeIntervalSinceNow: -864_000),
            validity: .seconds(86_400))
        #expect(throws: OpenPGPError.self) {
            try message().signedAndEncrypted(by: Self.sender, for: [expired.certificate])
        }
        #expect(throws: OpenPGPError.self) {
            try message().signedAndEncrypted(by: expired, for: [Self.recipient.certificate])
        }
        #expect(throws: MailError.self) { try message().signedAndEncrypted(by: Self.sender, for: []) }
    }

    @Test func readingRejectsWhatIsNotPGPMIME() throws {
        #expect(throws: MailError.self) { try PGPMIME.decrypt(try message().renderedBytes(), using: [Self.recipient]) }
        let wire = try message().encrypted(for: [Self.sender.certificate]).renderedBytes()
        #expect(throws: OpenPGPError.self) { try PGPMIME.decrypt(wire, using: [Self.recipient]) }
    }
}

@Suite("Cleartext-signed and passphrase-encrypted messages")
struct ClearSignedAndPassphraseTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")

    @Test func clearSignedBodyVerifiesAfterTransport() throws {
        let message = try MailMessage(
            from: "sender@example.org", to: "r@example.org", subject: "Notice",
            body: "Grüße,\n- a dashed line\nend   \n")
        let signed = try message.clearSigned(by: Self.sender)
        let entity = try MIMEEntity.parse(try signed.renderedBytes())
        let body = try entity.decodedText()
        #expect(body.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----"))
        let result = try OpenPGPMessage.verifyCleartext(body, with: [Self.sender.certificate])
        #expect(result.hasGoodSignature)
        #expect(result.text == "Grüße,\n- a dashed line\nend")
        let withAttachment = message.addingAttachment(try Attachment(filename: "a.txt", data: [0x41]))
        #expect(throws: MailError.self) { try withAttachment.clearSigned(by: Self.sender) }
    }

    @Test func passphraseOnlyPGPMIME() throws {
        let message = try MailMessage(
            from: "sender@example.org", to: "r@example.org", subject: "Shared", body: "for whoever knows the word\n")
        let wire = try message.encrypted(for: [], passphrases: ["swordfish"]).renderedBytes()
        let decrypted = try PGPMIME.decrypt(wire, using: [], passphrases: ["swordfish"])
        #expect(try decrypted.inner.decodedText() == "for whoever knows the word\n")
        #expect(throws: OpenPGPError.self) { try PGPMIME.decrypt(wire, using: [], passphrases: ["trout"]) }
    }
}
