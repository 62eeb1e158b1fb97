import Foundation
import Testing

@testable import Mail

/// DKIM signing: canonicalization (RFC 6376 §3.4), header selection, the RFC 8463 Appendix A vector,
/// the field's layout and the checks on configuration and input.
@Suite("DKIM signing")
struct DKIMTests {
    /// RFC 8463 Appendix A.1: the Ed25519 private key seed and its public key.
    static let rfcSeed = Array(Data(base64Encoded: "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")!)
    static let rfcPublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    /// RFC 8463 Appendix A.3: the message, without its signatures.
    static let rfcMessage = Support.bytes(
        "From: Joe SixPack <joe@football.example.com>\r\n"
            + "To: Suzie Q <suzie@shopping.example.net>\r\n"
            + "Subject: Is dinner ready?\r\n"
            + "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
            + "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
            + "\r\n"
            + "Hi.\r\n"
            + "\r\n"
            + "We lost the game.  Are you hungry yet?\r\n"
            + "\r\n"
            + "Joe.\r\n")

    /// RFC 8463 Appendix A.3: the Ed25519 signature field as published, with its `b=` emptied.
    static let rfcUnsignedField = Support.bytes(
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
            + " d=football.example.com; i=@football.example.com;\r\n"
            + " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
            + " subject : date : message-id : from : subject : date;\r\n"
            + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
            + " b=")
    static let rfcBodyHash = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
    static let rfcSignature = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="

    static let signingTime = Date(timeIntervalSince1970: 1_528_637_909)

    static func ed25519Key() throws -> DKIMKey { try DKIMKey.ed25519(seed: rfcSeed) }

    static func signer(
        signed: [String] = DKIMSigner.defaultSignedHeaders, oversigned: [String] = ["From", "Subject", "To"],
        header: DKIMCanonicalization = .relaxed, body: DKIMCanonicalization = .relaxed
    ) throws -> DKIMSigner {
        try DKIMSigner(
            domain: "example.com", selector: "sel", key: ed25519Key(), signedHeaders: signed,
            oversignedHeaders: oversigned, headerCanonicalization: header, bodyCanonicalization: body)
    }

    /// The value of tag `name` in a signature field, unfolded, without whitespace.
    static func tag(_ name: String, in field: [UInt8]) throws -> String {
        let text = Support.string(field).replacingOccurrences(of: "\r\n", with: "")
            .replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\t", with: "")
        let value = text.dropFirst("DKIM-Signature:".count).split(separator: ";").first { $0.hasPrefix(name + "=") }
        return String(try #require(value, "no \(name)= in \(Support.string(field))").dropFirst(name.count + 1))
    }

    // MARK: - Canonicalization, RFC 6376 §3.4.5

    static let exampleHeader = Support.bytes("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n")
    static let exampleBody = Support.bytes(" C \r\nD \t E\r\n\r\n\r\n")

    @Test func relaxedCanonicalizationMatchesRFC6376Example() throws {
        let message = try DKIMMessage(Self.exampleHeader + Self.exampleBody)
        let headers = message.fields.flatMap { DKIMCanonicalization.relaxed.canonicalHeader($0.raw) }
        #expect(Support.string(headers) == "a:X\r\nb:Y Z\r\n")
        #expect(Support.string(DKIMCanonicalization.relaxed.canonicalBody(message.body)) == " C\r\nD E\r\n")
    }

    @Test func simpleCanonicalizationMatchesRFC6376Example() throws {
        let message = try DKIMMessage(Self.exampleHeader + Self.exampleBody)
        let headers = message.fields.flatMap { DKIMCanonicalization.simple.canonicalHeader($0.raw) }
        #expect(Support.string(headers) == "A: X\r\nB : Y\t\r\n\tZ  \r\n")
        #expect(Support.string(DKIMCanonicalization.simple.canonicalBody(message.body)) == " C \r\nD \t E\r\n")
    }

    @Test(arguments: [
        // (body, simple, relaxed)
        ("", "\r\n", ""),
        ("\r\n\r\n", "\r\n", ""),
        (" \t\r\n", " \t\r\n", ""),
        ("no line break", "no line break\r\n", "no line break\r\n"),
        ("a  b \r\n\r\nc\r\n \r\n", "a  b \r\n\r\nc\r\n \r\n", "a b\r\n\r\nc\r\n"),
    ])
    func bodyCanonicalizationEdgeCases(body: String, simple: String, relaxed: String) {
        let bytes = Support.bytes(body)[...]
        #expect(Support.string(DKIMCanonicalization.simple.canonicalBody(bytes)) == simple)
        #expect(Support.string(DKIMCanonicalization.relaxed.canonicalBody(bytes)) == relaxed)
    }

    @Test func emptyBodyHashesDifferBetweenSimpleAndRelaxed() throws {
        // With the empty line and without: neither has a body.
        for message in ["From: a@example.com\r\n\r\n", "From: a@example.com\r\n"] {
            let relaxed = try Self.signer(body: .relaxed).signatureField(for: Support.bytes(message))
            let simple = try Self.signer(body: .simple).signatureField(for: Support.bytes(message))
            // SHA-256 of nothing, and of one CRLF (RFC 6376 §3.4.3, §3.4.4).
            #expect(try Self.tag("bh", in: relaxed) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
            #expect(try Self.tag("bh", in: simple) == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")
        }
    }

    // MARK: - RFC 8463 Appendix A

    @Test func ed25519KeyMatchesRFC8463() throws {
        #expect(try Self.ed25519Key().publicKeyRecord == "v=DKIM1; k=ed25519; p=\(Self.rfcPublicKey)")
        #expect(try Self.ed25519Key().algorithm == .ed25519SHA256)
        // The same key as PKCS#8 PEM (RFC 8410), as `openssl genpkey -algorithm ed25519` writes it.
        let pem =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
            + "-----END PRIVATE KEY-----\n"
        #expect(try DKIMKey.ed25519(pemRepresentation: pem).publicKeyRecord == Self.ed25519Key().publicKeyRecord)
    }

    @Test func ed25519SignatureMatchesRFC8463() throws {
        let message = try DKIMMessage(Self.rfcMessage)
        let names = ["from", "to", "subject", "date", "message-id", "from", "subject", "date"]
        let fields = DKIMHeaderSelection.fields(named: names, in: message)
        #expect(fields.count == 5)
        let digest = DKIMSigner.headerHash(
            fields: fields, unsignedSignatureField: Self.rfcUnsignedField, canonicalization: .relaxed)
        let signature = try Self.ed25519Key().signature(forHeaderHash: digest)
        // swift-crypto signs Ed25519 deterministically (RFC 8032) with BoringSSL; Apple's CryptoKit,
        // which it uses on Darwin, adds randomness, so there the bytes differ (dkimpy checks them).
        #if os(Linux)
            #expect(Data(signature).base64EncodedString() == Self.rfcSignature)
        #endif
        #expect(signature.count == 64)
    }

    @Test func signerReproducesRFC8463BodyHashAndHeaderList() throws {
        let signer = try DKIMSigner(
            domain: "football.example.com", selector: "brisbane", key: Self.ed25519Key(),
            signedHeaders: ["From", "To", "Subject", "Date", "Message-ID"],
            oversignedHeaders: ["From", "Subject", "Date"], identity: "@football.example.com")
        let field = try signer.signatureField(for: Self.rfcMessage, at: Self.signingTime)
        #expect(try Self.tag("bh", in: field) == Self.rfcBodyHash)
        #expect(try Self.tag("h", in: field) == "From:From:To:Subject:Subject:Date:Date:Message-ID")
        #expect(try Self.tag("t", in: field) == "1528637909")
        #expect(try Self.tag("i", in: field) == "@football.example.com")
        #expect(try Self.tag("a", in: field) == "ed25519-sha256")
        #expect(try Self.tag("c", in: field) == "relaxed/relaxed")
        #expect(signer.dnsRecordName == "brisbane._domainkey.football.example.com")
        // Deterministic: the same message and time give the same field (on Linux, see above).
        #if os(Linux)
            #expect(try signer.signatureField(for: Self.rfcMessage, at: Self.signingTime) == field)
        #endif
    }

    // MARK: - Header selection

    @Test func oversignedNamesAreListedOnceMoreThanTheyOccur() throws {
        let message = Support.bytes("From: a@example.com\r\nSubject: Hi\r\nDate: today\r\n\r\nbody\r\n")
        let field = try Self.signer().signatureField(for: message)
        // To is absent but oversigned: listed once, so a To added later breaks the signature.
        #expect(try Self.tag("h", in: field) == "From:From:Subject:Subject:Date:To")
    }

    @Test func onlyPresentFieldsAreSignedWithoutOversigning() throws {
        let message = Support.bytes("Subject: Hi\r\nFrom: a@example.com\r\nX-Other: 1\r\n\r\nbody\r\n")
        let field = try Self.signer(oversigned: []).signatureField(for: message)
        #expect(try Self.tag("h", in: field) == "From:Subject")
    }

    @Test func repeatedFieldsAreSelectedBottomUp() throws {
        let message = try DKIMMessage(
            Support.bytes("X-Tag: one\r\nFrom: a@example.com\r\nX-Tag: two\r\nx-tag: three\r\n\r\n"))
        let names = DKIMHeaderSelection.signedNames(for: message, signed: ["From", "X-Tag"], oversigned: ["X-Tag"])
        #expect(names == ["From", "X-Tag", "X-Tag", "X-Tag", "X-Tag"])
        let selected = DKIMHeaderSelection.fields(named: names, in: message).map { Support.string($0.raw) }
        #expect(selected == ["From: a@example.com", "x-tag: three", "X-Tag: two", "X-Tag: one"])
    }

    @Test func foldedFieldsKeepTheirFolding() throws {
        let message = try DKIMMessage(Support.bytes("Subject: a\r\n  b\r\n\tc\r\nFrom: x@example.com\r\n\r\n"))
        #expect(message.fields.map { Support.string($0.raw) } == ["Subject: a\r\n  b\r\n\tc", "From: x@example.com"])
        #expect(
            Support.string(DKIMCanonicalization.relaxed.canonicalHeader(message.fields[0].raw)) == "subject:a b c\r\n")
    }

    // MARK: - Input checks

    @Test func aMessageWithoutFromIsRejected() throws {
        let error = try #require(throws: MailError.self) {
            try Self.signer().signatureField(for: Support.bytes("To: b@example.com\r\n\r\nbody\r\n"))
        }
        #expect(error.code == .invalidHeaderValue)
        #expect(error.header == "From")
    }

    @Test func aMessageWithTwoFromFieldsIsRejected() throws {
        let error = try #require(throws: MailError.self) {
            try Self.signer().signatureField(
                for: Support.bytes("From: a@example.com\r\nFrom: b@example.com\r\n\r\nbody\r\n"))
        }
        #expect(error.code == .invalidHeaderValue)
    }

    @Test(arguments: ["From: a@example.com\nSubject: x\n\nbody\n", "From: a@example.com\r\n\r\nline\none\r\n"])
    func bareLineFeedsAreRejected(message: String) throws {
        let error = try #require(throws: MailError.self) {
            try Self.signer().sign(Support.bytes(message))
        }
        #expect(error.code == .invalidBody)
        #expect(error.message.contains("bare LF"))
        #expect(error.offset != nil)
    }

    @Test func bareCarriageReturnsAreRejected() throws {
        let error = try #require(throws: MailError.self) {
            try Self.signer().sign(Support.bytes("From: a@example.com\r\n\r\nline\rone\r\n"))
        }
        #expect(error.code == .invalidBody)
        #expect(error.offset == 27)
    }

    @Test(arguments: ["From a@example.com\r\n\r\n", " folded: first\r\nFrom: a@example.com\r\n\r\n"])
    func malformedHeaderSectionsAreRejected(message: String) throws {
        let error = try #require(throws: MailError.self) {
            try Self.signer().sign(Support.bytes(message))
        }
        #expect(error.code == .malformedMIME)
    }

    // MARK: - Configuration checks

    @Test(arguments: ["com", "example.com.", "-bad.example.com", "exa mple.com", "bad_.example.com", "bücher.de", ""])
    func badDomainsAreRejected(domain: String) throws {
        let error = try #require(throws: MailError.self) {
            try DKIMSigner(domain: domain, selector: "sel", key: Self.ed25519Key())
        }
        #expect(error.code == .invalidParameter)
    }

    @Test(arguments: ["", "a..b", "sel;x", "sel ector", String(repeating: "a", count: 64)])
    func badSelectorsAreRejected(selector: String) throws {
        #expect(throws: MailError.self) {
            try DKIMSigner(domain: "example.com", selector: selector, key: Self.ed25519Key())
        }
    }

    @Test func goodNamesAreAccepted() throws {
        let signer = try DKIMSigner(
            domain: "xn--bcher-kva.example", selector: "2026-01.mail", key: Self.ed25519Key(),
            identity: "alerts@mail.xn--bcher-kva.example")
        #expect(signer.dnsRecordName == "2026-01.mail._domainkey.xn--bcher-kva.example")
    }

    @Test(arguments: ["@other.com", "user@notexample.com", "no-at-sign", "sp ace@example.com"])
    func identitiesOutsideTheDomainAreRejected(identity: String) throws {
        #expect(throws: MailError.self) {
            try DKIMSigner(domain: "example.com", selector: "sel", key: Self.ed25519Key(), identity: identity)
        }
    }

    @Test func signedHeadersMustIncludeFromAndBeFieldNames() throws {
        #expect(throws: MailError.self) {
            try DKIMSigner(
                domain: "example.com", selector: "s", key: Self.ed25519Key(), signedHeaders: ["Subject"],
                oversignedHeaders: [])
        }
        for bad in ["Sub:ject", "Sub;ject", "Sub ject", ""] {
            #expect(throws: MailError.self) {
                try DKIMSigner(
                    domain: "example.com", selector: "s", key: Self.ed25519Key(), signedHeaders: ["From", bad])
            }
        }
    }

    @Test func expirationMustBePositive() throws {
        #expect(throws: MailError.self) {
            try DKIMSigner(domain: "example.com", selector: "s", key: Self.ed25519Key(), expiration: .zero)
        }
    }

    // MARK: - The field

    @Test func timestampExpirationAndIdentityTags() throws {
        let signer = try DKIMSigner(
            domain: "example.com", selector: "s", key: Self.ed25519Key(), identity: "a=b;c@sub.example.com",
            expiration: .seconds(86_400) + .milliseconds(1))
        let field = try signer.signatureField(
            for: Support.bytes("From: a@example.com\r\n\r\nx\r\n"), at: Self.signingTime)
        #expect(try Self.tag("t", in: field) == "1528637909")
        #expect(try Self.tag("x", in: field) == "1528724310")
        // DKIM-Quoted-Printable: '=' and ';' are escaped.
        #expect(try Self.tag("i", in: field) == "a=3Db=3Bc@sub.example.com")
        let untimed = try DKIMSigner(
            domain: "example.com", selector: "s", key: Self.ed25519Key(), includesTimestamp: false)
        let untimedField = try untimed.signatureField(for: Support.bytes("From: a@example.com\r\n\r\nx\r\n"))
        #expect(!Support.string(untimedField).contains("t="))
        #expect(!Support.string(untimedField).contains("l="))
    }

    @Test func fieldIsFoldedToShortLinesWithTheSignatureLast() throws {
        var message = "From: Someone <someone@example.com>\r\n"
        for name in DKIMSigner.defaultSignedHeaders where name != "From" { message += "\(name): value\r\n" }
        message += "\r\nbody\r\n"
        let signer = try Self.signer(header: .simple, body: .simple)
        let signed = try signer.sign(Support.bytes(message), at: Self.signingTime)
        let field = try signer.signatureField(for: Support.bytes(message), at: Self.signingTime)
        #expect(Array(signed.prefix(field.count)) == field)
        #expect(Array(signed.dropFirst(field.count)) == Support.bytes(message))
        #expect(
            field.starts(with: Support.bytes("DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; d=example.com;")))
        #expect(field.suffix(2).elementsEqual([0x0D, 0x0A]))
        Support.expectWellFormedLines(field, limit: 78)
        let lines = Support.crlfLines(field)
        #expect(lines.count > 3)
        #expect(lines.dropFirst().allSatisfy { $0.first == 0x20 })
        #expect(try Self.tag("b", in: field).count == 88)
        #expect(Support.string(field).split(separator: ";").last?.contains("b=") == true)
        #expect(try Self.tag("h", in: field).split(separator: ":").count == DKIMSigner.defaultSignedHeaders.count + 3)
    }

    // MARK: - Keys

    @Test func ed25519SeedsMustHave32Bytes() {
        #expect(throws: MailError.self) { try DKIMKey.ed25519(seed: [UInt8](repeating: 1, count: 31)) }
    }

    @Test func smallRSAKeysAreRejected() throws {
        // A 512-bit key: DKIM verifiers must reject anything under 1024 bits (RFC 8301).
        let pem = """
            -----BEGIN PRIVATE KEY-----
            MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAv0Iwnw6MDPw0zvg0
            9STBDwUPIoHehnk7YGu8Qz9fHsZj/o4SgwpgsGBeqCMhGyjvAbgd+t6UVleMLRk8
            f9ow8wIDAQABAkEAvBqVR1o/U+YY6hYjv5bOab9IC2A/Q3Koe0R6fIkvPEufe2sS
            mDKOBhS23qvdVjzvTj0DJkuHuMivtOkNVaajQQIhAN3XjL0aoIW9MAuIAfyyT88q
            /5RbGNDROnnp3ktew2rfAiEA3LUeUa1nw+lcHvCV1K5kPS9aIfcnusv/tegBU9LA
            UG0CIHMEvgCR3KZal51y7+zPmpeD6K1Hqg8iW9o3yjxzrogrAiAoY3iV5866WkUC
            YHJ6xiMP00+CMbFyjIxR5JABn+qTjQIhAJV39BW31UI3l+OpxmvPLCS8C513a2YR
            dxfUGgs62lMK
            -----END PRIVATE KEY-----
            """
        let error = try #require(throws: MailError.self) { try DKIMKey.rsa(pemRepresentation: pem) }
        #expect(error.code == .invalidParameter)
    }

    @Test(arguments: [
        "not a key",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMC4CAQAw\n-----END ENCRYPTED PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        // The Ed25519 key of RFC 8463 offered as RSA.
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n",
    ])
    func unusableRSAKeysAreRejected(pem: String) throws {
        let error = try #require(throws: MailError.self) { try DKIMKey.rsa(pemRepresentation: pem) }
        #expect(error.code == .invalidParameter)
    }

    @Test(arguments: [
        // Truncated, a wrong OID (X25519), and a PKCS#1 RSA label.
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END RSA PRIVATE KEY-----\n",
    ])
    func unusableEd25519KeysAreRejected(pem: String) throws {
        let error = try #require(throws: MailError.self) { try DKIMKey.ed25519(pemRepresentation: pem) }
        #expect(error.code == .invalidParameter)
    }
}
