import Foundation
import Testing

@testable import Mail

@Suite("Messages")
struct MessageTests {
    private func sample() throws -> MailMessage {
        try MailMessage(
            from: MailAddress("Jörg Sender <joerg@example.com>"),
            to: MailAddress.parseList(#"Alice <alice@example.org>, "Doe, John" <john@example.net>"#),
            subject: "Quarterly report — Grüße aus Köln", body: "Hello Alice,\n\nsee attached.\n")
    }

    @Test func buildsTopLevelHeadersInOrder() throws {
        let message = try sample()
            .withCc([MailAddress("carol@example.org")])
            .withBcc([MailAddress("secret@example.org")])
            .withReplyTo([MailAddress("replies@example.com")])
            .withSender(MailAddress("robot@example.com"))
            .withDate(Date(timeIntervalSince1970: 1_795_512_718))
            .withMessageID("<fixed@example.com>")
            .withImportance(.high)
            .withPriority(.urgent)
            .withSensitivity(.companyConfidential)
            .withReadReceiptTo(MailAddress("receipts@example.com"))
            .addingHeader(name: "X-Mailer", value: "PGPMail")
        let headers = message.topLevelHeaders()
        #expect(
            headers.map(\.name) == [
                "Date", "From", "Sender", "Reply-To", "To", "Cc", "Subject", "Message-ID",
                "Disposition-Notification-To",
                "Importance", "Priority", "X-Priority", "Sensitivity", "X-Mailer", "MIME-Version",
            ])
        #expect(headers["Date"] == "Tue, 24 Nov 2026 09:31:58 +0000")
        #expect(headers["Message-ID"] == "<fixed@example.com>")
        #expect(headers["Importance"] == "high")
        #expect(headers["Priority"] == "urgent")
        #expect(headers["X-Priority"] == "1 (Highest)")
        #expect(headers["Sensitivity"] == "Company-Confidential")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(!headers.contains("Bcc"))
        let omitted = try message.withDate(nil).withMessageID(nil).withImportance(nil).withPriority(nil)
            .topLevelHeaders()
        #expect(!omitted.contains("Date") && !omitted.contains("Message-ID") && !omitted.contains("X-Priority"))
    }

    @Test func generatesMessageIDInAuthorDomainAndKeepsItStable() throws {
        let message = try sample()
        let id = try #require(message.messageID)
        #expect(id.hasSuffix("@example.com"))
        #expect(message.topLevelHeaders()["Message-ID"] == "<\(id)>")
        #expect(try sample().messageID != id)
        #expect(try message.renderedBytes() == message.renderedBytes())
    }

    @Test func rejectsReservedExtraHeadersAndBadSubjects() throws {
        let message = try sample()
        for name in ["Bcc", "bcc", "Content-Type", "MIME-Version", "From", "Subject"] {
            #expect(throws: MailError.self) { try message.addingHeader(name: name, value: "x") }
        }
        #expect(throws: MailError.self) { try message.withSubject("a\r\nBcc: x@y") }
        #expect(throws: MailError.self) {
            try MailMessage(from: MailAddress("a@b"), to: [], subject: "x\ny", body: "")
        }
        let parsed = try message.addingHeaders(parsing: "X-One: 1\r\nX-Two: 2")
        #expect(parsed.extraHeaders.map(\.name) == ["X-One", "X-Two"])
        #expect(throws: MailError.self) { try message.addingHeaders(parsing: "X-One: 1\r\nBcc: leak@example.com") }
    }

    @Test func envelopeDeduplicatesAndDropsDisplayNames() throws {
        let message = try MailMessage(
            from: "Me <me@example.com>", to: "A <a@x.example>, b@x.example", subject: "s", body: "b"
        )
        .withCc(MailAddress.parseList("A again <a@X.EXAMPLE>, c@x.example"))
        .withBcc(MailAddress.parseList("b@x.example, d@x.example"))
        #expect(
            message.envelopeRecipients.map(\.addrSpec) == ["a@x.example", "b@x.example", "c@x.example", "d@x.example"])
        #expect(message.envelopeRecipients.allSatisfy { $0.displayName == nil })
        #expect(message.envelopeSender.addrSpec == "me@example.com")
        #expect(
            message.withReturnPath(try MailAddress("bounces@example.com")).envelopeSender.addrSpec
                == "bounces@example.com")
        #expect(!message.requiresSMTPUTF8)
        #expect(message.withBcc([try MailAddress("зоя@пример.рф")]).requiresSMTPUTF8)
    }

    @Test func bccNeverAppearsInOutput() throws {
        let message = try sample().withBcc([MailAddress("Hidden Person <hidden.person@secret.example>")])
        let wire = try message.renderedBytes()
        #expect(!Support.contains(wire, "hidden.person"))
        #expect(!Support.contains(wire, "Hidden Person"))
        #expect(!Support.contains(wire, "\r\nBcc:"))
        #expect(message.envelopeRecipients.contains { $0.addrSpec == "hidden.person@secret.example" })
    }

    @Test func simpleTextMessageRendersAsSinglePart() throws {
        let message = try sample().withDate(Date(timeIntervalSince1970: 0)).withMessageID("a@b")
        let wire = Support.string(try message.renderedBytes())
        let expected = """
            Date: Thu, 1 Jan 1970 00:00:00 +0000\r
            From: =?UTF-8?Q?J=C3=B6rg_Sender?= <joerg@example.com>\r
            To: Alice <alice@example.org>, "Doe, John" <john@example.net>\r
            Subject: Quarterly report =?UTF-8?B?4oCUIEdyw7zDn2UgYXVzIEvDtmxu?=\r
            Message-ID: <a@b>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            Hello Alice,\r
            \r
            see attached.\r

            """
        #expect(wire == expected)
    }

    @Test func fullMessageRoundTrips() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fileURL = directory.appendingPathComponent("Übersicht 2026 — final.pdf")
        let fileBytes = Support.pattern(count: 100_000)
        try Data(fileBytes).write(to: fileURL)
        let inlineBytes = Support.pattern(count: 3000, seed: 7)
        let textBody = "Hello Alice,\n\nthe report is attached. Grüße!\nFrom the team\n"
        let htmlBody = "<p>Hello <b>Alice</b>, <img src=\"cid:logo@example.com\"> Grüße!</p>\n"

        let message = try sample()
            .withText(textBody)
            .withHTML(htmlBody)
            .withBcc([MailAddress("bcc@example.com")])
            .addingAttachment(Attachment(fileURL: fileURL))
            .addingAttachment(Attachment(filename: "notes.txt", data: Array("short notes\n".utf8)))
            .addingAttachment(
                Attachment(filename: "logo.png", data: inlineBytes, disposition: .inline, contentID: "logo@example.com")
            )
        let wire = try message.renderedBytes()
        Support.expectWellFormedLines(wire)
        #expect(wire.allSatisfy { $0 < 0x80 }, "7-bit clean")
        #expect(!Support.contains(wire, "bcc@example.com"))

        let entity = try MIMEEntity.parse(wire)
        #expect(entity.header("Subject") == message.subject)
        #expect(try entity.addresses("From") == [message.from])
        #expect(try entity.addresses("To") == message.to)
        #expect(entity.header("MIME-Version") == "1.0")
        #expect(entity.contentType.mimeType == "multipart/mixed")

        // mixed[alternative[text, related[html, logo]], file, notes]
        #expect(entity.children.count == 3)
        let alternative = entity.children[0]
        #expect(alternative.contentType.mimeType == "multipart/alternative")
        #expect(try alternative.children[0].decodedText() == textBody)
        let related = alternative.children[1]
        #expect(related.contentType.mimeType == "multipart/related")
        #expect(related.contentType[parameter: "type"] == "text/html")
        #expect(try related.children[0].decodedText() == htmlBody)
        #expect(related.children[1].contentID == "logo@example.com")
        #expect(related.children[1].contentDisposition?.kind == .inline)
        #expect(try related.children[1].decodedBody() == inlineBytes)

        let file = entity.children[1]
        #expect(file.filename == "Übersicht 2026 — final.pdf")
        #expect(file.contentType.mimeType == "application/pdf")
        #expect(file.transferEncoding == .base64)
        #expect(try file.decodedBody() == fileBytes)
        let notes = entity.children[2]
        #expect(notes.filename == "notes.txt")
        #expect(notes.contentType.mimeType == "text/plain")
        #expect(try notes.decodedBody() == Array("short notes\n".utf8))

        // Boundaries never occur inside the content they delimit.
        for boundary in [entity, alternative, related].compactMap({ $0.contentType[parameter: "boundary"] }) {
            #expect(boundary.hasPrefix("=_"))
            for child in [entity, alternative, related].flatMap(\.children)
            where child.contentType[parameter: "boundary"] != boundary {
                #expect(!BodyInspection.contains(Array(child.rawBody), Array(boundary.utf8)) || child.isMultipart)
            }
        }
        #expect(try message.renderedBytes() == wire, "deterministic")
    }

    @Test func htmlOnlyAndEmptyBodies() throws {
        let htmlOnly = try sample().withText(nil).withHTML("<p>x</p>")
        #expect(try htmlOnly.mimeTree().contentType.mimeType == "text/html")
        let empty = try sample().withText(nil)
        let tree = try empty.mimeTree()
        #expect(tree.contentType.mimeType == "text/plain")
        #expect(try MIMEEntity.parse(try empty.renderedBytes()).decodedText() == "")
        // Inline attachments without HTML are plain attachments.
        let inline = try sample().addingAttachment(
            Attachment(filename: "a.png", data: [1], disposition: .inline, contentID: "a@b"))
        #expect(try inline.mimeTree().contentType.mimeType == "multipart/mixed")
    }

    @Test func customBodyReplacesComposedContent() throws {
        let part = try MIMEPart.data([1, 2, 3], contentType: ContentType("application/pgp-encrypted"))
        let message = try sample().withMIMEBody(part)
        #expect(try message.mimeTree().contentType.mimeType == "application/pgp-encrypted")
        let entity = try MIMEEntity.parse(try message.renderedBytes())
        #expect(entity.header("Subject") == message.subject)
        #expect(try entity.decodedBody() == [1, 2, 3])
        #expect(try message.withMIMEBody(nil).mimeTree().contentType.mimeType == "text/plain")
    }

    @Test func longHeadersFoldWithinConfiguredWidth() throws {
        let many = try (0..<30).map {
            try MailAddress(displayName: "Recipient Nümber \($0)", address: "r\($0)@example.com")
        }
        let message = try sample().withTo(many).withSubject(
            Array(repeating: "long subject words", count: 20).joined(separator: " "))
        for width in [50, 78, 120] {
            let options = MIMERenderingOptions(maxHeaderLineLength: width)
            let wire = try message.renderedBytes(options: options)
            let headerEnd = try #require(Support.string(wire).range(of: "\r\n\r\n"))
            let headerBytes = Array(Support.string(wire)[..<headerEnd.lowerBound].utf8)
            Support.expectWellFormedLines(headerBytes, limit: width)
            let entity = try MIMEEntity.parse(wire)
            #expect(try entity.addresses("To") == many)
            #expect(entity.header("Subject") == message.subject)
        }
    }

    @Test func unreadableAttachmentReportsSeedCode() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString).bin")
        let message = try sample().addingAttachment(Attachment(fileURL: missing))
        do {
            _ = try message.renderedBytes()
            Issue.record("expected an error")
        } catch let error as MailError {
            #expect(error.code == .unreadableAttachment)
            #expect(error.psmtpErrorCode == 302)
            #expect(error.input == missing.path)
        }
        #expect(throws: MailError.self) { try Attachment(fileURL: URL(string: "https://example.com/x")!) }
    }

    @Test func asyncChunksMatchRenderedBytes() async throws {
        let message = try sample().addingAttachment(
            Attachment(filename: "big.bin", data: Support.pattern(count: 300_000)))
        var collected: [UInt8] = []
        var count = 0
        for try await chunk in try message.chunks(options: MIMERenderingOptions(chunkSize: 8192)) {
            collected += chunk
            count += 1
        }
        #expect(collected == (try message.renderedBytes()))
        #expect(count > 10)
    }
}
