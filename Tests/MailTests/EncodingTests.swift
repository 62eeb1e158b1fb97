import Foundation
import Testing

@testable import Mail

@Suite("Transfer encodings and charsets")
struct EncodingTests {
    @Test func base64KnownVectors() throws {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Support.string(Base64.encodeUnwrapped(Array(plain.utf8))) == encoded)
            #expect(try Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
            let lines = Base64.encodeLines(Array(plain.utf8))
            #expect(Support.string(lines) == (encoded.isEmpty ? "" : encoded + "\r\n"))
        }
    }

    @Test(arguments: [0, 1, 2, 56, 57, 58, 113, 114, 1000, 4099])
    func base64LinesAreAtMost76AndRoundTrip(_ count: Int) throws {
        let data = Support.pattern(count: count)
        let encoded = Base64.encodeLines(data)
        let lines = Support.crlfLines(encoded)
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.allSatisfy { $0.count <= 76 && !$0.isEmpty })
        #expect(try Base64.decode(encoded) == data)
    }

    @Test func base64StreamingMatchesOneShotForAnyChunking() {
        let data = Support.pattern(count: 1000)
        let expected = Base64.encodeLines(data)
        for chunk in [1, 2, 3, 4, 7, 57, 58, 999] {
            var encoder = Base64.LineEncoder()
            var out: [UInt8] = []
            var offset = 0
            while offset < data.count {
                let end = min(offset + chunk, data.count)
                data[offset..<end].withUnsafeBytes { encoder.encode($0, into: &out) }
                offset = end
            }
            encoder.finish(into: &out)
            #expect(out == expected, "chunk size \(chunk)")
        }
    }

    @Test func base64DecoderToleratesWhitespaceAndRejectsDanglingData() throws {
        #expect(try Base64.decode(Array("Zm9v\r\n Ym Fy\r\n".utf8)) == Array("foobar".utf8))
        #expect(try Base64.decode(Array("Zm9vYg".utf8)) == Array("foob".utf8))
        #expect(try Base64.decode(Array("Zm9v!!YmFy".utf8)) == Array("foobar".utf8))
        #expect(throws: MailError.self) { try Base64.decode(Array("Zm9vY".utf8)) }
    }

    @Test func quotedPrintableEscapesWhatItMust() {
        let cases: [(String, String)] = [
            ("plain text", "plain text"),
            ("a=b", "a=3Db"),
            ("trailing space ", "trailing space=20"),
            ("trailing tab\t", "trailing tab=09"),
            ("line one \nline two", "line one=20\r\nline two"),
            ("Grüße", "Gr=C3=BC=C3=9Fe"),
            ("From here", "=46rom here"),
            ("x\r\nFrom y", "x\r\n=46rom y"),
            ("bare\rcr", "bare\r\ncr"),
            ("ctrl\u{1}", "ctrl=01"),
        ]
        for (input, expected) in cases {
            #expect(Support.string(QuotedPrintable.encodeText(Array(input.utf8))) == expected, "\(input)")
        }
    }

    @Test func quotedPrintableSoftBreaksKeepLinesWithin76() {
        let inputs = [
            String(repeating: "a", count: 300),
            String(repeating: "=", count: 100),
            String(repeating: "ü", count: 100),
            String(repeating: "x", count: 75) + "=" + String(repeating: "y", count: 10),
            String(repeating: "a", count: 75) + " ",
            String(repeating: "a ", count: 80),
            String(repeating: "a", count: 76),
            String(repeating: "a", count: 77),
        ]
        for input in inputs {
            let encoded = QuotedPrintable.encodeText(Array(input.utf8))
            for line in Support.crlfLines(encoded) {
                #expect(line.count <= 76)
                #expect(line.last != 0x20 && line.last != 0x09, "no trailing whitespace")
            }
            #expect(QuotedPrintable.decode(encoded) == Array(input.utf8), "\(input.prefix(20))")
        }
        // Exactly 76 characters fit without a soft break.
        #expect(Support.crlfLines(QuotedPrintable.encodeText(Array(String(repeating: "a", count: 76).utf8))).count == 1)
    }

    @Test func quotedPrintableBinaryRoundTripsAllBytes() {
        let data = (0...255).map(UInt8.init) + [0x0D, 0x0A, 0x0D, 0x20, 0x0A, 0x20] + Support.pattern(count: 700)
        let encoded = QuotedPrintable.encodeBinary(data)
        Support.expectWellFormedLines(encoded, limit: 76)
        #expect(QuotedPrintable.decode(encoded) == data)
    }

    @Test func quotedPrintableDecoderIsLenient() {
        #expect(Support.string(QuotedPrintable.decode(Array("a=3d=3Db=\r\nc".utf8))) == "a==bc")
        #expect(Support.string(QuotedPrintable.decode(Array("soft=\nbreak".utf8))) == "softbreak")
        #expect(Support.string(QuotedPrintable.decode(Array("bad=XYesc=".utf8))) == "bad=XYesc")
        #expect(Support.string(QuotedPrintable.decode(Array("trailing   \r\nnext".utf8))) == "trailing\r\nnext")
        #expect(Support.string(QuotedPrintable.decode(Array("end=4".utf8))) == "end=4")
    }

    @Test func charsetsEncodeAndDecode() throws {
        #expect(try Charset.isoLatin1.encode("café") == [0x63, 0x61, 0x66, 0xE9])
        #expect(Charset.isoLatin1.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
        #expect(try Charset.windows1252.encode("€“x”") == [0x80, 0x93, 0x78, 0x94])
        #expect(Charset.windows1252.decode([0x80, 0x93, 0x78, 0x94]) == "€“x”")
        #expect(Charset.usASCII.decode([0x61, 0xFF]) == "a\u{FFFD}")
        #expect(Charset(name: " UTF8 ") == .utf8)
        #expect(Charset(name: "Latin1") == .isoLatin1)
        #expect(Charset(name: "x-unknown") == nil)
        do {
            _ = try Charset.usASCII.encode("naïve")
            Issue.record("expected an error")
        } catch let error as MailError {
            #expect(error.code == .unencodableText)
            #expect(error.psmtpErrorCode == 434)
        }
        #expect(Charset.isoLatin1.canEncode("café") && !Charset.isoLatin1.canEncode("€"))
    }

    @Test func datesFormatPerRFC5322() throws {
        let date = Date(timeIntervalSince1970: 1_795_512_718)  // 2026-11-24 09:31:58 UTC
        #expect(MailDate.format(date) == "Tue, 24 Nov 2026 09:31:58 +0000")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(MailDate.format(date, timeZone: berlin) == "Tue, 24 Nov 2026 10:31:58 +0100")
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(MailDate.format(Date(timeIntervalSince1970: 0), timeZone: newYork) == "Wed, 31 Dec 1969 19:00:00 -0500")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test func datesFarOutsideTheCalendarNeitherTrapNorParse() {
        // Years that overflow the day arithmetic are not dates.
        for hostile in [
            "1 Jan 9223372036854775807 00:00:00 +0000", "1 Jan 99999999999999 00:00 +0000", "1 Jan -5 00:00 +0000",
            "1 Jan 10000 00:00 +0000",
        ] {
            #expect(MailDate.parse(hostile) == nil, "\(hostile)")
        }
        #expect(MailDate.parse("31 Dec 9999 23:59:59 +0000") == Date(timeIntervalSince1970: 253_402_300_799))
        // Dates no header can carry are written as the nearest representable one.
        #expect(MailDate.format(Date(timeIntervalSince1970: 1e300)) == "Fri, 31 Dec 9999 23:59:59 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: -.infinity)) == "Mon, 1 Jan 0001 00:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: .nan)) == "Thu, 1 Jan 1970 00:00:00 +0000")
    }

    @Test func datesParseIncludingObsoleteForms() {
        let date = Date(timeIntervalSince1970: 1_795_512_718)
        #expect(MailDate.parse("Tue, 24 Nov 2026 09:31:58 +0000") == date)
        #expect(MailDate.parse("24 Nov 2026 10:31:58 +0100") == date)
        #expect(MailDate.parse("Tue, 24 Nov 2026 04:31:58 EST (comment)") == date)
        #expect(MailDate.parse("Tue, 24 nov 26 09:31:58 GMT") == date)
        #expect(MailDate.parse("Tue, 24 Nov 2026 09:31 +0000") == date.addingTimeInterval(-58))
        for bad in [
            "", "yesterday", "31 Feb 2026 10:00:00 +0000", "24 Nov 2026 25:00:00 +0000", "24 Foo 2026 10:00 +0000",
            "24 Nov 2026 10:00:00 +01",
        ] {
            #expect(MailDate.parse(bad) == nil, "\(bad)")
        }
        for seconds in stride(from: -2_000_000_000, through: 4_000_000_000, by: 123_456_789) {
            let value = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(MailDate.parse(MailDate.format(value)) == value)
        }
    }

    @Test func messageIDsAreRandomAndValidated() throws {
        let first = MessageID.generate(domain: "example.com")
        let second = MessageID.generate(domain: "example.com")
        #expect(first != second)
        #expect(first.hasSuffix("@example.com"))
        #expect(first.split(separator: "@")[0].count == 26)
        #expect(MessageID.generate(domain: "bücher.example").hasSuffix("@localhost"))
        #expect(try MessageID.validated("<abc@def>") == "abc@def")
        #expect(try MessageID.validated(first) == first)
        for bad in ["", "<>", "nodomain", "@x", "x@", "a b@c", "a@b\r\nX: y", "<a@b", "ü@x"] {
            #expect(throws: MailError.self, "\(bad)") { try MessageID.validated(bad) }
        }
    }
}
