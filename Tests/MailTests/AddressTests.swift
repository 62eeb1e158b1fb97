import Testing

@testable import Mail

@Suite("Addresses")
struct AddressTests {
    @Test func parsesBareAndNamedAddresses() throws {
        let bare = try MailAddress("alice@example.com")
        #expect(bare.displayName == nil)
        #expect(bare.addrSpec == "alice@example.com")
        #expect(bare.localPart == "alice")
        #expect(bare.domain == "example.com")

        let named = try MailAddress("Alice Liddell <alice@example.com>")
        #expect(named.displayName == "Alice Liddell")
        #expect(named.addrSpec == "alice@example.com")

        let angled = try MailAddress("<bob@example.org>")
        #expect(angled.displayName == nil)
        #expect(angled.addrSpec == "bob@example.org")
    }

    @Test func parsesQuotedDisplayNamesAndComments() throws {
        let quoted = try MailAddress(#""Doe, \"JJ\" John" <j@d.example>"#)
        #expect(quoted.displayName == #"Doe, "JJ" John"#)
        let commented = try MailAddress("a@b.example (the boss)")
        #expect(commented.addrSpec == "a@b.example")
        #expect(commented.displayName == nil)
    }

    @Test func parsesListsRespectingQuotes() throws {
        let list = try MailAddress.parseList(#"a@b, "Doe, J" <j@d>, , Zoë <z@example.com>"#)
        #expect(list.map(\.addrSpec) == ["a@b", "j@d", "z@example.com"])
        #expect(list[1].displayName == "Doe, J")
        #expect(list[2].displayName == "Zoë")
        #expect(try MailAddress.parseList("").isEmpty)
    }

    @Test func flattensGroups() throws {
        let list = try MailAddress.parseList(
            "Team: a@x.example, B <b@x.example>;, c@y.example, undisclosed-recipients:;")
        #expect(list.map(\.addrSpec) == ["a@x.example", "b@x.example", "c@y.example"])
    }

    @Test func decodesEncodedWordDisplayNames() throws {
        let address = try MailAddress("=?UTF-8?Q?J=C3=B6rg?= =?UTF-8?B?IE3DvGxsZXI=?= <j@example.com>")
        #expect(address.displayName == "Jörg Müller")
        // Inside quotes an encoded-word is literal text (RFC 2047 §5).
        let literal = try MailAddress(#""=?UTF-8?Q?x?=" <j@example.com>"#)
        #expect(literal.displayName == "=?UTF-8?Q?x?=")
    }

    @Test(arguments: [
        "a@b\r\nRCPT TO:<x@y>", "a@b\nRCPT TO:<x@y>", "a@b\rX", "a\u{0}@b", "Name\r\n <a@b>", "\"x\r\ny\"@b",
    ])
    func rejectsInjection(_ input: String) {
        #expect(throws: MailError.self) { try MailAddress(input) }
        #expect(throws: MailError.self) { try MailAddress.parseList(input) }
        #expect(throws: MailError.self) { try MailAddress(displayName: nil, address: input) }
    }

    @Test func injectionErrorCarriesCodeAndContext() {
        do {
            _ = try MailAddress("a@b\r\nRCPT TO:<x@y>")
            Issue.record("expected an error")
        } catch let error as MailError {
            #expect(error.code == .invalidAddress)
            #expect(error.input == "a@b\\r\\nRCPT TO:<x@y>")
            #expect(error.psmtpErrorCode == nil)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(arguments: [
        "", "plain", "@example.com", "a@", "a@@b", "a..b@example.com", ".a@example.com", "a.@example.com",
        "a b@example.com", "a@exa mple.com", "a@-example.com", "a@example-.com", "a@example..com", "a@ex_ample.com",
        "<a@b", "a@b>", "Name <a@b> trailing", "a@b, c@d", "<@route:a@b>", "a@[1.2.3.4", "Name <>",
        String(repeating: "x", count: 65) + "@example.com", "a@" + String(repeating: "x", count: 64) + ".com",
    ])
    func rejectsImplausibleAddresses(_ input: String) {
        #expect(throws: MailError.self) { try MailAddress(input) }
    }

    @Test func acceptsUnusualButValidForms() throws {
        #expect(try MailAddress(#""john doe"@example.com"#).addrSpec == #""john doe"@example.com"#)
        #expect(try MailAddress(#""john"@example.com"#).addrSpec == "john@example.com")
        #expect(try MailAddress("user+tag!x@sub.example.co.uk").addrSpec == "user+tag!x@sub.example.co.uk")
        #expect(try MailAddress("root@[192.0.2.1]").domain == "[192.0.2.1]")
        #expect(try MailAddress("postmaster@localhost").domain == "localhost")
    }

    @Test func flagsSMTPUTF8() throws {
        #expect(try MailAddress("Zoë <zoe@example.com>").requiresSMTPUTF8 == false)
        #expect(try MailAddress("зоя@пример.рф").requiresSMTPUTF8)
        #expect(try MailAddress("zoe@bücher.example").requiresSMTPUTF8)
    }

    @Test func rendersDisplayNamesForHeaders() throws {
        #expect(try MailAddress("Alice Liddell <a@example.com>").headerValue == "Alice Liddell <a@example.com>")
        #expect(
            try MailAddress(displayName: "Doe, J.", address: "j@d.example").headerValue == #""Doe, J." <j@d.example>"#)
        #expect(
            try MailAddress(displayName: #"Say "hi""#, address: "j@d.example").headerValue
                == #""Say \"hi\"" <j@d.example>"#)
        let encoded = try MailAddress(displayName: "Jörg", address: "j@example.com").headerValue
        #expect(encoded == "=?UTF-8?B?SsO2cmc=?= <j@example.com>")
        // Header values parse back to the same mailbox.
        for name in ["Doe, J.", #"Say "hi""#, "Jörg Müller", "=?not?= encoded", "日本語の名前"] {
            let address = try MailAddress(displayName: name, address: "x@example.com")
            #expect(try MailAddress(address.headerValue) == address)
        }
    }

    @Test func rejectsControlCharactersInDisplayNames() {
        #expect(throws: MailError.self) { try MailAddress(displayName: "a\u{7}b", address: "x@example.com") }
        #expect(throws: MailError.self) { try MailAddress(displayName: "a\nb", address: "x@example.com") }
    }
}
