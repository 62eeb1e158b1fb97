import Testing

@testable import SMTPTestServer

@Suite("State machine: ESMTP parameters")
struct StateMachineParameterTests {
    typealias Parameter = SMTPTestServer.ESMTPParameter

    @Test func parametersOfOfferedExtensionsAreRecorded() throws {
        var harness = StateMachineHarness()
        harness.ehlo()
        #expect(
            harness.command("MAIL FROM:<a@example.org> SIZE=42 body=8BITMIME SMTPUTF8").first?.hasPrefix("250") == true)
        harness.feed("RCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n")
        let message = try #require(harness.delivered.first)
        #expect(
            message.mailParameters == [
                Parameter("SIZE", value: "42"), Parameter("body", value: "8BITMIME"), Parameter("SMTPUTF8"),
            ])
        #expect(message.mailParameters.first(keyword: "BODY")?.value == "8BITMIME")
        #expect(message.mailParameters.contains(keyword: "smtputf8"))
        #expect(message.recipientParameters == [[]])
    }

    @Test func parametersOfOtherExtensionsGet555() {
        var harness = StateMachineHarness()
        harness.ehlo()
        #expect(harness.command("MAIL FROM:<a@example.org> XFOO=1") == ["555 5.5.4 Unsupported parameter: XFOO"])
        #expect(harness.command("MAIL FROM:<a@example.org> RET=HDRS") == ["555 5.5.4 Unsupported parameter: RET"])
        #expect(
            harness.command("MAIL FROM:<a@example.org> BODY=BINARYMIME") == [
                "501 5.5.4 Invalid parameter: BODY=BINARYMIME"
            ])
        #expect(harness.command("MAIL FROM:<a@example.org> SIZE=ten") == ["501 5.5.4 Invalid parameter: SIZE=ten"])
        #expect(
            harness.command("MAIL FROM:<a@example.org> SMTPUTF8=yes") == ["501 5.5.4 Invalid parameter: SMTPUTF8=yes"])
        #expect(harness.command("MAIL FROM:<a@example.org> SIZE=1 SIZE=2") == ["501 5.5.4 Duplicate parameter: SIZE"])
        #expect(harness.command("MAIL FROM:<a@example.org>").first?.hasPrefix("250") == true)
        #expect(harness.command("RCPT TO:<b@example.org> NOTIFY=NEVER") == ["555 5.5.4 Unsupported parameter: NOTIFY"])
    }

    @Test func dsnParametersWhenDSNIsOffered() throws {
        var harness = StateMachineHarness(.init(extensions: ["DSN"]))
        harness.ehlo()
        #expect(harness.command("MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ314159").first?.hasPrefix("250") == true)
        #expect(
            harness.command("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org").first?
                .hasPrefix("250") == true)
        #expect(
            harness.command("RCPT TO:<c@example.org> NOTIFY=NEVER,SUCCESS") == [
                "501 Invalid parameter: NOTIFY=NEVER,SUCCESS"
            ])
        #expect(harness.command("RCPT TO:<c@example.org>").first?.hasPrefix("250") == true)
        harness.feed("DATA\r\n.\r\n")
        let message = try #require(harness.delivered.first)
        #expect(message.recipients == ["b@example.org", "c@example.org"])
        #expect(
            message.recipientParameters == [
                [Parameter("NOTIFY", value: "SUCCESS,FAILURE"), Parameter("ORCPT", value: "rfc822;b@example.org")], [],
            ])
    }

    @Test func nonASCIIAddressesNeedSMTPUTF8() throws {
        var harness = StateMachineHarness()
        harness.ehlo()
        #expect(harness.command("MAIL FROM:<jörg@example.org>") == ["553 5.6.7 Non-ASCII address needs SMTPUTF8"])
        #expect(harness.command("MAIL FROM:<a@example.org>").first?.hasPrefix("250") == true)
        #expect(harness.command("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>") == ["553 5.6.7 Non-ASCII address needs SMTPUTF8"])
        _ = harness.command("RSET")
        #expect(harness.command("MAIL FROM:<jörg@example.org> SMTPUTF8").first?.hasPrefix("250") == true)
        #expect(harness.command("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>").first?.hasPrefix("250") == true)
        harness.feed("DATA\r\n.\r\n")
        #expect(try #require(harness.delivered.first).recipients == ["δοκιμή@παράδειγμα.δοκιμή"])
    }

    @Test func recipientLimit() {
        var harness = StateMachineHarness(.init(maximumRecipients: 2))
        harness.ehlo()
        let replies = harness.replies(
            "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\n"
        )
        #expect(replies.last == "452 4.5.3 Too many recipients")
    }
}
