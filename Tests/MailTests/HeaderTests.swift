import Testing

@testable import Mail

@Suite("Headers")
struct HeaderTests {
    /// Renders a field and parses it back with the MIME parser.
    private func roundTrip(
        _ field: HeaderField, maxLineLength: Int = 78
    ) throws -> (wire: [UInt8], parsed: MIMEEntity.Header) {
        let wire = try field.rendered(maxLineLength: maxLineLength)
        let entity = try MIMEEntity.parse(wire + [0x0D, 0x0A])
        let header = try #require(entity.headers.first)
        #expect(entity.headers.count == 1)
        return (wire, header)
    }

    @Test func validatesNames() throws {
        for bad in ["", "Sub ject", "Sub:ject", "Süb", "X\u{7F}", "A\tB"] {
            #expect(throws: MailError.self) { try HeaderField(name: bad, value: "x") }
        }
        _ = try HeaderField(name: "X-Custom_1.2", value: "x")
    }

    @Test(arguments: ["a\r\nBcc: evil@example.com", "a\nb", "a\rb", "a\u{0}b"])
    func rejectsLineBreaksAndNUL(_ value: String) {
        #expect(throws: MailError.self) { try HeaderField(name: "Subject", value: value) }
        #expect(throws: MailError.self) { try HeaderField(name: "X-Thing", structuredValue: value) }
        do {
            _ = try HeaderField(name: "Subject", value: value)
        } catch let error as MailError {
            #expect(error.code == .invalidHeaderValue)
            #expect(error.header == "Subject")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func writesShortASCIIValuesAsTheyAre() throws {
        let field = try HeaderField(name: "Subject", value: "Hello, world")
        #expect(Support.string(try field.rendered()) == "Subject: Hello, world\r\n")
    }

    @Test func foldsLongASCIIValuesAtWhitespace() throws {
        let words = (1...40).map { "word\($0)" }.joined(separator: " ")
        let field = try HeaderField(name: "Subject", value: words)
        for limit in [40, 78, 100] {
            let (wire, parsed) = try roundTrip(field, maxLineLength: limit)
            let lines = Support.crlfLines(wire)
            #expect(lines.count > 1)
            #expect(lines.allSatisfy { $0.count <= limit })
            #expect(lines.dropFirst().allSatisfy { $0.first == 0x20 })
            #expect(parsed.rawValue == words)
            #expect(parsed.decodedValue == words)
        }
    }

    @Test func keepsUnbreakableStructuredTokensAndEnforces998() throws {
        let long = try HeaderField(name: "X-Token", structuredValue: String(repeating: "a", count: 500))
        let wire = try long.rendered()
        Support.expectWellFormedLines(wire)
        // Refused when made, not only when rendered.
        #expect(throws: MailError.self) {
            try HeaderField(name: "X-Token", structuredValue: String(repeating: "a", count: 1000))
        }
    }

    @Test(arguments: [
        "Grüße aus Köln", "Re: Größenordnung — 日本語のテキスト and more",
        "Émoji 👩‍👩‍👧‍👦 family and flags 🇩🇪🇫🇷 and combining e\u{301}\u{302}\u{303}",
        String(repeating: "ü", count: 200), String(repeating: "日本", count: 90),
        "ASCII start then ünïcödé then ASCII end", "looks like =?UTF-8?Q?encoded?= but is not",
        "tab\tseparated\tünïcode", "a    spaced     ü   value",
        "https://example.com/" + String(repeating: "x", count: 120),
    ])
    func encodesUnstructuredTextReversibly(_ text: String) throws {
        let field = try HeaderField(name: "Subject", value: text)
        for limit in [40, 78, 200] {
            let (wire, parsed) = try roundTrip(field, maxLineLength: limit)
            #expect(wire.allSatisfy { $0 < 0x80 }, "headers must be ASCII")
            for line in Support.crlfLines(wire) {
                #expect(line.count <= limit)
                if Support.contains(Array(line), "=?UTF-8?") { #expect(line.count <= 76, "RFC 2047 line limit") }
            }
            #expect(parsed.decodedValue == text)
            // Every encoded-word is at most 75 characters.
            for word in parsed.rawValue.split(separator: " ") where word.hasPrefix("=?") {
                #expect(word.utf8.count <= 75)
            }
        }
    }

    @Test func keepsASCIIPrefixReadable() throws {
        let wire = Support.string(try HeaderField(name: "Subject", value: "Re: Grüße").rendered())
        #expect(wire == "Subject: Re: =?UTF-8?B?R3LDvMOfZQ==?=\r\n")
        let base64 = Support.string(try HeaderField(name: "Subject", value: "日本").rendered())
        #expect(base64 == "Subject: =?UTF-8?B?5pel5pys?=\r\n")
        // Q where it is no longer than B.
        let quoted = Support.string(
            try HeaderField(name: "Subject", value: "A naïve approach to coöperation").rendered())
        #expect(quoted == "Subject: A =?UTF-8?Q?na=C3=AFve_approach_to_co=C3=B6peration?=\r\n")
    }

    @Test func encodedWordsSplitOnCharacterBoundaries() throws {
        let text = String(repeating: "👍🏽", count: 30)
        let field = try HeaderField(name: "Subject", value: text)
        let (_, parsed) = try roundTrip(field)
        for word in parsed.rawValue.split(separator: " ") {
            // Each word decodes on its own to whole characters.
            let decoded = EncodedWord.decode(String(word))
            #expect(!decoded.unicodeScalars.contains("\u{FFFD}"))
            #expect(!decoded.isEmpty && decoded.allSatisfy { $0 == "👍🏽" })
        }
        #expect(parsed.decodedValue == text)
    }

    @Test func decodesForeignEncodedWords() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWord.decode("=?iso-8859-1?q?this=20is=20some=20text?=") == "this is some text")
        #expect(EncodedWord.decode("(=?ISO-8859-1?Q?a?= b)") == "(=?ISO-8859-1?Q?a?= b)")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=") == "ab")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=") == "ab")
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?a_b?= c") == "a b c")
        #expect(EncodedWord.decode("=?utf-8*en?B?w7w=?=") == "ü")
        // A character split across two words survives.
        #expect(EncodedWord.decode("=?UTF-8?Q?=C3?= =?UTF-8?Q?=BC?=") == "ü")
        // Unknown charsets and broken words stay as they are.
        #expect(EncodedWord.decode("=?x-unknown?Q?abc?=") == "=?x-unknown?Q?abc?=")
        #expect(EncodedWord.decode("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=")
        #expect(EncodedWord.decode("=?UTF-8?Q?abc") == "=?UTF-8?Q?abc")
    }

    @Test func rendersAddressFields() throws {
        let addresses = try MailAddress.parseList(
            #"Alice <alice@example.com>, "Doe, John" <john@example.com>, Jörg Müller <joerg@example.com>, plain@example.com"#
        )
        let field = try HeaderField(name: "To", addresses: addresses)
        for limit in [40, 78] {
            let (wire, parsed) = try roundTrip(field, maxLineLength: limit)
            #expect(wire.allSatisfy { $0 < 0x80 })
            Support.expectWellFormedLines(wire, limit: limit)
            #expect(try MailAddress.parseList(parsed.rawValue) == addresses)
        }
        #expect(throws: MailError.self) { try HeaderField(name: "To", addresses: []) }
    }

    @Test func rendersParametersWithRFC2231() throws {
        let plain = try ContentType("text/plain", parameters: ["charset": "utf-8", "format": "flowed"])
        #expect(
            Support.string(try HeaderField(contentType: plain).rendered())
                == "Content-Type: text/plain; charset=utf-8; format=flowed\r\n")

        let quoted = try ContentDisposition(.attachment, filename: "my report (final).pdf")
        #expect(
            Support.string(try HeaderField(contentDisposition: quoted).rendered())
                == "Content-Disposition: attachment; filename=\"my report (final).pdf\"\r\n")

        let unicode = try ContentDisposition(.attachment, filename: "Grüße.txt")
        #expect(
            Support.string(try HeaderField(contentDisposition: unicode).rendered())
                == "Content-Disposition: attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.txt\r\n")
    }

    @Test(arguments: [
        "Grüße.txt", "a \"quoted\" name; with = specials.txt", String(repeating: "ü", count: 100) + ".bin",
        String(repeating: "long-ascii-name-", count: 12) + ".tar.gz", "日本語のファイル名がとても長い場合のテスト用の名前.pdf",
    ])
    func parameterValuesRoundTrip(_ filename: String) throws {
        let disposition = try ContentDisposition(.attachment, filename: filename)
        for limit in [40, 78] {
            let (wire, parsed) = try roundTrip(HeaderField(contentDisposition: disposition), maxLineLength: limit)
            #expect(wire.allSatisfy { $0 < 0x80 })
            Support.expectWellFormedLines(wire, limit: limit)
            let back = try ContentDisposition(parsing: parsed.rawValue)
            #expect(back.kind == .attachment)
            #expect(back.filename == filename)
        }
    }

    @Test func parsesContentTypes() throws {
        let type = try ContentType(
            parsing:
                #"Multipart/Signed (comment) ; Micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="=_a b""#
        )
        #expect(type.mimeType == "multipart/signed")
        #expect(type[parameter: "micalg"] == "pgp-sha256")
        #expect(type[parameter: "PROTOCOL"] == "application/pgp-signature")
        #expect(type[parameter: "boundary"] == "=_a b")
        let continued = try ContentType(
            parsing:
                "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\""
        )
        #expect(continued[parameter: "title"] == "This is even more ***fun*** isn't it!")
        let latin1 = try ContentType(parsing: "text/plain; name*=iso-8859-1''caf%E9.txt")
        #expect(latin1[parameter: "name"] == "café.txt")
        for bad in [
            "", "text", "text/", "/plain", "text/plain; charset", "text/plain; =x", "text/plain (unterminated",
            #"text/plain; a="open"#,
        ] {
            #expect(throws: MailError.self, "\(bad)") { try ContentType(parsing: bad) }
        }
    }

    @Test func validatesParametersAndTypes() {
        #expect(throws: MailError.self) { try MIMEParameter("bad name", "x") }
        #expect(throws: MailError.self) { try MIMEParameter("name*", "x") }
        #expect(throws: MailError.self) { try MIMEParameter("name", "a\r\nb") }
        #expect(throws: MailError.self) { try ContentType("text plain") }
        #expect(throws: MailError.self) { try ContentType(type: "te xt", subtype: "plain") }
    }

    @Test func messageHeadersLookupIsCaseInsensitiveAndOrdered() throws {
        var headers: MessageHeaders = [
            try HeaderField(name: "Received", structuredValue: "from a"),
            try HeaderField(name: "X-Tag", value: "one"),
            try HeaderField(name: "received", structuredValue: "from b"),
        ]
        #expect(headers["RECEIVED"] == "from a")
        #expect(headers.values(for: "Received") == ["from a", "from b"])
        #expect(headers.contains("x-tag"))
        headers.set(try HeaderField(name: "Received", structuredValue: "from c"))
        #expect(headers.map(\.name) == ["Received", "X-Tag"])
        #expect(headers["received"] == "from c")
        #expect(headers.removingAll(named: "x-TAG").count == 1)
        let parsed = try MessageHeaders(parsing: "X-A: 1\r\nX-B: two\r\n  continued\nX-C:3")
        #expect(parsed.values(for: "x-b") == ["two  continued"])
        #expect(parsed.map(\.name) == ["X-A", "X-B", "X-C"])
        #expect(throws: MailError.self) { try MessageHeaders(parsing: "no colon here") }
        #expect(throws: MailError.self) { try MessageHeaders(parsing: " leading continuation") }
    }
}
