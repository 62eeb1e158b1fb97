import Testing

@testable import Mail

@Suite("MIME parser")
struct ParserTests {
    @Test func parsesHeadersWithUnfoldingAndDefaults() throws {
        let input = Support.bytes(
            "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n and more\r\nX-Empty:\r\nX-Spaced :  v  \r\n\r\nbody")
        let entity = try MIMEEntity.parse(input)
        #expect(entity.headers.map(\.name) == ["Subject", "X-Empty", "X-Spaced"])
        #expect(entity.headers[0].rawValue == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and more")
        #expect(entity.header("subject") == "Grüße and more")
        #expect(entity.header("x-empty") == "")
        #expect(entity.header("X-SPACED") == "v")
        #expect(entity.contentType.mimeType == "text/plain")
        #expect(entity.contentType[parameter: "charset"] == "us-ascii")
        #expect(entity.transferEncoding == .sevenBit)
        #expect(Support.string(entity.rawBody) == "body")
        #expect(entity.bodyRange == (input.count - 4)..<input.count)
    }

    @Test func acceptsBareLFAndHeaderOnlyEntities() throws {
        let lf = try MIMEEntity.parse(
            Support.bytes("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nw7w=\n"))
        #expect(try lf.decodedText() == "ü")
        let headerOnly = try MIMEEntity.parse(Support.bytes("X-A: b\r\n"))
        #expect(headerOnly.rawBody.isEmpty)
        let bodyOnly = try MIMEEntity.parse(Support.bytes("\r\njust a body"))
        #expect(bodyOnly.headers.isEmpty)
        #expect(Support.string(bodyOnly.rawBody) == "just a body")
        #expect(try MIMEEntity.parse([]).headers.isEmpty)
    }

    @Test func splitsMultipartsIgnoringPreambleAndEpilogue() throws {
        let input = Support.bytes(
            """
            Content-Type: multipart/mixed; boundary="xyz"\r
            \r
            This is the preamble.\r
            --xyz\r
            \r
            first, implicitly text/plain\r
            --xyz \t\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            second\r
            \r
            --xyzNOT a delimiter\r
            --xyz--\r
            This is the epilogue.\r

            """)
        let entity = try MIMEEntity.parse(input)
        #expect(entity.children.count == 2)
        #expect(Support.string(entity.children[0].rawBytes) == "\r\nfirst, implicitly text/plain")
        #expect(entity.children[0].contentType.mimeType == "text/plain")
        #expect(Support.string(entity.children[1].rawBody) == "second\r\n\r\n--xyzNOT a delimiter")
        // Ranges point into the original input.
        #expect(Array(input[entity.children[1].range]) == Array(entity.children[1].rawBytes))
    }

    @Test func digestChildrenDefaultToMessageRFC822() throws {
        let input = Support.bytes(
            "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: x\r\n\r\nhi\r\n--d--\r\n")
        let entity = try MIMEEntity.parse(input)
        #expect(entity.children[0].contentType.mimeType == "message/rfc822")
        let inner = try MIMEEntity.parse(try entity.children[0].decodedBody())
        #expect(inner.header("Subject") == "x")
    }

    @Test(arguments: [
        "no colon in this header line\r\n\r\nbody",
        " continuation first\r\n\r\nbody",
        "Bad Name\u{1}: x\r\n\r\n",
        ": empty name\r\n\r\n",
        "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\na\r\n--x--\r\n",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\nno delimiters at all\r\n",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\ntruncated before the close",
        "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n",
        "Content-Type: text/\r\n\r\n",
        "Content-Type: text/plain; name=\"unterminated\r\n\r\n",
        "Content-Type: text/plain (unterminated comment\r\n\r\n",
        "Content-Disposition: ; filename=x\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nbroken child\r\n--b--\r\n--a--\r\n",
    ])
    func rejectsMalformedInput(_ input: String) {
        do {
            _ = try MIMEEntity.parse(Support.bytes(input))
            Issue.record("expected malformedMIME for \(input.debugDescription)")
        } catch let error as MailError {
            #expect(error.code == .malformedMIME)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectsExcessiveNesting() {
        var input = ""
        for level in 0..<70 { input += "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n" }
        input += "\r\nleaf\r\n"
        for level in (0..<70).reversed() { input += "--b\(level)--\r\n" }
        #expect(throws: MailError.self) { try MIMEEntity.parse(Support.bytes(input)) }
    }

    @Test func decodingErrorsAreReported() throws {
        let unknown = try MIMEEntity.parse(Support.bytes("Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin"))
        #expect(unknown.transferEncoding == nil)
        #expect(unknown.transferEncodingValue == "x-uuencode")
        #expect(throws: MailError.self) { try unknown.decodedBody() }
        let broken = try MIMEEntity.parse(Support.bytes("Content-Transfer-Encoding: base64\r\n\r\nQUJDR"))
        #expect(throws: MailError.self) { try broken.decodedBody() }
    }

    @Test func readsFilenamesFromEitherHeaderAndEncoding() throws {
        let rfc2231 = try MIMEEntity.parse(
            Support.bytes(
                "Content-Disposition: attachment;\r\n filename*0*=utf-8''Gr%C3%BC;\r\n filename*1*=%C3%9Fe.txt\r\n\r\n")
        )
        #expect(rfc2231.filename == "Grüße.txt")
        let legacy = try MIMEEntity.parse(
            Support.bytes("Content-Type: application/pdf; name=\"=?UTF-8?B?w7wucGRm?=\"\r\n\r\n"))
        #expect(legacy.filename == "ü.pdf")
        let none = try MIMEEntity.parse(Support.bytes("\r\n"))
        #expect(none.filename == nil)
    }

    /// Arbitrary bytes never crash the parser or make it loop.
    @Test func survivesGarbage() {
        let seeds: [String] = [
            "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\n--q\r\n--q--\r\n--q--\r\n",
            "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n----\r\n",
            "\r\n\r\n\r\n", "::::\r\n", "\u{0}\u{0}\r\n\r\n", "A: =?=?=?=?\r\n\r\n",
        ]
        var inputs = seeds.map(Support.bytes)
        let pattern = Support.pattern(count: 20000)
        for start in stride(from: 0, to: 19000, by: 997) { inputs.append(Array(pattern[start..<(start + 600)])) }
        let message = Support.bytes(
            "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nA: b\r\n\r\nc\r\n--z--\r\n")
        for cut in 0...message.count { inputs.append(Array(message[..<cut])) }
        #expect((try? MIMEEntity.parse(message))?.children.count == 1)
        for input in inputs {
            if let entity = try? MIMEEntity.parse(input) {
                _ = try? entity.decodedBody()
                _ = entity.headers.map(\.decodedValue)
            }
        }
    }
}
