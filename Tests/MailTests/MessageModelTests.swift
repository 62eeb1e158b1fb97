import Foundation
import Testing

@testable import Mail

@Suite("Message model: parsing, threading, list fields, alternatives, flowed text, async attachments")
struct MessageModelTests {
    private func base() throws -> MailMessage {
        try MailMessage(
            from: MailAddress("Jörg Sender <joerg@example.com>"), to: [MailAddress("alice@example.org")],
            subject: "Hello", body: "Hi Alice\n"
        )
        .withDate(Date(timeIntervalSince1970: 1_795_512_718))
        .withMessageID("fixed@example.com")
    }

    private func text(_ message: MailMessage) throws -> String {
        Support.string(try message.renderedBytes())
    }

    // MARK: Threading

    @Test func writesInReplyToAndReferencesAfterMessageID() throws {
        let ids = (1...12).map { "id-\($0)-abcdefghijklmnop@lists.example.org" }
        let message = try base().withInReplyTo(["<parent@example.org>"]).withReferences(ids)
        #expect(message.inReplyTo == ["parent@example.org"])
        let names = message.topLevelHeaders().map(\.name)
        let messageID = try #require(names.firstIndex(of: "Message-ID"))
        #expect(names[messageID + 1] == "In-Reply-To")
        #expect(names[messageID + 2] == "References")
        let rendered = try message.renderedBytes()
        Support.expectWellFormedLines(rendered, limit: 78)
        let entity = try MIMEEntity.parse(rendered)
        #expect(MailMessage.messageIDs(in: try #require(entity.headers(named: "References").first).rawValue) == ids)
        #expect(throws: MailError.self) { try base().withInReplyTo(["not an id"]) }
        #expect(throws: MailError.self) { try base().withReferences(["a@b", "<broken"]) }
    }

    @Test func replyingThreadsAndPrefixesTheSubject() throws {
        let original = try base().withReferences(["root@example.org"])
        let reply = try MailMessage(
            from: MailAddress("alice@example.org"), to: [MailAddress("joerg@example.com")], subject: "", body: "Yes"
        )
        .replying(to: original)
        #expect(reply.inReplyTo == ["fixed@example.com"])
        #expect(reply.references == ["root@example.org", "fixed@example.com"])
        #expect(reply.subject == "Re: Hello")
        #expect(reply.replying(to: reply).subject == "Re: Hello")
    }

    // MARK: List fields

    @Test func writesListFieldsAfterSensitivity() throws {
        let lists = try ListHeaders(
            id: .init("<announce.example.org>", description: "Announcements \"weekly\""),
            unsubscribe: [
                try #require(URL(string: "https://example.org/unsub?u=1")),
                try #require(URL(string: "mailto:leave@example.org")),
            ], unsubscribePost: true, post: [try #require(URL(string: "mailto:announce@example.org"))],
            help: [try #require(URL(string: "https://example.org/help"))],
            archive: [try #require(URL(string: "https://example.org/archive"))])
        let message = try base().withSensitivity(.personal).withListHeaders(lists)
        let headers = message.topLevelHeaders()
        let names = headers.map(\.name)
        let sensitivity = try #require(names.firstIndex(of: "Sensitivity"))
        #expect(
            Array(names[(sensitivity + 1)...].prefix(6)) == [
                "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Post", "List-Archive",
            ])
        #expect(headers["List-Id"] == #""Announcements \"weekly\"" <announce.example.org>"#)
        #expect(headers["List-Unsubscribe"] == "<https://example.org/unsub?u=1>, <mailto:leave@example.org>")
        #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        Support.expectWellFormedLines(try message.renderedBytes(), limit: 78)

        let parsed = try MailMessage(parsing: try message.renderedBytes())
        #expect(parsed.listHeaders == lists)
        #expect(!parsed.extraHeaders.contains { $0.name.hasPrefix("List-") })
    }

    @Test func rejectsBadListFields() throws {
        let mailto = try #require(URL(string: "mailto:leave@example.org"))
        #expect(throws: MailError.self) { try ListHeaders(unsubscribe: [mailto], unsubscribePost: true) }
        #expect(throws: MailError.self) { try ListHeaders.ListID("nodot") }
        #expect(throws: MailError.self) { try ListHeaders.ListID("a.b", description: "x\r\ny") }
        let relative = try #require(URL(string: "unsubscribe"))
        #expect(throws: MailError.self) { try ListHeaders(unsubscribe: [relative]) }
        #expect(ListHeaders.empty.isEmpty)
        #expect(ListHeaders.parseURLList("NO") == nil)
        #expect(
            ListHeaders.parseURLList("<mailto:a@example.org> (comment),\r\n <https://ex\r\n ample.org/x>")?
                .map(\.absoluteString) == ["mailto:a@example.org", "https://example.org/x"])
    }

    // MARK: Alternatives

    private static let invitation =
        "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Réunion\nEND:VEVENT\nEND:VCALENDAR\n"

    private func calendarType() throws -> ContentType {
        try ContentType("text/calendar", parameters: ["method": "REQUEST", "charset": "utf-8"])
    }

    @Test func placesAlternativesAfterTextAndHTML() throws {
        let message = try base().withHTML("<p>Hi</p>")
            .addingAlternative(text: Self.invitation, contentType: calendarType())
        let tree = try message.mimeTree()
        #expect(tree.contentType.mimeType == "multipart/alternative")
        #expect(tree.parts.map(\.contentType.mimeType) == ["text/plain", "text/html", "text/calendar"])
        #expect(tree.parts[2].contentType[parameter: "method"] == "REQUEST")

        let withoutHTML = try base().addingAlternative(text: Self.invitation, contentType: calendarType())
        #expect(try withoutHTML.mimeTree().parts.map(\.contentType.mimeType) == ["text/plain", "text/calendar"])

        let image = try Attachment(
            filename: "logo.png", data: [1, 2, 3], disposition: .inline, contentID: "logo@example.com")
        let file = try Attachment(filename: "agenda.pdf", data: Array("%PDF".utf8))
        let full = try message.addingAttachment(image).addingAttachment(file).mimeTree()
        #expect(full.contentType.mimeType == "multipart/mixed")
        let alternative = full.parts[0]
        #expect(
            alternative.parts.map(\.contentType.mimeType) == ["text/plain", "multipart/related", "text/calendar"])

        #expect(throws: MailError.self) {
            try base().addingAlternative(text: "x", contentType: ContentType("application/ics"))
        }
        #expect(throws: MailError.self) {
            try base().addingAlternative(
                text: "x", contentType: ContentType("text/calendar", parameters: ["charset": "koi8-r"]))
        }
    }

    // MARK: Charsets and format=flowed

    @Test func writesTextInTheRequestedCharset() throws {
        let message = try base().withText("Grüße\n", charset: .isoLatin1)
        let part = try message.mimeTree()
        #expect(part.contentType[parameter: "charset"] == "iso-8859-1")
        let entity = try MIMEEntity.parse(try message.renderedBytes())
        #expect(try entity.decodedBody() == [0x47, 0x72, 0xFC, 0xDF, 0x65, 0x0D, 0x0A])
        #expect(throws: MailError.self) { try base().withText("ĉu", charset: .isoLatin1) }
        let html = try base().withHTML("<p>é</p>", charset: .windows1252)
        #expect(try html.mimeTree().parts[1].contentType[parameter: "charset"] == "windows-1252")
        #expect(throws: MailError.self) { try base().withHTML("€", charset: .isoLatin1) }
    }

    @Test func flowsLongLinesAndStuffsSpecialLines() throws {
        let paragraph = (0..<40).map { "word\($0)" }.joined(separator: " ")
        let body = "\(paragraph)\n>not a quote\n leading space\nFrom here\ntrailing   \n-- \nSig"
        let message = try base().withText(body, format: .flowed())
        let rendered = try message.renderedBytes()
        Support.expectWellFormedLines(rendered, limit: 78)
        let entity = try MIMEEntity.parse(rendered)
        #expect(entity.contentType[parameter: "format"] == "flowed")
        #expect(entity.transferEncoding == .quotedPrintable)
        #expect(Support.contains(Array(entity.rawBody), "=20\r\n"))
        let wire = try entity.decodedText()
        let lines = wire.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.contains(" >not a quote"))
        #expect(lines.contains("  leading space"))
        #expect(lines.contains(" From here"))
        #expect(lines.contains("trailing"))
        #expect(lines.contains("-- "))
        #expect(lines.filter { $0.hasSuffix(" ") && $0 != "-- " }.count >= 2)
        #expect(FlowedText.decode(wire, delSp: false) == body.replacingOccurrences(of: "trailing   ", with: "trailing"))

        let parsed = try MailMessage(parsing: rendered)
        #expect(parsed.textFormat == .flowed(delSp: false))
        #expect(parsed.textBody == FlowedText.decode(wire, delSp: false))
    }

    @Test func delSpAddsAndRemovesTheBreakSpace() throws {
        let paragraph = String(repeating: "abc ", count: 60) + "end"
        let wire = FlowedText.encode(paragraph, delSp: true)
        #expect(wire.split(separator: "\n").dropLast().allSatisfy { $0.hasSuffix("  ") })
        #expect(FlowedText.decode(wire, delSp: true) == paragraph)
        let part = try MIMEPart.plainText(paragraph, format: .flowed(delSp: true))
        #expect(part.contentType[parameter: "delsp"] == "yes")
        let unbreakable = String(repeating: "x", count: 300)
        #expect(FlowedText.encode(unbreakable, delSp: false) == unbreakable)
    }

    // MARK: Async attachments

    @Test func spoolsALargeAsyncStreamAndRemovesTheFile() async throws {
        let content = Support.pattern(count: 5 << 20)
        let stream = AsyncStream<[UInt8]> { continuation in
            var offset = 0
            while offset < content.count {
                let end = min(offset + 100_000, content.count)
                continuation.yield(Array(content[offset..<end]))
                offset = end
            }
            continuation.finish()
        }
        var attachment: Mail.Attachment? = try await Attachment(
            filename: "big.bin", contentType: .octetStream, contentsOf: stream)
        let spooled = try #require(attachment?.spooledFile?.url)
        guard case .file(let url)? = attachment?.source else {
            Issue.record("a 5 MiB stream must be spooled to a file")
            return
        }
        #expect(url == spooled)
        #expect(FileManager.default.fileExists(atPath: spooled.path))
        let attributes = try FileManager.default.attributesOfItem(atPath: spooled.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        var message: MailMessage? = try base().addingAttachment(try #require(attachment))
        attachment = nil
        let rendered = try #require(message).renderedBytes()
        let entity = try MIMEEntity.parse(rendered)
        #expect(entity.children.count == 2)
        #expect(entity.children[1].filename == "big.bin")
        #expect(try entity.children[1].decodedBody() == content)
        message = nil
        #expect(!FileManager.default.fileExists(atPath: spooled.path))
    }

    @Test func keepsASmallStreamInMemoryAndAcceptsSingleBytes() async throws {
        let chunks = AsyncStream<[UInt8]> { continuation in
            continuation.yield([1, 2])
            continuation.yield([3])
            continuation.finish()
        }
        let small = try await Attachment(filename: "a.bin", contentsOf: chunks)
        guard case .data(let bytes) = small.source else {
            Issue.record("small content stays in memory")
            return
        }
        #expect(bytes == [1, 2, 3])
        #expect(small.spooledFile == nil)

        let content = Support.pattern(count: 300_000, seed: 7)
        let singles = AsyncStream<UInt8> { continuation in
            for byte in content { continuation.yield(byte) }
            continuation.finish()
        }
        let spooled = try await Attachment(filename: nil, contentsOf: singles, spoolThreshold: 100_000)
        #expect(spooled.filename == nil)
        #expect(spooled.spooledFile != nil)
        let entity = try MIMEEntity.parse(try spooled.mimePart().renderedBytes())
        #expect(try entity.decodedBody() == content)
    }

    // MARK: Parsing

    @Test func roundTripsARichMessage() throws {
        let image = try Attachment(
            filename: "logo.png", data: Support.pattern(count: 500), disposition: .inline,
            contentID: "logo@example.com")
        let file = try Attachment(
            filename: "Übersicht.pdf", data: Support.pattern(count: 3000, seed: 3), description: "Quarterly figures")
        let original = try base()
            .withSubject("Grüße — quarterly report")
            .withCc([MailAddress("Carol <carol@example.org>")])
            .withBcc([MailAddress("secret@example.org")])
            .withReplyTo([MailAddress("replies@example.com")])
            .withSender(MailAddress("robot@example.com"))
            .withDate(Date(timeIntervalSince1970: 1_795_512_718), timeZone: TimeZone(secondsFromGMT: 3600) ?? .gmt)
            .withImportance(.high).withPriority(.nonUrgent).withSensitivity(.private)
            .withReadReceiptTo(MailAddress("receipts@example.com"))
            .withDeliveryNotificationTo(MailAddress("delivery@example.com"))
            .withInReplyTo(["parent@example.org"]).withReferences(["root@example.org", "parent@example.org"])
            .withListHeaders(ListHeaders(id: .init("team.example.org", description: "Équipe")))
            .addingHeader(name: "X-Mailer", value: "PGPMail test")
            .withText(
                "Hello Alice,\n\nsee the figures attached. " + String(repeating: "More words here. ", count: 10)
                    + "End.",
                format: .flowed()
            )
            .withHTML("<p>Hello <img src=\"cid:logo@example.com\"></p>")
            .addingAlternative(text: Self.invitation, contentType: calendarType())
            .addingAttachment(image).addingAttachment(file)
        let rendered = try original.renderedBytes()
        let parsed = try MailMessage(parsing: rendered)

        #expect(parsed.from == original.from)
        #expect(parsed.sender == original.sender)
        #expect(parsed.to == original.to)
        #expect(parsed.cc == original.cc)
        #expect(parsed.bcc.isEmpty)  // never written
        #expect(parsed.replyTo == original.replyTo)
        #expect(parsed.subject == original.subject)
        #expect(parsed.date == original.date)
        #expect(parsed.dateTimeZone.secondsFromGMT() == 3600)
        #expect(parsed.messageID == "fixed@example.com")
        #expect(parsed.inReplyTo == original.inReplyTo)
        #expect(parsed.references == original.references)
        #expect(parsed.importance == .high)
        #expect(parsed.priority == .nonUrgent)
        #expect(parsed.sensitivity == .private)
        #expect(parsed.readReceiptTo == original.readReceiptTo)
        #expect(parsed.deliveryNotificationTo == original.deliveryNotificationTo)
        #expect(Support.contains(rendered, "\r\nReturn-Receipt-To: delivery@example.com\r\n"))
        #expect(parsed.listHeaders == original.listHeaders)
        #expect(parsed.extraHeaders.map(\.description) == ["X-Mailer: PGPMail test"])
        #expect(parsed.textBody == original.textBody)
        #expect(parsed.textFormat == .flowed(delSp: false))
        #expect(parsed.htmlBody == original.htmlBody)
        #expect(parsed.alternatives.map(\.contentType.mimeType) == ["text/calendar"])
        #expect(parsed.attachments.map(\.filename) == ["logo.png", "Übersicht.pdf"])
        #expect(parsed.attachments.map(\.disposition) == [.inline, .attachment])
        #expect(parsed.attachments[0].contentID == "logo@example.com")
        #expect(parsed.attachments[1].description == "Quarterly figures")
        guard case .data(let bytes) = parsed.attachments[1].source else {
            Issue.record("parsed attachments hold their bytes")
            return
        }
        #expect(bytes == Support.pattern(count: 3000, seed: 3))
        #expect(parsed.customBody == nil)

        // Rendering the parsed message gives the same structure again.
        let again = try MIMEEntity.parse(try parsed.renderedBytes())
        let first = try MIMEEntity.parse(rendered)
        #expect(again.children.map(\.contentType.mimeType) == first.children.map(\.contentType.mimeType))
        #expect(
            again.children[0].children.map(\.contentType.mimeType) == [
                "text/plain", "multipart/related", "text/calendar",
            ])
        #expect(try again.children[0].children[2].decodedText() == Self.invitation)
    }

    @Test func parsesAMessageFromAnotherMailer() throws {
        // As Thunderbird writes it, with LF line breaks as a local mailbox stores it.
        let raw = """
            Return-Path: <bob@example.net>
            Received: from mx.example.net by mx.example.org; Tue, 1 Dec 2026 10:00:00 +0000
            Message-ID: <4b1c2d3e-0000-4000-8000-123456789abc@example.net>
            Date: Tue, 1 Dec 2026 11:00:00 +0100
            MIME-Version: 1.0
            User-Agent: Mozilla Thunderbird
            Content-Language: de-DE
            To: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.com>, undisclosed:;
            From: "Bob B." <bob@example.net>
            Subject: =?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=
            In-Reply-To: <parent@example.com>
            References: <root@example.com> (the root)
             <parent@example.com>
            X-Priority: 1 (Highest)
            Importance: whenever
            List-Post: NO
            Content-Type: multipart/mixed;
             boundary="------------nwyZ8kFOgnrb0fGyjLNOXv0v"

            This is a multi-part message in MIME format.
            --------------nwyZ8kFOgnrb0fGyjLNOXv0v
            Content-Type: text/plain; charset=UTF-8; format=flowed
            Content-Transfer-Encoding: 8bit

            Hallo Jörg, this paragraph is long enough that Thunderbird broke it over 
            two lines.

            > quoted line
            -- 
            Bob

            --------------nwyZ8kFOgnrb0fGyjLNOXv0v
            Content-Type: text/plain; charset=UTF-8; name="notes.txt"
            Content-Disposition: attachment; filename="notes.txt"
            Content-Transfer-Encoding: base64

            bm90ZXMK

            --------------nwyZ8kFOgnrb0fGyjLNOXv0v--

            """
        let message = try MailMessage(parsing: Array(raw.utf8))
        #expect(message.from == (try MailAddress("\"Bob B.\" <bob@example.net>")))
        #expect(message.to.map(\.addrSpec) == ["joerg@example.com"])
        #expect(message.to.first?.displayName == "Jörg")
        #expect(message.subject == "Re: Grüße")
        #expect(message.date == Date(timeIntervalSince1970: 1_796_119_200))
        #expect(message.messageID == "4b1c2d3e-0000-4000-8000-123456789abc@example.net")
        #expect(message.inReplyTo == ["parent@example.com"])
        #expect(message.references == ["root@example.com", "parent@example.com"])
        #expect(message.priority == .urgent)
        #expect(message.importance == nil)
        #expect(
            message.extraHeaders.map(\.description) == [
                "User-Agent: Mozilla Thunderbird", "Importance: whenever", "List-Post: NO",
            ])
        #expect(message.textFormat == .flowed(delSp: false))
        #expect(
            message.textBody
                == "Hallo Jörg, this paragraph is long enough that Thunderbird broke it over two lines.\n\n> quoted line\n-- \nBob\n"
        )
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.filename == "notes.txt")
        #expect(message.attachments.first?.contentType.mimeType == "text/plain")
        #expect(message.customBody == nil)
    }

    @Test func keepsASignedBodyByteForByte() throws {
        let signedBody = """
            --sig\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            Signed text with trailing space \r
            --sig\r
            Content-Type: application/pgp-signature; name="signature.asc"\r
            \r
            -----BEGIN PGP SIGNATURE-----\r
            iQ==\r
            -----END PGP SIGNATURE-----\r
            --sig--\r

            """
        let contentType =
            "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=sig\r\n"
        let raw =
            "From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n\(contentType)\r\n\(signedBody)"
        let message = try MailMessage(parsing: Array(raw.utf8))
        let custom = try #require(message.customBody)
        guard case .renderedEntity(let bytes) = custom.body else {
            Issue.record("an unknown structure is kept as a pre-rendered entity")
            return
        }
        #expect(Support.string(bytes) == contentType + "\r\n" + signedBody)
        #expect(message.textBody == nil)
        #expect(message.date == nil)
        #expect(message.messageID == nil)
        let rendered = Support.string(try message.renderedBytes())
        #expect(rendered.hasSuffix(contentType + "\r\n" + signedBody))
    }

    @Test func rejectsMessagesWithoutAUsableFrom() throws {
        let noFrom = Array("To: b@example.org\r\nSubject: x\r\n\r\nbody\r\n".utf8)
        let error = try #require(throws: MailError.self) { try MailMessage(parsing: noFrom) }
        #expect(error.code == .invalidAddress)
        #expect(error.header == "From")
        let badFrom = Array("From: not an address\r\n\r\nbody\r\n".utf8)
        let bad = try #require(throws: MailError.self) { try MailMessage(parsing: badFrom) }
        #expect(bad.header == "From")
        let twoAuthors = Array("From: a@example.org, b@example.org\r\n\r\nbody\r\n".utf8)
        #expect(throws: MailError.self) { try MailMessage(parsing: twoAuthors) }
        let badID = Array("From: a@example.org\r\nMessage-ID: <no-at-sign>\r\n\r\nbody\r\n".utf8)
        #expect(throws: MailError.self) { try MailMessage(parsing: badID) }
    }

    @Test func keepsUnknownCharsetsVerbatim() throws {
        let raw = Array(
            "From: a@example.org\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\u{00C1}\r\n"
                .utf8)
        let message = try MailMessage(parsing: raw)
        #expect(message.customBody != nil)
        #expect(Support.contains(try message.renderedBytes(), "charset=koi8-r"))
    }
}
