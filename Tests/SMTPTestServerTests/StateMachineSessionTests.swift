import Testing

@testable import SMTPTestServer

@Suite("State machine: session and command sequence")
struct StateMachineSessionTests {
    @Test func greetsWithHostnameAndText() {
        let harness = StateMachineHarness(.init(hostname: "mx.test", greeting: "ready"))
        #expect(harness.greeting == .send(Reply(code: 220, "mx.test ESMTP ready"), .keepOpen))
    }

    @Test func ehloListsConfiguredExtensionsAndSize() {
        var harness = StateMachineHarness()
        #expect(
            harness.command("EHLO client.test") == [
                "250-pgpmail.test greets client.test",
                "250-PIPELINING",
                "250-8BITMIME",
                "250-ENHANCEDSTATUSCODES",
                "250-SMTPUTF8",
                "250 SIZE 52428800",
            ])
    }

    @Test func ehloWithoutSizeLimitOmitsSize() {
        var harness = StateMachineHarness(.init(extensions: ["PIPELINING"], maximumMessageSize: nil))
        #expect(harness.command("ehlo client.test") == ["250-pgpmail.test greets client.test", "250 PIPELINING"])
    }

    @Test func completeTransactionIsDelivered() throws {
        var harness = StateMachineHarness()
        harness.ehlo()
        #expect(harness.command("MAIL FROM:<alice@example.org>") == ["250 2.1.0 Sender <alice@example.org> OK"])
        #expect(harness.command("RCPT TO:<bob@example.org>") == ["250 2.1.5 Recipient <bob@example.org> OK"])
        #expect(harness.command("RCPT TO:<carol@example.org>") == ["250 2.1.5 Recipient <carol@example.org> OK"])
        #expect(harness.command("DATA") == ["354 End data with <CR><LF>.<CR><LF>"])
        #expect(harness.replies("Subject: hi\r\n\r\nHello\r\n") == [])
        #expect(harness.command(".") == ["250 2.0.0 Ok: queued as 1.1"])

        let message = try #require(harness.delivered.first)
        #expect(
            message
                == SMTPTestServer.ReceivedMessage(
                    connectionNumber: 1, queueID: "1.1", heloName: "client.test", usedEHLO: true,
                    mailFrom: "alice@example.org", mailParameters: [],
                    recipients: ["bob@example.org", "carol@example.org"], recipientParameters: [[], []],
                    data: Array("Subject: hi\r\n\r\nHello\r\n".utf8), receivedAt: StateMachineHarness.fixedDate,
                    hadBareLineEndings: false, hadOverlongLines: false, containsEightBitData: false))
    }

    @Test func secondMessageOnTheConnectionKeepsTheSession() {
        var harness = StateMachineHarness()
        harness.ehlo()
        for _ in 1...2 {
            harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n")
        }
        #expect(harness.delivered.map(\.queueID) == ["1.1", "1.2"])
        #expect(harness.machine.acceptedMessages == 2)
    }

    @Test func quitRepliesThenCloses() {
        var harness = StateMachineHarness()
        #expect(harness.feed("QUIT\r\n") == [.send(Reply(code: 221, "2.0.0 pgpmail.test closing connection"), .close)])
        #expect(harness.machine.isClosed)
        #expect(harness.feed("NOOP\r\n") == [.none])
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() {
        var harness = StateMachineHarness()
        let replies = harness.replies(
            "EHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<>\r\nDATA\r\n")
        #expect(replies.count == 6 + 4)
        #expect(
            Array(replies.suffix(4)) == [
                "250 2.1.0 Sender <a@example.org> OK",
                "250 2.1.5 Recipient <b@example.org> OK",
                "501 5.1.3 Bad recipient address syntax",
                "354 End data with <CR><LF>.<CR><LF>",
            ])
        let pipelined = harness.transcript.compactMap { line -> Bool? in
            if case .command(_, let pipelined) = line { pipelined } else { nil }
        }
        #expect(pipelined == [true, true, true, true, false])
        #expect(harness.machine.isReceivingData)
    }

    @Test func commandsOutOfSequenceGet503() {
        var harness = StateMachineHarness()
        #expect(harness.command("MAIL FROM:<a@example.org>") == ["503 5.5.1 Send HELO or EHLO first"])
        #expect(harness.command("DATA") == ["503 5.5.1 Need MAIL command"])
        harness.ehlo()
        #expect(harness.command("RCPT TO:<b@example.org>") == ["503 5.5.1 Need MAIL before RCPT"])
        #expect(harness.command("MAIL FROM:<a@example.org>").first?.hasPrefix("250") == true)
        #expect(harness.command("MAIL FROM:<a@example.org>") == ["503 5.5.1 Nested MAIL command"])
        #expect(harness.command("DATA") == ["503 5.5.1 Need RCPT command"])
    }

    @Test func unknownAndUnimplementedCommands() {
        var harness = StateMachineHarness()
        #expect(harness.command("FROB x") == ["500 5.5.2 Command unrecognized: FROB"])
        #expect(harness.command("STARTTLS") == ["502 5.5.1 STARTTLS not implemented"])
        #expect(harness.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==") == ["502 5.5.1 AUTH not implemented"])
        #expect(harness.command("") == ["500 5.5.2 Syntax error, command unrecognized"])
    }

    @Test func syntaxErrorsGet501() {
        var harness = StateMachineHarness()
        #expect(harness.command("HELO") == ["501 5.5.4 Syntax: HELO domain"])
        #expect(harness.command("EHLO two words") == ["501 5.5.4 Syntax: EHLO domain"])
        harness.ehlo()
        #expect(harness.command("MAIL FROM:alice@example.org") == ["501 5.5.4 Syntax: MAIL FROM:<address>"])
        #expect(harness.command("MAIL TO:<alice@example.org>") == ["501 5.5.4 Syntax: MAIL FROM:<address>"])
        #expect(harness.command("MAIL FROM:<alice>") == ["501 5.1.7 Bad sender address syntax"])
        #expect(harness.command("MAIL FROM:<a@example.org>x") == ["501 5.5.4 Syntax: MAIL FROM:<address>"])
        #expect(harness.command("MAIL FROM:<a@example.org> BODY=") == ["501 5.5.4 Bad parameter value: BODY="])
        #expect(harness.command("DATA now") == ["501 5.5.4 Syntax: DATA"])
        #expect(harness.command("VRFY") == ["501 5.5.4 Syntax: VRFY string"])
    }

    @Test func nullReversePathAndLenientForms() throws {
        var harness = StateMachineHarness()
        harness.ehlo()
        #expect(harness.command("mail from: <>") == ["250 2.1.0 Sender <> OK"])
        #expect(
            harness.command("RCPT TO:<@relay.test:bob@example.org>") == ["250 2.1.5 Recipient <bob@example.org> OK"])
        #expect(harness.command("RCPT TO:<Postmaster>") == ["250 2.1.5 Recipient <Postmaster> OK"])
        #expect(harness.command("RCPT TO:<\"john >doe\"@example.org>").first?.hasPrefix("250") == true)
        harness.feed("DATA\r\n.\r\n")
        let message = try #require(harness.delivered.first)
        #expect(message.mailFrom == "")
        #expect(message.recipients == ["bob@example.org", "Postmaster", "\"john >doe\"@example.org"])
        #expect(message.data.isEmpty)
    }

    @Test func rsetAndHeloResetTheTransaction() throws {
        var harness = StateMachineHarness()
        harness.ehlo()
        harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
        #expect(harness.command("RSET") == ["250 2.0.0 Reset state"])
        #expect(harness.command("DATA") == ["503 5.5.1 Need MAIL command"])
        harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
        #expect(harness.command("HELO other.test") == ["250 pgpmail.test"])
        #expect(harness.command("DATA") == ["503 5.5.1 Need MAIL command"])
        harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n.\r\n")
        let message = try #require(harness.delivered.first)
        #expect(message.heloName == "other.test")
        #expect(!message.usedEHLO)
    }

    @Test func whenEHLOIsUnsupportedClientsFallBackToHELO() throws {
        var harness = StateMachineHarness(.init(supportsEHLO: false))
        #expect(harness.greeting == .send(Reply(code: 220, "pgpmail.test SMTP PGPMail test server"), .keepOpen))
        #expect(harness.command("EHLO client.test") == ["502 EHLO not supported; use HELO"])
        #expect(harness.command("HELO client.test") == ["250 pgpmail.test"])
        #expect(
            harness.command("MAIL FROM:<a@example.org> BODY=8BITMIME") == [
                "555 ESMTP parameters need EHLO: BODY"
            ])
        #expect(harness.command("MAIL FROM:<a@example.org>") == ["250 Sender <a@example.org> OK"])
        harness.feed("RCPT TO:<b@example.org>\r\nDATA\r\nhi\r\n.\r\n")
        #expect(try #require(harness.delivered.first).usedEHLO == false)
    }

    @Test func noopAndHelp() {
        var harness = StateMachineHarness()
        #expect(harness.command("NOOP anything") == ["250 2.0.0 OK"])
        #expect(
            harness.command("HELP") == [
                "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY EXPN HELP",
                "214 2.0.0 End of HELP info",
            ])
        #expect(harness.command("HELP mail") == ["214 2.0.0 Syntax: MAIL FROM:<address> [parameters]"])
        #expect(harness.command("HELP FROB") == ["504 5.5.1 HELP topic unknown: FROB"])
    }

    @Test func vrfyAndExpnAnswerFromConfiguration() {
        var plain = StateMachineHarness()
        #expect(plain.command("VRFY bob").first?.hasPrefix("252 2.1.5") == true)
        #expect(plain.command("EXPN staff") == ["502 5.5.1 EXPN not available"])

        let users = [
            SMTPTestServer.Mailbox("bob@example.org", name: "Bob Builder"),
            SMTPTestServer.Mailbox("bob@other.test"),
            SMTPTestServer.Mailbox("carol@example.org", name: "Carol"),
        ]
        var harness = StateMachineHarness(.init(users: users, mailingLists: ["Staff": Array(users.prefix(2))]))
        #expect(harness.command("VRFY carol") == ["250 2.1.5 Carol <carol@example.org>"])
        #expect(harness.command("VRFY <bob@other.test>") == ["250 2.1.5 <bob@other.test>"])
        #expect(
            harness.command("VRFY bob") == [
                "553-5.1.4 Ambiguous; possibilities are",
                "553-5.1.4 Bob Builder <bob@example.org>",
                "553 5.1.4 <bob@other.test>",
            ])
        #expect(harness.command("VRFY dave") == ["550 5.1.1 User unknown: dave"])
        #expect(
            harness.command("EXPN staff") == [
                "250-2.1.5 Bob Builder <bob@example.org>",
                "250 2.1.5 <bob@other.test>",
            ])
        #expect(harness.command("EXPN sales") == ["550 5.1.1 No such list: sales"])
    }

    @Test func overlongCommandLinesGet500() {
        var harness = StateMachineHarness()
        let longest = "NOOP " + String(repeating: "x", count: 1000 - 7)
        #expect(harness.command(longest) == ["250 2.0.0 OK"])
        #expect(harness.command(longest + "x") == ["500 5.5.2 Line too long"])

        // A line the decoder delivered in pieces: nothing until its end, then one 500.
        let first = harness.feed(InboundLine("NOOP " + String(repeating: "y", count: 4091), isComplete: false))
        let second = harness.feed(InboundLine(String(repeating: "y", count: 4096), isComplete: false))
        let last = harness.feed(InboundLine("yy\r\n"))
        #expect(first == .none && second == .none)
        #expect(StateMachineHarness.replyLines(last) == ["500 5.5.2 Line too long"])
        #expect(
            harness.transcript.contains(
                .command("NOOP " + String(repeating: "y", count: 35) + "… (8196 octets)", pipelined: false)))
        #expect(harness.command("NOOP") == ["250 2.0.0 OK"])
    }

    @Test func malformedCommandLines() {
        var harness = StateMachineHarness()
        #expect(harness.replies("NOOP\n") == ["500 5.5.2 Command lines must end with CRLF"])
        #expect(harness.replies("NOOP\u{0}x\r\n") == ["501 5.5.2 Control characters in command"])
        let invalidUTF8 = InboundLine(octets: Array("NOOP ".utf8) + [0xC3, 0x28, 0x0D, 0x0A])
        #expect(StateMachineHarness.replyLines(harness.feed(invalidUTF8)) == ["500 5.5.2 Command is not valid UTF-8"])
    }
}
