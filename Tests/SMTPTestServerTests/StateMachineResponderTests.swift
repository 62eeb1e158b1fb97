import Testing

@testable import SMTPTestServer

@Suite("State machine: scripted responses")
struct StateMachineResponderTests {
    typealias Response = SMTPTestServer.Response

    private func harness(_ responder: @escaping SMTPTestServer.Responder) -> StateMachineHarness {
        StateMachineHarness(.init(responder: responder))
    }

    @Test func rejectedRecipientIsNotAdded() throws {
        var harness = harness { command, _ in
            if case .rcpt(to: "nobody@example.org", _) = command { .reply(550, "5.1.1 No such user") } else { nil }
        }
        harness.ehlo()
        let replies = harness.replies(
            "MAIL FROM:<a@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n"
        )
        #expect(
            replies == [
                "250 2.1.0 Sender <a@example.org> OK",
                "550 5.1.1 No such user",
                "250 2.1.5 Recipient <b@example.org> OK",
                "354 End data with <CR><LF>.<CR><LF>",
                "250 2.0.0 Ok: queued as 1.1",
            ])
        #expect(try #require(harness.delivered.first).recipients == ["b@example.org"])
    }

    @Test func positiveOverrideReplacesTextAndKeepsTheEffect() throws {
        var harness = harness { command, _ in
            if case .endOfData = command { .reply(250, "2.0.0 Ok: queued as ABC123") } else { nil }
        }
        harness.ehlo()
        #expect(
            harness.replies("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n").last
                == "250 2.0.0 Ok: queued as ABC123")
        #expect(harness.delivered.count == 1)
    }

    @Test func positiveOverrideCannotHideASequenceError() {
        var harness = harness { _, _ in .reply(250, "fine") }
        #expect(harness.command("RCPT TO:<b@example.org>") == ["503 5.5.1 Send HELO or EHLO first"])
        #expect(harness.command("XCUSTOM go") == ["250 fine"])
    }

    @Test func rejectedMessageIsNotRecordedAndSessionGoesOn() {
        var harness = harness { command, _ in
            if case .endOfData(let message) = command, message.text.contains("spam") {
                .reply(554, "5.7.1 Rejected as spam")
            } else {
                nil
            }
        }
        harness.ehlo()
        #expect(
            harness.replies("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nspam\r\n.\r\n").last
                == "554 5.7.1 Rejected as spam")
        #expect(harness.delivered.isEmpty)
        harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nham\r\n.\r\n")
        #expect(harness.delivered.map(\.queueID) == ["1.1"])
    }

    @Test func replyAndCloseThenIgnoresInput() {
        var harness = harness { command, _ in
            if case .mail = command { .replyAndClose(421, "4.3.2 Shutting down") } else { nil }
        }
        harness.ehlo()
        let actions = harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
        #expect(actions == [.send(Reply(code: 421, "4.3.2 Shutting down"), .close), .none])
        #expect(harness.machine.isClosed)
    }

    @Test func disconnectWithoutReply() {
        var harness = harness { command, _ in command == .data ? .disconnect : nil }
        harness.ehlo()
        #expect(harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n").last == .disconnect)
        #expect(harness.machine.isClosed)
    }

    @Test func dropDuringDataAfterSomeOctets() {
        var harness = harness { command, _ in command == .data ? .dropDuringData(afterOctets: 10) : nil }
        harness.ehlo()
        #expect(
            harness.replies("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n").last
                == "354 End data with <CR><LF>.<CR><LF>")
        #expect(harness.feed("1234\r\n") == [.none])
        #expect(harness.feed("5678\r\n") == [.disconnect])
        #expect(harness.transcript.last == .messageContent(octets: 12, complete: false))
        #expect(harness.delivered.isEmpty)
        #expect(harness.machine.isClosed)
    }

    @Test func dropDuringDataAtZeroClosesAfter354() {
        var harness = harness { command, _ in command == .data ? .dropDuringData(afterOctets: 0) : nil }
        harness.ehlo()
        let actions = harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        #expect(actions.last == .send(Reply(code: 354, "End data with <CR><LF>.<CR><LF>"), .close))
    }

    @Test func negativeGreetingServesOnlyQuit() {
        var harness = harness { command, _ in command == .greeting ? .reply(554, "5.3.2 No service") : nil }
        #expect(harness.greeting == .send(Reply(code: 554, "5.3.2 No service"), .keepOpen))
        #expect(harness.command("EHLO client.test") == ["503 5.5.1 No service here; send QUIT"])
        #expect(harness.feed("QUIT\r\n") == [.send(Reply(code: 221, "2.0.0 pgpmail.test closing connection"), .close)])
    }

    @Test func greetingCanCloseOrDisconnect() {
        let closing = harness { _, _ in .replyAndClose(421, "4.3.2 Try later") }
        #expect(closing.greeting == .send(Reply(code: 421, "4.3.2 Try later"), .close))
        #expect(closing.machine.isClosed)
        let dropping = harness { _, _ in .disconnect }
        #expect(dropping.greeting == .disconnect)
    }

    @Test func responderSeesConnectionContext() {
        var harness = StateMachineHarness(
            .init(responder: { command, context in
                if case .rcpt = command, context.connectionNumber == 7, context.acceptedMessages == 1 {
                    return .reply(451, "4.3.0 Second message deferred")
                }
                return nil
            }),
            connectionNumber: 7)
        harness.ehlo()
        let transaction = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nRSET\r\n"
        harness.feed(transaction)
        #expect(harness.replies(transaction).contains("451 4.3.0 Second message deferred"))
        #expect(harness.delivered.map(\.queueID) == ["7.1"])
    }
}
