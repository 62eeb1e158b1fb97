import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("Header protection (RFC 9788)")
struct ProtectedHeadersTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let recipient = try! SecretKey.generate(userID: "Recipient <recipient@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>",
            subject: "Merger plans für Q3", body: "The details are inside.\n"
        )
        .withCc([try MailAddress("Cöpy <copy@example.org>")])
        .withReplyTo([try MailAddress("replies@example.org")])
        .withMessageID("plans.1@example.org")
        .addingHeader(name: "In-Reply-To", value: "<earlier.1@example.org>")
        .addingHeader(name: "Keywords", value: "merger, secret")
        .addingHeader(name: "X-Project", value: "Falcon")
    }

    private func names(_ headers: [MIMEEntity.Header]) -> [String] { headers.map { $0.name.lowercased() } }

    @Test func encryptionProtectsTheHeadersAndObscuresTheSubject() throws {
        let original = try message()
        let encrypted = try original.signedAndEncrypted(by: Self.sender, for: [Self.recipient.certificate])
        let wire = try encrypted.renderedBytes()
        Support.expectWellFormedLines(wire)
        #expect(!Support.contains(wire, "Merger"))
        #expect(Support.contains(wire, "X-Project: Falcon"), "other fields stay outside too (hcp_baseline)")

        let outer = try MIMEEntity.parse(wire)
        #expect(outer.header("Subject") == "[...]")
        #expect(outer.header("Message-ID") == "<plans.1@example.org>")
        #expect(outer.header("To") == "Recipient <recipient@example.org>")
        #expect(outer.header("Cc") == "Cöpy <copy@example.org>")
        #expect(outer.header("Keywords") == nil, "hcp_baseline removes Keywords from the outside")

        let decrypted = try PGPMIME.decrypt(wire, using: [Self.recipient], verifyingWith: [Self.sender.certificate])
        #expect(decrypted.openPGP.signatures.map(\.status) == [.good])
        #expect(decrypted.inner.contentType[parameter: "hp"] == "cipher")
        #expect(decrypted.inner.contentType[parameter: "protected-headers"] == "v1")
        #expect(decrypted.protectedSubject == "Merger plans für Q3")
        let protected = try #require(decrypted.protectedHeaders)
        #expect(
            names(protected) == [
                "date", "from", "reply-to", "to", "cc", "subject", "message-id", "in-reply-to", "keywords",
                "x-project",
            ])
        #expect(!names(protected).contains("mime-version"))
        #expect(protected.first { $0.name == "Keywords" }?.decodedValue == "merger, secret")
        #expect(try decrypted.inner.decodedText() == "The details are inside.\n")

        // HP-Outer records every non-structural outer field with its outer value (RFC 9788 §2.2).
        let records = decrypted.outerHeaderRecords
        #expect(records.contains("Subject: [...]"))
        #expect(records.contains("Message-ID: <plans.1@example.org>"))
        #expect(records.contains("To: Recipient <recipient@example.org>"))
        #expect(records.contains("Cc: Cöpy <copy@example.org>"))
        // On the wire the records keep the outer encoded-words.
        let rawRecords = decrypted.inner.headers(named: "HP-Outer").map(\.rawValue)
        #expect(rawRecords.contains { $0.hasPrefix("Cc: =?") }, "\(rawRecords)")
        #expect(rawRecords.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } })
        #expect(!records.contains { $0.hasPrefix("Keywords:") })
        #expect(!records.contains { $0.hasPrefix("MIME-Version:") })
        #expect(records.count == outer.headers.filter { !ProtectedHeaders.isStructural($0.name) }.count)
    }

    @Test func encryptionWithoutProtectionKeepsTheSubject() throws {
        let wire = try message().encrypted(for: [Self.recipient.certificate], headerProtection: .none)
            .renderedBytes()
        #expect(try MIMEEntity.parse(wire).headers(named: "Subject").first?.decodedValue == "Merger plans für Q3")
        let decrypted = try PGPMIME.decrypt(wire, using: [Self.recipient])
        #expect(decrypted.protectedHeaders == nil)
        #expect(decrypted.protectedSubject == nil)
        #expect(decrypted.outerHeaderRecords.isEmpty)
        #expect(decrypted.inner.contentType[parameter: "hp"] == nil)
    }

    @Test func signingProtectsTheHeadersInTheClear() throws {
        let signed = try message().signed(by: Self.sender)
        let wire = try signed.renderedBytes()
        #expect(!wire.contains { $0 >= 0x80 })
        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.hasGoodSignature)
        #expect(verified.outer.header("Keywords") == "merger, secret", "a signed message hides nothing")
        #expect(verified.signed.contentType[parameter: "hp"] == "clear")
        let protected = try #require(verified.protectedHeaders)
        #expect(protected.first { $0.name == "Subject" }?.decodedValue == "Merger plans für Q3")
        #expect(verified.signed.headers(named: "HP-Outer").isEmpty, "HP-Outer is only for encrypted messages")

        // Changing the protected Subject breaks the signature; the outer one does not.
        let text = Support.string(wire)
        let outerSubject = try #require(text.range(of: "Subject: "))
        let innerSubject = try #require(text.range(of: "Subject: ", range: outerSubject.upperBound..<text.endIndex))
        let forgedInner = text.replacingCharacters(in: innerSubject, with: "Subject: X")
        let forgedStatus = try PGPMIME.verify(Support.bytes(forgedInner), with: [Self.sender.certificate])
            .signatures.map(\.status)
        #expect(forgedStatus == [.bad])

        let unprotected = try message().signed(by: Self.sender, headerProtection: .none).renderedBytes()
        #expect(Support.string(unprotected).components(separatedBy: "\r\nSubject: ").count == 2)
        #expect(try PGPMIME.verify(unprotected, with: [Self.sender.certificate]).protectedHeaders == nil)
    }

    @Test func aSignedMessageWithUTF8AddressesIsSignedWithoutHeaderProtection() throws {
        let wire = try message().withTo([try MailAddress("jörg@exämple.org")]).signed(by: Self.sender)
            .renderedBytes()
        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.hasGoodSignature)
        #expect(verified.protectedHeaders == nil)
    }

    @Test func aPreRenderedBodyIsEncryptedWithoutHeaderProtection() throws {
        let body = try MIMEPart(renderedEntity: Support.bytes("Content-Type: text/plain\r\n\r\nraw\r\n"))
        let encrypted = try message().withMIMEBody(body).encrypted(for: [Self.recipient.certificate])
        let wire = try encrypted.renderedBytes()
        #expect(try MIMEEntity.parse(wire).header("Subject") != "[...]")
        #expect(try PGPMIME.decrypt(wire, using: [Self.recipient]).protectedHeaders == nil)
    }
}
