import Testing

@testable import SMTPTestServer

@Suite("State machine: delays and unanswered messages")
struct StateMachineFaultResponseTests {
    typealias Response = SMTPTestServer.Response

    private static let transaction = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n"

    private func harness(_ responder: @escaping SMTPTestServer.Responder) -> StateMachineHarness {
        StateMachineHarness(.init(responder: responder))
    }

    @Test func delayWrapsTheDefaultAnswer() {
        var harness = harness { command, _ in command == .noop ? .delay(.milliseconds(20)) : nil }
        harness.ehlo()
        #expect(
            harness.feed("NOOP\r\n") == [.delayed(.milliseconds(20), .send(Reply(code: 250, "2.0.0 OK"), .keepOpen))])
    }

    @Test func delayedRejectionHasNoEffect() {
        var harness = harness { command, _ in
            if case .rcpt = command { .delay(.milliseconds(5), then: .reply(451, "4.3.0 Later")) } else { nil }
        }
        harness.ehlo()
        let actions = harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        #expect(actions[1] == .delayed(.milliseconds(5), .send(Reply(code: 451, "4.3.0 Later"), .keepOpen)))
        #expect(StateMachineHarness.replyLines(actions[2]) == ["503 5.5.1 Need RCPT command"])
    }

    @Test func delayedEndOfDataDeliversWithTheReply() throws {
        var harness = harness { command, _ in
            if case .endOfData = command { .delay(.milliseconds(50)) } else { nil }
        }
        harness.ehlo()
        let action = try #require(harness.feed(Self.transaction).last)
        guard case .delayed(.milliseconds(50), .deliver(let message, let reply, .keepOpen)) = action else {
            Issue.record("unexpected action \(action)")
            return
        }
        #expect(message.wasAcknowledged)
        #expect(reply.code == 250)
    }

    @Test func delayedGreetingAndNestedDelaysAddUp() {
        let harness = harness { command, _ in
            command == .greeting ? .delay(.milliseconds(10), then: .delay(.milliseconds(5))) : nil
        }
        #expect(
            harness.greeting
                == .delayed(
                    .milliseconds(15), .send(Reply(code: 220, "pgpmail.test ESMTP PGPMail test server"), .keepOpen)))
    }

    @Test func delayedDropDuringData() {
        var harness = harness { command, _ in
            command == .data ? .delay(.milliseconds(1), then: .dropDuringData(afterOctets: 0)) : nil
        }
        harness.ehlo()
        let actions = harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        #expect(
            actions.last
                == .delayed(.milliseconds(1), .send(Reply(code: 354, "End data with <CR><LF>.<CR><LF>"), .close)))
        #expect(harness.machine.isClosed)
    }

    @Test func acceptThenDisconnectDeliversWithoutReply() throws {
        var harness = harness { command, _ in
            if case .endOfData = command { .acceptThenDisconnect } else { nil }
        }
        harness.ehlo()
        let action = try #require(harness.feed(Self.transaction).last)
        guard case .deliverWithoutReply(let message) = action else {
            Issue.record("unexpected action \(action)")
            return
        }
        #expect(message.queueID == "1.1")
        #expect(!message.wasAcknowledged)
        #expect(harness.delivered == [message])
        #expect(harness.transcript.last == .messageContent(octets: 3, complete: true))
        #expect(harness.machine.isClosed)
        #expect(harness.feed("QUIT\r\n") == [.none])
    }

    @Test func acceptThenDisconnectElsewhereDisconnects() {
        var harness = harness { command, _ in
            if case .rcpt = command { .acceptThenDisconnect } else { nil }
        }
        harness.ehlo()
        #expect(harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n").last == .disconnect)
        #expect(harness.machine.isClosed)
        let greeting = self.harness { _, _ in .acceptThenDisconnect }
        #expect(greeting.greeting == .disconnect)
    }

    @Test func faultRepliesAtEndOfDataAreNotDelivered() {
        let faults: [Response] = [
            .replyAndClose(421, "4.3.2 Closing"), .reply(451, "4.3.0 Later"), .reply(452, "4.3.1 Full"),
            .reply(454, "4.7.0 Later"), .reply(550, "5.7.1 No"), .disconnect,
            .delay(.milliseconds(1), then: .reply(451, "4.3.0 Later")),
        ]
        for fault in faults {
            var harness = harness { command, _ in
                if case .endOfData = command { fault } else { nil }
            }
            harness.ehlo()
            harness.feed(Self.transaction)
            #expect(harness.delivered.isEmpty, "\(fault)")
        }
    }
}
