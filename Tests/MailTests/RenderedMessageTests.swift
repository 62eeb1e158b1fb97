import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("Rendering once: RenderedMessage, and signed bytes that are the sent bytes")
struct RenderedMessageTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let recipient = try! SecretKey.generate(userID: "Recipient <recipient@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>",
            subject: "A subject long enough to be folded differently at a narrow header width than at the default",
            body: "Hello.\n")
    }

    @Test func splitsHeadersAndBodyAsThePSMTPPropertiesDo() throws {
        let base = try message().withBcc([MailAddress("hidden@example.net")])
        let rendered = try base.rendered()
        #expect(rendered.bytes == (try base.renderedBytes()))
        #expect(rendered.size == rendered.bytes.count)
        #expect(rendered.messageID == base.messageID)
        #expect(rendered.envelopeSender.addrSpec == "sender@example.org")
        #expect(
            rendered.envelopeRecipients.map(\.addrSpec) == ["recipient@example.org", "hidden@example.net"])
        #expect(rendered.headerText.hasPrefix("Date: "))
        #expect(rendered.headerText.hasSuffix("\r\n"))
        #expect(!rendered.headerText.contains("\r\n\r\n"))
        #expect(!rendered.headerText.contains("hidden@example.net"))
        #expect(Array(rendered.body) == Array("Hello.\r\n".utf8))
        #expect(Array(rendered.headerText.utf8) + [0x0D, 0x0A] + Array(rendered.body) == rendered.bytes)
        let names = rendered.headers.map(\.name)
        #expect(names.contains("Subject") && names.contains("Content-Type") && !names.contains("Bcc"))
        #expect(rendered.headers.first { $0.name == "Subject" }?.decodedValue == base.subject)
    }

    @Test func anEncryptedMessageIsFixedOnceRendered() throws {
        let encrypted = try message().encrypted(for: [Self.recipient.certificate])
        // Each render of the message draws a new session key; the rendered value does not change.
        #expect(try encrypted.renderedBytes() != encrypted.renderedBytes())
        let rendered = try encrypted.rendered()
        let copy = rendered
        #expect(copy.bytes == rendered.bytes)
        let decrypted = try PGPMIME.decrypt(rendered.bytes, using: [Self.recipient])
        #expect(try decrypted.inner.decodedText() == "Hello.\n")
    }

    @Test func prependingAFieldKeepsTheRest() throws {
        let rendered = try message().rendered()
        let field = Array("X-Trace: added\r\n".utf8)
        let longer = try rendered.prepending(headerField: field)
        #expect(longer.bytes == field + rendered.bytes)
        #expect(longer.headerLength == rendered.headerLength + field.count)
        #expect(longer.body == rendered.body)
        #expect(longer.headers.first?.name == "X-Trace")
    }

    @Test func bytesWithoutAHeaderBlockAreRefused() throws {
        let error = #expect(throws: MailError.self) {
            try RenderedMessage(
                bytes: Array("Subject: no blank line\r\n".utf8), messageID: nil,
                envelopeSender: MailAddress("a@example.org"), envelopeRecipients: [], requiresSMTPUTF8: false)
        }
        #expect(error?.code == .malformedMIME)
    }

    /// Defect: a signed part holding a file attachment is rendered again when sent; with a
    /// header width other than the default its headers were re-folded after signing and the
    /// signature broke silently.
    @Test(arguments: [32, 40, 78, 200, 998])
    func signedFileContentKeepsItsBytesAtAnyHeaderWidth(width: Int) throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(
            "a-file-name-long-enough-that-its-content-disposition-header-folds-at-narrow-widths.bin")
        try Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: file)
        let signed = try message()
            .addingAttachment(Attachment(fileURL: file, description: "a description that is long enough to fold"))
            .signed(by: Self.sender)
        let options = MIMERenderingOptions(maxHeaderLineLength: width)
        let wire = try signed.rendered(options: options).bytes
        let verified = try PGPMIME.verify(wire, with: [Self.sender.certificate])
        #expect(verified.signatures.map(\.status) == [.good])
        // The top-level headers, which are not signed, do follow the width.
        let headerLines = try signed.rendered(options: options).headerText.components(separatedBy: "\r\n")
        let defaultLines = try signed.rendered().headerText.components(separatedBy: "\r\n")
        if width < 78 { #expect(headerLines.count > defaultLines.count) }
        if width > 78 { #expect(headerLines.count < defaultLines.count) }
    }
}
