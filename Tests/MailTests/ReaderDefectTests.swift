import Foundation
import Testing

@testable import Mail

/// Regression tests for defects found by reading our output with real mail readers
/// (Python's `email`, GMime-based notmuch/Geary/Balsa, Outlook): one test per defect.
@Suite("Reader defects")
struct ReaderDefectTests {
    // MARK: Helpers

    /// The header block of a rendered field or message, parsed back.
    private func parseHeaders(_ wire: [UInt8]) throws -> [MIMEEntity.Header] {
        try EntityParser.parseHeaders(wire, range: 0..<wire.count).0
    }

    /// One RFC 2047 encoded-word found in a raw header value.
    private struct Word {
        let isBase64: Bool
        let payload: String
        /// Whether another encoded-word follows with only whitespace between them.
        var adjoinsNext = false
        var decodedBytes: [UInt8] {
            if isBase64 { return (try? Base64.decode(Array(payload.utf8))) ?? [] }
            return EncodedWord.parse(Array("=?UTF-8?Q?\(payload)?=".utf8), at: 0, limit: payload.utf8.count + 12)?
                .0.bytes ?? []
        }
    }

    /// The encoded-words of an unfolded raw value, in order.
    private func encodedWords(in rawValue: String) -> [Word] {
        let bytes = Array(rawValue.utf8)
        var words: [Word] = []
        var lastEnd = -1
        var index = 0
        while index + 10 < bytes.count {
            guard bytes[index..<(index + 8)].elementsEqual("=?UTF-8?".utf8), bytes[index + 9] == ASCII.question,
                let end = (index + 10..<(bytes.count - 1)).first(where: {
                    bytes[$0] == ASCII.question && bytes[$0 + 1] == ASCII.equals
                })
            else {
                index += 1
                continue
            }
            if lastEnd >= 0, !words.isEmpty, bytes[lastEnd..<index].allSatisfy(ASCII.isWSP), lastEnd < index {
                words[words.count - 1].adjoinsNext = true
            }
            words.append(
                Word(
                    isBase64: bytes[index + 8] | 0x20 == UInt8(ascii: "b"),
                    payload: String(decoding: bytes[(index + 10)..<end], as: UTF8.self)))
            lastEnd = end + 2
            index = end + 2
        }
        return words
    }

    /// Checks what GMime needs (every B word followed by another B word carries a multiple of
    /// 3 octets, so has no padding) and that every word holds whole UTF-8 sequences.
    private func expectReadableByGMime(
        _ words: [Word], context: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (index, word) in words.enumerated() {
            #expect(
                String(validating: word.decodedBytes, as: UTF8.self) != nil, "partial UTF-8 in \(word) (\(context))",
                sourceLocation: sourceLocation)
            let nextIsBase64 = index + 1 < words.count && words[index + 1].isBase64
            if word.isBase64 && word.adjoinsNext && nextIsBase64 {
                #expect(
                    word.decodedBytes.count % 3 == 0 && !word.payload.contains("="),
                    "padded B word before another B word: \(word.payload) (\(context))", sourceLocation: sourceLocation)
            }
        }
        // GMime's way: join the payloads of a run of adjacent B words, then decode once.
        var joined = ""
        var decoded: [UInt8] = []
        for (index, word) in words.enumerated() {
            if word.isBase64 {
                joined += word.payload
                if !(word.adjoinsNext && index + 1 < words.count && words[index + 1].isBase64) {
                    decoded += (try? Base64.decode(Array(joined.utf8))) ?? []
                    joined = ""
                }
            } else {
                decoded += word.decodedBytes
            }
        }
        let separately = words.flatMap(\.decodedBytes)
        #expect(decoded == separately, "GMime-style decoding differs (\(context))", sourceLocation: sourceLocation)
    }

    static let nonASCIITexts: [String] = [
        String(repeating: "é", count: 90),  // 2-byte
        String(repeating: "€", count: 70),  // 3-byte
        String(repeating: "😀", count: 50),  // 4-byte
        String(repeating: "e\u{301}\u{302}", count: 40),  // combining sequences
        "a" + String(repeating: "€", count: 60),  // no B prefix of whole characters is a multiple of 3
        "ab" + String(repeating: "😀", count: 30) + "é€",
        "Re: " + String(repeating: "日本語のテキスト、", count: 12),
        "Grüße aus Köln, Düsseldorf und München — eine ziemlich lange Betreffzeile mit Umlauten äöü",
        String(repeating: "👩‍👩‍👧‍👦", count: 12),  // 25-byte characters
        "Привет, это длинная тема письма на русском языке, чтобы проверить перенос строк",
    ]

    // MARK: 1

    @Test func emlAttachmentIsEmbeddedAsMessageRFC822NotBase64() throws {
        let inner = Array("From: a@example.com\nSubject: Inner\n\nHello,\nworld\n".utf8)
        let canonical = BodyInspection.canonicalLineBreaks(inner)
        let from = try MailAddress("s@example.com")
        for attachment in [
            try Attachment(embeddedMessage: inner, filename: "fwd.eml"),
            try Attachment(filename: "fwd.eml", data: inner),
            try Attachment(filename: "fwd.bin", data: inner, contentType: try ContentType("message/rfc822")),
        ] {
            #expect(attachment.contentType.mimeType == "message/rfc822")
            let part = try attachment.mimePart()
            #expect(part.transferEncoding == .sevenBit)
            let message = try MailMessage(from: from, to: [from], subject: "Fwd", body: "see attached")
                .addingAttachment(attachment)
            let entity = try MIMEEntity.parse(try message.renderedBytes())
            let embedded = try #require(entity.children.last)
            #expect(embedded.contentType.mimeType == "message/rfc822")
            #expect(embedded.header("Content-Transfer-Encoding") == "7bit")
            #expect(embedded.contentDisposition?.filename == attachment.filename)
            #expect(Array(embedded.rawBody) == canonical)
        }

        // A message rendered from a MailMessage.
        let original = try MailMessage(from: from, to: [from], subject: "Grüße", body: "Straße")
        let embedding = try Attachment(embedding: original)
        #expect(embedding.contentType.mimeType == "message/rfc822")
        guard case .data(let bytes) = embedding.source else {
            Issue.record("an embedded message is held in memory")
            return
        }
        #expect(try MIMEEntity.parse(bytes).header("Subject") == "Grüße")

        // 8-bit or long-lined messages cannot be message/rfc822 in base64: octet-stream, named.
        let eightBit = Array("Subject: Grüße\r\n\r\nStraße\r\n".utf8)
        let longLine = Array("Subject: x\r\n\r\n\(String(repeating: "a", count: 999))\r\n".utf8)
        let fallbacks: [([UInt8], String?, String)] = [
            (eightBit, "fwd.eml", "fwd.eml"), (longLine, nil, "message.eml"),
        ]
        for (bytes, name, expected) in fallbacks {
            let fallback = try Attachment(embeddedMessage: bytes, filename: name)
            #expect(fallback.contentType.mimeType == "application/octet-stream")
            #expect(fallback.filename == expected)
            #expect(try fallback.mimePart().transferEncoding == .base64)
        }
        #expect(try Attachment(filename: "x.eml", data: eightBit).contentType.mimeType == "application/octet-stream")

        // Bytes that are not a message: refused by the explicit API, octet-stream by file name.
        for notAMessage in ["hello world", "", "\r\nbody only", " continuation: x\r\n"] {
            #expect(throws: MailError.self) { try Attachment(embeddedMessage: Array(notAMessage.utf8)) }
            let named = try Attachment(filename: "x.eml", data: Array(notAMessage.utf8))
            #expect(named.contentType.mimeType == "application/octet-stream")
        }
        // A file is read only while rendering, so an .eml file cannot be checked: octet-stream.
        let file = try Attachment(fileURL: URL(fileURLWithPath: "/nonexistent/fwd.eml"))
        #expect(file.contentType.mimeType == "application/octet-stream")
        #expect(file.filename == "fwd.eml")
    }

    // MARK: 2

    @Test(arguments: nonASCIITexts)
    func longNonASCIIHeadersHaveNoPaddingInsideBase64Runs(_ text: String) throws {
        let address = try MailAddress(displayName: text, address: "someone@example.com")
        let fields: [HeaderField] = [
            try HeaderField(name: "Subject", value: text),
            try HeaderField(name: "To", addresses: [address, address]),
            try HeaderField(contentType: ContentType("application/pdf", parameters: ["name": text + ".pdf"])),
            HeaderField(validatedName: "Content-Description", content: .unstructured(text)),
        ]
        for field in fields {
            for width in [32, 40, 60, 78, 100, 998] {
                let wire = try field.rendered(maxLineLength: width)
                let context = "\(field.name) at \(width)"
                #expect(wire.allSatisfy { $0 < 0x80 }, "\(context)")
                let header = try #require(try parseHeaders(wire).first)
                let words = encodedWords(in: header.rawValue)
                #expect(!words.isEmpty, "\(context)")
                expectReadableByGMime(words, context: context)
                for word in words {
                    #expect(word.payload.utf8.count + 12 <= EncodedWord.maxLength, "\(context)")
                }
                switch field.name {
                case "Subject", "Content-Description": #expect(header.decodedValue == text, "\(context)")
                case "To":
                    let parsed = try MailAddress.parseList(header.rawValue)
                    #expect(parsed.map(\.displayName) == [text, text], "\(context)")
                default:
                    let name = try ContentType(parsing: header.rawValue)[parameter: "name"]
                    #expect(name.map(EncodedWord.decode) == text + ".pdf", "\(context)")
                }
            }
        }
    }

    @Test func encoderPrefersQForMostlyASCIIAndBForOtherScripts() throws {
        func words(_ text: String) throws -> [Word] {
            let wire = try HeaderField(name: "Subject", value: text).rendered()
            return encodedWords(in: try #require(try parseHeaders(wire).first).rawValue)
        }
        let german = "Grüße from the whole team and many thanks for your help and see you soon in München"
        #expect(try words(german).allSatisfy { !$0.isBase64 })
        #expect(try words(String(repeating: "日本語", count: 30)).allSatisfy(\.isBase64))
        // Every B word but the last is unpadded when B is chosen throughout.
        let japanese = try words(String(repeating: "日本語のテキスト", count: 10))
        #expect(japanese.count > 2)
        for word in japanese.dropLast() { #expect(word.decodedBytes.count % 3 == 0) }
    }

    // MARK: 4

    @Test func gluedCommasAndSemicolonsStayWithinTheLineWidth() throws {
        for width in [60, 78, 100] {
            // Addresses of every length that fits a line with its comma, so some end exactly there.
            let addresses = try (1...min(width - 14, 64)).map { length in
                try MailAddress(displayName: nil, address: String(repeating: "a", count: length) + "@example.com")
            }
            let named = try (1...40).map { length in
                try MailAddress(
                    displayName: "Name " + String(repeating: "n", count: length), address: "x\(length)@example.org")
            }
            for list in [addresses, named, Array(zip(addresses, named).flatMap { [$0, $1] })] {
                let wire = try HeaderField(name: "To", addresses: list).rendered(maxLineLength: width)
                Support.expectWellFormedLines(wire, limit: width)
                #expect(try MailAddress.parseList(try #require(try parseHeaders(wire).first).rawValue) == list)
            }
            // Parameter lists whose `;` lands at every column.
            for padding in 0..<40 {
                let type = try ContentType(
                    type: "multipart", subtype: "encrypted" + String(repeating: "x", count: padding),
                    parameters: [
                        MIMEParameter("boundary", "=_" + String(repeating: "b", count: 30 + padding % 7)),
                        MIMEParameter("protocol", "application/pgp-encrypted"),
                        MIMEParameter("x-extra", String(repeating: "v", count: padding)),
                    ])
                let wire = try HeaderField(contentType: type).rendered(maxLineLength: width)
                Support.expectWellFormedLines(wire, limit: width)
                let back = try ContentType(parsing: try #require(try parseHeaders(wire).first).rawValue)
                #expect(back == type)
            }
        }
        // The multipart/encrypted part the PGP/MIME code builds, at the default width.
        for _ in 0..<20 {
            let encrypted = try MIMEPart.multipart(
                "encrypted", parameters: [MIMEParameter("protocol", "application/pgp-encrypted")],
                parts: [MIMEPart.text("x")])
            Support.expectWellFormedLines(try encrypted.headers.rendered(), limit: 78)
        }
    }

    // MARK: 5

    @Test func parsedHeadersAreEncodedLikeAddedHeaders() throws {
        let from = try MailAddress("s@example.com")
        let message = try MailMessage(from: from, to: [from], subject: "s", body: "b")
        let parsed = try message.addingHeaders(parsing: "X-Note: Grüße aus Köln\r\nX-Plain: ascii\r\n  folded\r\n")
        let added = try message.addingHeader(name: "X-Note", value: "Grüße aus Köln")
            .addingHeader(name: "X-Plain", value: "ascii  folded")
        #expect(!parsed.requiresSMTPUTF8)
        #expect(try parsed.extraHeaders.rendered() == added.extraHeaders.rendered())
        #expect(try parsed.extraHeaders.rendered().allSatisfy { $0 < 0x80 })
        #expect(parsed.extraHeaders["x-note"] == "Grüße aus Köln")

        // Known structured fields keep their ASCII value verbatim (a long URL is not encoded)...
        let url = "<https://example.com/unsubscribe/" + String(repeating: "x", count: 90) + ">"
        let list = try MessageHeaders(parsing: "List-Unsubscribe: \(url)")
        #expect(Support.string(try list.rendered()) == "List-Unsubscribe: \(url)\r\n")
        // ...and refuse non-ASCII, which encoded-words cannot carry there.
        #expect(throws: MailError.self) { try MessageHeaders(parsing: "References: <ü@example.com>") }

        // Malformed input: a clear error naming the line.
        let cases: [(String, MailError.Code, String)] = [
            ("X-A: 1\r\n\r\nX-B: 2", .invalidHeaderValue, ""),
            ("X-A: 1\n   \nX-B: 2", .invalidHeaderValue, "   "),
            ("X-A: 1\r\nno colon here", .invalidHeaderName, "no colon here"),
            ("X-A: 1\r\n: empty name", .invalidHeaderName, ": empty name"),
            ("X A: space in name", .invalidHeaderName, "X A: space in name"),
            (" leading continuation\r\nX-A: 1", .invalidHeaderValue, " leading continuation"),
            ("\r\nX-A: 1", .invalidHeaderValue, ""),
            ("X-A: bell \u{7}", .invalidHeaderValue, "X-A: bell \\u{7}"),
        ]
        for (text, code, line) in cases {
            do {
                _ = try MessageHeaders(parsing: text)
                Issue.record("accepted \(text.debugDescription)")
            } catch let error as MailError {
                #expect(error.code == code, "\(text.debugDescription)")
                #expect(error.input == line, "\(text.debugDescription): \(error)")
                #expect(error.message.contains("line "), "\(error)")
            }
        }
        // Line breaks at the end are fine.
        #expect(try MessageHeaders(parsing: "X-A: 1\r\n").count == 1)
        #expect(try MessageHeaders(parsing: "X-A: 1\n\n").count == 1)
        #expect(try MessageHeaders(parsing: "").isEmpty)
    }

    // MARK: 6

    @Test func unfoldableStructuredValueFailsAtConstruction() throws {
        // A token may move to a line of its own after the name: " " and 997 octets fit 998.
        _ = try HeaderField(name: "X-T", structuredValue: String(repeating: "a", count: 997))
        for value in [String(repeating: "a", count: 998), "short " + String(repeating: "a", count: 998)] {
            #expect(throws: MailError.self) { try HeaderField(name: "X-T", structuredValue: value) }
            do {
                _ = try HeaderField(name: "X-T", structuredValue: value)
            } catch let error as MailError {
                #expect(error.code == .invalidHeaderValue)
            }
        }
        let token = String(repeating: "a", count: 1000)
        #expect(throws: MailError.self) { try MessageHeaders(parsing: "List-Id: <\(token)>") }
        // Unstructured text never fails: long words become encoded-words.
        Support.expectWellFormedLines(try HeaderField(name: "X-T", value: token).rendered(), limit: 78)
    }

    @Test func textAttachmentsDeclareTheirCharset() throws {
        let ascii = try Attachment(filename: "notes.txt", data: Array("plain text\n".utf8))
        #expect(ascii.contentType[parameter: "charset"] == "us-ascii")
        let utf8 = try Attachment(filename: "notes.csv", data: Array("Grüße;€\n".utf8))
        #expect(utf8.contentType[parameter: "charset"] == "utf-8")
        let latin1 = try Attachment(filename: "notes.txt", data: [0x47, 0x72, 0xFC, 0xDF, 0x65])
        #expect(latin1.contentType[parameter: "charset"] == nil)
        let given = try Attachment(
            filename: "notes.txt", data: [0x47, 0x72, 0xFC],
            contentType: ContentType("text/plain", parameters: ["charset": "iso-8859-1"]))
        #expect(given.contentType[parameter: "charset"] == "iso-8859-1")
        let binary = try Attachment(filename: "image.png", data: [0x89, 0x50])
        #expect(binary.contentType[parameter: "charset"] == nil)
        let wire = Support.string(try ascii.mimePart().headers.rendered())
        #expect(wire.contains("Content-Type: text/plain; charset=us-ascii; name=notes.txt\r\n"))
    }

    @Test func nonASCIIFilenamesGetAnEncodedNameParameter() throws {
        for filename in [
            "Grüße.pdf", "Отчёт за первый квартал две тысячи двадцать шестого года.pdf",
            String(repeating: "日本語", count: 20) + ".txt", "plain.pdf",
            String(repeating: "long-ascii-name-", count: 8) + ".tar.gz",
        ] {
            let part = try Attachment(filename: filename, data: [1, 2, 3]).mimePart()
            for width in [60, 78, 100] {
                let wire = try part.headers.rendered(maxLineLength: width)
                Support.expectWellFormedLines(wire, limit: width)
                let headers = try parseHeaders(wire)
                let contentType = try #require(headers.first { $0.name == "Content-Type" }).rawValue
                let disposition = try #require(headers.first { $0.name == "Content-Disposition" }).rawValue
                // Content-Disposition: RFC 2231 when needed; Content-Type: RFC 2047 in quotes.
                #expect(try ContentDisposition(parsing: disposition).filename == filename)
                let name = try #require(try ContentType(parsing: contentType)[parameter: "name"])
                #expect(!contentType.contains("name*"), "\(contentType)")
                let isPlain = filename.utf8.allSatisfy { $0 < 0x80 } && filename.utf8.count < 40
                #expect(isPlain ? name == filename : name.hasPrefix("=?UTF-8?"), "\(contentType)")
                #expect(EncodedWord.decode(name) == filename)
            }
        }
    }

    @Test func controlCharactersAreRefusedInUnstructuredValues() throws {
        let from = try MailAddress("s@example.com")
        let message = try MailMessage(from: from, to: [from], subject: "tab\tis fine", body: "")
        for control in ["\u{1B}[31m", "\u{7}", "\u{7F}", "\u{0}", "\u{8}"] {
            let value = "bad \(control) value"
            func expectRefused(_ body: () throws -> Void) {
                do {
                    try body()
                    Issue.record("accepted \(value.debugDescription)")
                } catch let error as MailError {
                    #expect(error.code == .invalidHeaderValue)
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
            expectRefused { _ = try MailMessage(from: from, to: [from], subject: value, body: "") }
            expectRefused { _ = try message.withSubject(value) }
            expectRefused { _ = try message.addingHeader(name: "X-Note", value: value) }
            expectRefused { _ = try HeaderField(name: "Comments", value: value) }
            expectRefused { _ = try MIMEPart.text("x").withDescription(value) }
            expectRefused { _ = try Attachment(filename: "a.bin", data: [], description: value) }
        }
        _ = try message.withSubject("tab\tok").addingHeader(name: "X-Note", value: "tab\tok")
    }

    @Test func traceFieldsAreRefused() throws {
        let from = try MailAddress("s@example.com")
        let message = try MailMessage(from: from, to: [from], subject: "s", body: "")
        for name in [
            "Resent-Bcc", "resent-from", "Resent-Message-ID", "Return-Path", "Received", "Delivered-To",
            "Authentication-Results", "ARC-Seal", "Received-SPF",
        ] {
            let attempts: [() throws -> MailMessage] = [
                { try message.addingHeader(name: name, value: "<x@example.com>") },
                { try message.addingHeader(HeaderField(name: name, structuredValue: "<x@example.com>")) },
                { try message.addingHeaders(parsing: "X-Ok: 1\r\n\(name): <x@example.com>") },
            ]
            for attempt in attempts {
                do {
                    _ = try attempt()
                    Issue.record("accepted \(name)")
                } catch let error as MailError {
                    #expect(error.code == .invalidHeaderName, "\(name)")
                    #expect(error.message.contains("trace field"), "\(error)")
                }
            }
        }
        // Similar names that are not trace fields stay allowed.
        _ = try message.addingHeader(name: "X-Received", value: "x").addingHeader(name: "Resentment", value: "x")
    }

    @Test func attachmentFilenamesLoseTheirPath() throws {
        let cases = [
            ("../../etc/passwd", "passwd"), ("..\\..\\Windows\\win.ini", "win.ini"), ("/etc/shadow", "shadow"),
            ("C:\\Users\\me\\report.pdf", "report.pdf"), ("dir/sub/", "sub"), ("a/..\\b.txt", "b.txt"),
            ("plain.txt", "plain.txt"),
        ]
        for (given, sent) in cases {
            let attachment = try Attachment(filename: given, data: [1])
            #expect(attachment.filename == sent)
            let part = try attachment.mimePart()
            #expect(part.disposition?.filename == sent)
            #expect(part.contentType[parameter: "name"] == sent)
            #expect(!Support.string(try part.headers.rendered()).contains("etc"))
        }
        for unusable in ["", "/", "..", "../..", ".", "a/.", "\\"] {
            #expect(throws: MailError.self, "\(unusable)") { try Attachment(filename: unusable, data: [1]) }
        }
        #expect(throws: MailError.self) { try Attachment(fileURL: URL(fileURLWithPath: "/"), filename: nil) }
    }
}
