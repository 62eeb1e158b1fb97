import Foundation
import Testing

@testable import Mail

@Suite("MIME parts")
struct MIMEPartTests {
    @Test func choosesTransferEncodingForText() throws {
        #expect(try MIMEPart.text("Hello\nWorld\n").transferEncoding == .sevenBit)
        #expect(try MIMEPart.text("Grüße").transferEncoding == .quotedPrintable)
        #expect(try MIMEPart.text(String(repeating: "x", count: 77)).transferEncoding == .quotedPrintable)
        #expect(try MIMEPart.text("trailing space \nnext").transferEncoding == .quotedPrintable)
        #expect(try MIMEPart.text("From me\n").transferEncoding == .quotedPrintable)
        #expect(try MIMEPart.text("bell\u{7}").transferEncoding == .quotedPrintable)
        #expect(try MIMEPart.text("Grüße", transferEncoding: .base64).transferEncoding == .base64)
        #expect(try MIMEPart.text("Grüße", transferEncoding: .eightBit).transferEncoding == .eightBit)
        #expect(throws: MailError.self) { try MIMEPart.text("Grüße", transferEncoding: .sevenBit) }
        #expect(throws: MailError.self) { try MIMEPart.text("x", transferEncoding: .binary) }
        #expect(throws: MailError.self) {
            try MIMEPart.text(String(repeating: "x", count: 999), transferEncoding: .sevenBit)
        }
        #expect(throws: MailError.self) { try MIMEPart.text("naïve", charset: .usASCII) }
    }

    @Test func rendersTextPartsWithCRLF() throws {
        let part = try MIMEPart.text("Hello\nWorld\r\nBye\r")
        let wire = Support.string(try part.renderedBytes())
        #expect(
            wire
                == "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello\r\nWorld\r\nBye\r\n"
        )
        let latin = try MIMEPart.text("café", charset: .isoLatin1)
        let latinWire = try latin.renderedBytes()
        #expect(Support.contains(latinWire, "charset=iso-8859-1"))
        #expect(Support.contains(latinWire, "caf=E9"))
    }

    @Test(arguments: [TransferEncoding.sevenBit, .eightBit, .quotedPrintable, .base64])
    func textRoundTripsThroughParser(_ encoding: TransferEncoding) throws {
        let text =
            encoding == .sevenBit
            ? "line one\nline two\n\n.leading dot\n" : "Grüße\n  indented ünïcode \nFrom here\n=end\n"
        let part = try MIMEPart.text(text, transferEncoding: encoding)
        let entity = try MIMEEntity.parse(try part.renderedBytes())
        #expect(entity.transferEncoding == encoding)
        #expect(try entity.decodedText() == text)
    }

    @Test func dataPartsRoundTrip() throws {
        let data = Support.pattern(count: 5000)
        for encoding in [TransferEncoding.base64, .quotedPrintable] {
            let part = try MIMEPart.data(data, contentType: .octetStream, transferEncoding: encoding)
            let wire = try part.renderedBytes()
            Support.expectWellFormedLines(wire, limit: 78)
            #expect(try MIMEEntity.parse(wire).decodedBody() == data)
        }
        let armored = Array("-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n".utf8)
        let signature = try MIMEPart.data(
            armored, contentType: ContentType("application/pgp-signature"), transferEncoding: .sevenBit)
        #expect(
            try MIMEEntity.parse(try signature.renderedBytes()).decodedBody()
                == BodyInspection.canonicalLineBreaks(armored))
        #expect(throws: MailError.self) {
            try MIMEPart.data([0xFF], contentType: .octetStream, transferEncoding: .sevenBit)
        }
        #expect(throws: MailError.self) {
            try MIMEPart.data([0x00], contentType: .octetStream, transferEncoding: .eightBit)
        }
        #expect(throws: MailError.self) { try MIMEPart.data([1], contentType: ContentType("multipart/mixed")) }
    }

    @Test func contentHeadersAreTypedAndValidated() throws {
        let part = try MIMEPart.data([1, 2, 3], contentType: ContentType("image/png"))
            .withDisposition(ContentDisposition(.inline, filename: "logo.png"))
            .withContentID("<logo@example.com>")
            .withDescription("Company logo — blue")
            .addingHeader(HeaderField(name: "X-Note", value: "n"))
        #expect(
            part.headers.map(\.name) == [
                "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Description",
                "X-Note",
            ])
        let entity = try MIMEEntity.parse(try part.renderedBytes())
        #expect(entity.contentID == "logo@example.com")
        #expect(entity.header("content-description") == "Company logo — blue")
        #expect(entity.filename == "logo.png")
        #expect(entity.contentDisposition?.kind == .inline)
        #expect(throws: MailError.self) { try part.withContentID("no-at-sign") }
        #expect(throws: MailError.self) { try part.withDescription("a\nb") }
        #expect(throws: MailError.self) {
            try part.addingHeader(HeaderField(name: "content-type", value: "text/plain"))
        }
        #expect(try part.withDisposition(nil).disposition == nil)
    }

    @Test func multipartBoundariesAreRandomAndAbsentFromContent() throws {
        let children = [try MIMEPart.text("a"), try MIMEPart.text("b")]
        let first = try MIMEPart.multipart("mixed", parts: children)
        let second = try MIMEPart.multipart("mixed", parts: children)
        let boundary = try #require(first.boundary)
        #expect(boundary != second.boundary)
        #expect(boundary.hasPrefix("=_") && boundary.utf8.count == 32)
        #expect(first.contentType[parameter: "boundary"] == boundary)
        // Rendering is deterministic.
        #expect(try first.renderedBytes() == first.renderedBytes())
    }

    @Test func explicitBoundariesAreCheckedAgainstContent() throws {
        let text = try MIMEPart.text("this text mentions --=_trap in a 7bit body")
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: [text], boundary: "=_trap") }
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: [text], boundary: "") }
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: [text], boundary: "ends with space ") }
        #expect(throws: MailError.self) {
            try MIMEPart.multipart("mixed", parts: [text], boundary: String(repeating: "b", count: 71))
        }
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: [text], boundary: "bad\u{1}") }
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: []) }
        #expect(throws: MailError.self) {
            try MIMEPart.multipart("mixed", parameters: [MIMEParameter("boundary", "x")], parts: [text])
        }
        // A nested boundary that contains the outer one is caught too.
        let inner = try MIMEPart.multipart("alternative", parts: [text], boundary: "=_outer-and-more")
        #expect(throws: MailError.self) { try MIMEPart.multipart("mixed", parts: [inner], boundary: "=_outer") }
        // Quoted-printable and base64 hide the text, so the boundary is free there.
        let encoded = try MIMEPart.text("--=_trap", transferEncoding: .quotedPrintable)
        _ = try MIMEPart.multipart("mixed", parts: [encoded], boundary: "=_trap")
    }

    @Test func multipartRendersPerRFC2046() throws {
        let part = try MIMEPart.multipart(
            "alternative", parts: [try MIMEPart.text("plain\n"), try MIMEPart.text("<p>html</p>", subtype: "html")],
            boundary: "=_b")
        let expected = """
            Content-Type: multipart/alternative; boundary="=_b"\r
            \r
            --=_b\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            plain\r
            \r
            --=_b\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            <p>html</p>\r
            --=_b--\r

            """
        #expect(Support.string(try part.renderedBytes()) == expected)
    }

    @Test func preEncodedBodiesAreVerbatimAndValidated() throws {
        let armor = Array("-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n".utf8)
        let part = try MIMEPart.preEncoded(armor, contentType: .octetStream, transferEncoding: .sevenBit)
        let wire = try part.renderedBytes()
        #expect(Array(wire.suffix(armor.count)) == armor)
        #expect(throws: MailError.self) {
            try MIMEPart.preEncoded(Array("bare\nlf".utf8), contentType: .octetStream, transferEncoding: .sevenBit)
        }
        #expect(throws: MailError.self) {
            try MIMEPart.preEncoded([0xC3, 0xBC], contentType: .octetStream, transferEncoding: .sevenBit)
        }
        #expect(throws: MailError.self) {
            try MIMEPart.preEncoded([0x41, 0x00], contentType: .octetStream, transferEncoding: .eightBit)
        }
        #expect(throws: MailError.self) {
            try MIMEPart.preEncoded(
                Array(repeating: 0x41, count: 999), contentType: .octetStream, transferEncoding: .sevenBit)
        }
        _ = try MIMEPart.preEncoded([0xC3, 0xBC], contentType: .octetStream, transferEncoding: .eightBit)
    }

    /// The shape the PGP/MIME layer needs: sign the exact bytes of an entity, then wrap them.
    @Test func multipartSignedCarriesExactEntityBytes() throws {
        let inner = try MIMEPart.multipart(
            "mixed",
            parts: [try MIMEPart.text("Signed text ü\n"), try MIMEPart.data([0, 1, 2], contentType: .octetStream)])
        let signedBytes = try inner.renderedBytes()
        let signature = try MIMEPart.data(
            Array("-----BEGIN PGP SIGNATURE-----\n\nwsBc\n-----END PGP SIGNATURE-----\n".utf8),
            contentType: ContentType("application/pgp-signature", parameters: ["name": "signature.asc"]),
            transferEncoding: .sevenBit)
        let signed = try MIMEPart.multipart(
            "signed",
            parameters: [
                MIMEParameter("micalg", "pgp-sha256"), MIMEParameter("protocol", "application/pgp-signature"),
            ],
            parts: [MIMEPart(renderedEntity: signedBytes), signature])
        #expect(signed.parts[0].contentType.mimeType == "multipart/mixed")
        #expect(signed.parts[0].headers.isEmpty)
        #expect(throws: MailError.self) { try signed.parts[0].withDescription("x") }

        let parsed = try MIMEEntity.parse(try signed.renderedBytes())
        #expect(parsed.contentType.mimeType == "multipart/signed")
        #expect(parsed.contentType[parameter: "protocol"] == "application/pgp-signature")
        #expect(parsed.children.count == 2)
        #expect(Array(parsed.children[0].rawBytes) == signedBytes)
        #expect(try parsed.children[0].children[0].decodedText() == "Signed text ü\n")
        #expect(parsed.children[1].contentType.mimeType == "application/pgp-signature")

        #expect(throws: MailError.self) { try MIMEPart(renderedEntity: Array("Content-Type: text/plain\n\nx".utf8)) }
        #expect(throws: MailError.self) { try MIMEPart(renderedEntity: Array("not a header\r\n\r\nx".utf8)) }
    }

    @Test func multipartEncryptedWithVersionPart() throws {
        let control = try MIMEPart.data(
            Array("Version: 1\r\n".utf8), contentType: ContentType("application/pgp-encrypted"),
            transferEncoding: .sevenBit)
        let payload = try MIMEPart.preEncoded(
            Array("-----BEGIN PGP MESSAGE-----\r\n\r\nhF4D\r\n-----END PGP MESSAGE-----\r\n".utf8),
            contentType: ContentType("application/octet-stream", parameters: ["name": "encrypted.asc"]),
            transferEncoding: .sevenBit)
        let encrypted = try MIMEPart.multipart(
            "encrypted", parameters: [MIMEParameter("protocol", "application/pgp-encrypted")],
            parts: [control, payload])
        let wire = try encrypted.renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        let parsed = try MIMEEntity.parse(wire)
        #expect(parsed.contentType.mimeType == "multipart/encrypted")
        #expect(parsed.contentType[parameter: "boundary"] == encrypted.boundary)
        #expect(parsed.contentType[parameter: "protocol"] == "application/pgp-encrypted")
        #expect(try parsed.children[0].decodedText() == "Version: 1\n")
        #expect(Support.string(parsed.children[1].rawBody).hasPrefix("-----BEGIN PGP MESSAGE-----"))
    }
}
