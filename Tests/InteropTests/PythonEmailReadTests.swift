import Foundation
import PGPMail
import TestSupport
import Testing

/// Python's `email` package (policy.default) reads what we render: embedded messages, long
/// non-ASCII headers, non-ASCII file names and parsed extra headers.
@Suite("Python email reads our messages", .enabled(if: ExternalProcess.shouldRun("python3")))
struct PythonEmailReadTests {
    var alice: MailAddress {
        get throws { try MailAddress(displayName: "Alice", address: "alice@example.org") }
    }

    /// Expects no parse defects in any part and no header defects outside `allowed` fields.
    private func expectNoDefects(
        _ parse: PythonEmail.Parse, allowingHeaderDefectsIn allowed: Set<String> = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for part in parse.parts {
            #expect(part.defects.isEmpty, "\(part.contentType): \(part.defects)", sourceLocation: sourceLocation)
            let unexpected = part.headerDefects.filter { defect in
                !allowed.contains { defect.hasPrefix("\($0):") }
            }
            #expect(unexpected.isEmpty, "\(part.contentType): \(unexpected)", sourceLocation: sourceLocation)
        }
    }

    @Test func findsAnEmbeddedEMLAsMessageRFC822() throws {
        let inner = try MailMessage(
            from: try alice, to: [try alice], subject: "Inner subject, Grüße", body: "Inner body")
        let rawInner = Array("From: bob@example.org\nSubject: Raw inner\n\nraw body\n".utf8)
        for attachment in [
            try Attachment(embedding: inner, filename: "inner.eml"),
            try Attachment(filename: "raw.eml", data: rawInner),
        ] {
            let message = try MailMessage(from: try alice, to: [try alice], subject: "Fwd", body: "See attached.")
                .addingAttachment(attachment)
            let parse = try PythonEmail.parse(try message.renderedBytes())
            expectNoDefects(parse)
            let index = try #require(parse.parts.firstIndex { $0.contentType == "message/rfc822" })
            #expect(parse.parts[index].filename == attachment.filename)
            #expect(parse.parts[index].isAttachment)
            // walk() continues into the embedded message: its headers come next.
            let embedded = try #require(parse.parts.dropFirst(index + 1).first)
            let subject = attachment.filename == "inner.eml" ? "Inner subject, Grüße" : "Raw inner"
            #expect(embedded.header("Subject") == subject)
        }
    }

    @Test func decodesLongNonASCIISubjectsAndDisplayNamesExactly() throws {
        let texts = [
            String(repeating: "é", count: 90), String(repeating: "€", count: 70), String(repeating: "😀", count: 40),
            "a" + String(repeating: "€", count: 60), String(repeating: "e\u{301}\u{302}", count: 30),
            "Re: " + String(repeating: "日本語のテキスト、", count: 10),
            "Grüße aus Köln, Düsseldorf und München — eine ziemlich lange Betreffzeile mit Umlauten äöü",
        ]
        for text in texts {
            let named = try MailAddress(displayName: text, address: "bob@example.org")
            let message = try MailMessage(from: named, to: [named, try alice], subject: text, body: "x")
            for width in [60, 78, 100] {
                let bytes = try message.renderedBytes(options: MIMERenderingOptions(maxHeaderLineLength: width))
                let parse = try PythonEmail.parse(bytes)
                expectNoDefects(parse)
                let top = try #require(parse.parts.first)
                #expect(top.header("Subject") == text, "width \(width)")
                // Python before gh-128110 keeps the space between adjacent encoded-words of a
                // display name (RFC 2047 §6.2 drops it), so compare names without spaces there.
                func spaceless(_ name: String) -> String { name.filter { $0 != " " } }
                let from = try #require(top.addresses["from"]?.first)
                #expect(from.count == 2 && spaceless(from[0]) == spaceless(text) && from[1] == "bob@example.org")
                let to = try #require(top.addresses["to"])
                #expect(to.count == 2 && to.first.map { spaceless($0[0]) } == spaceless(text))
                #expect(to.last == ["Alice", "alice@example.org"])
            }
        }
    }

    @Test func readsNonASCIIAttachmentFilenames() throws {
        for filename in [
            "Grüße.pdf", "Отчёт за первый квартал две тысячи двадцать шестого года.pdf",
            String(repeating: "日本語", count: 15) + ".txt",
        ] {
            let message = try MailMessage(from: try alice, to: [try alice], subject: "File", body: "x")
                .addingAttachment(try Attachment(filename: filename, data: Array("content".utf8)))
            let parse = try PythonEmail.parse(try message.renderedBytes())
            // Python flags encoded-words in a quoted Content-Type `name` (the form old Outlook
            // reads); Content-Disposition's RFC 2231 `filename*` is what it and others use.
            expectNoDefects(parse, allowingHeaderDefectsIn: ["Content-Type"])
            let part = try #require(parse.parts.first { $0.isAttachment })
            #expect(part.filename == filename)
            #expect(part.parameters["name"] == filename)
        }
    }

    @Test func readsParsedHeadersBack() throws {
        let headers =
            "X-Note: Grüße aus Köln — \(String(repeating: "ünïcödé ", count: 12))\r\n"
            + "X-Plain: ascii value\r\n  continued\r\nList-Id: Our list <list.example.org>\r\n"
        let message = try MailMessage(from: try alice, to: [try alice], subject: "Headers", body: "x")
            .addingHeaders(parsing: headers)
        #expect(!message.requiresSMTPUTF8)
        let bytes = try message.renderedBytes()
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let parse = try PythonEmail.parse(bytes)
        expectNoDefects(parse)
        let top = try #require(parse.parts.first)
        #expect(
            top.header("X-Note")
                == "Grüße aus Köln — \(String(repeating: "ünïcödé ", count: 12))".trimmingCharacters(in: .whitespaces))
        #expect(top.header("X-Plain") == "ascii value  continued")
        #expect(top.header("List-Id") == "Our list <list.example.org>")
    }
}
