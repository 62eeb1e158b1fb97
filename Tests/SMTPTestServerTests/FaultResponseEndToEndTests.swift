import Testing

@testable import SMTPTestServer

@Suite("Delays and unanswered messages over TCP")
struct FaultResponseEndToEndTests {
    private static let envelope = "EHLO f.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"

    @Test func delayHoldsBackTheReplyAndKeepsPipelinedRepliesInOrder() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .mail = command { .delay(.milliseconds(300)) } else { nil }
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            _ = try client.command("EHLO f.test")
            let clock = ContinuousClock()
            let start = clock.now
            try client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nNOOP\r\n")
            let replies = try client.readReplies(3)
            // Lower bound only: the timer runs on the server after `start`.
            #expect(clock.now - start >= .milliseconds(280))
            #expect(
                replies == [
                    ["250 2.1.0 Sender <a@example.org> OK"], ["250 2.1.5 Recipient <b@example.org> OK"],
                    ["250 2.0.0 OK"],
                ])
        }
    }

    @Test func delayedGreetingAndDelayedEndOfData() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            switch command {
            case .greeting: .delay(.milliseconds(100))
            case .endOfData: .delay(.milliseconds(100), then: .reply(250, "2.0.0 Stored late"))
            default: nil
            }
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let client = try RawSMTPClient(port: server.port)
            #expect(try client.readReply() == ["220 pgpmail.test ESMTP PGPMail test server"])
            #expect(clock.now - start >= .milliseconds(90))
            try client.send(Self.envelope)
            _ = try client.readReplies(4)
            let sent = clock.now
            try client.send("late\r\n.\r\n")
            #expect(try client.readReply() == ["250 2.0.0 Stored late"])
            #expect(clock.now - sent >= .milliseconds(90))
            #expect(server.receivedMessageCount == 1)
            #expect(try await server.nextMessage().wasAcknowledged)
        }
    }

    @Test func delayedClosingReplyAtEndOfDataRecordsNothing() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .endOfData = command {
                .delay(.milliseconds(50), then: .replyAndClose(421, "4.3.2 Closing"))
            } else {
                nil
            }
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            try client.send(Self.envelope)
            _ = try client.readReplies(4)
            try client.send("x\r\n.\r\n")
            #expect(try client.readReply() == ["421 4.3.2 Closing"])
            #expect(try client.readUntilClosed().isEmpty)
            #expect(server.receivedMessageCount == 0)
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test func clientLeavingDuringAStallAtEndOfDataIsNotRecorded() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .endOfData = command { .delay(.seconds(1)) } else { nil }
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            try client.send(Self.envelope)
            _ = try client.readReplies(4)
            try client.send("gone\r\n.\r\n")
            client.close()
            while server.openConnectionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(server.receivedMessageCount == 0)
            #expect(server.transcripts.first?.lines.last == .messageContent(octets: 6, complete: true))
        }
    }

    @Test func acceptThenDisconnectRecordsTheMessageAndClosesWithoutReply() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, context in
            if case .endOfData = command, context.connectionNumber == 1 { .acceptThenDisconnect } else { nil }
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            try client.send(Self.envelope)
            #expect(try client.readReplies(4).last == ["354 End data with <CR><LF>.<CR><LF>"])
            try client.send("delivered, unanswered\r\n.\r\n")
            #expect(try client.readUntilClosed().isEmpty)

            #expect(server.receivedMessageCount == 1)
            let message = try await server.nextMessage()
            #expect(message.text == "delivered, unanswered\r\n")
            #expect(!message.wasAcknowledged)
            #expect(server.transcripts.first?.lines.last == .messageContent(octets: 23, complete: true))

            // The client's retry is the duplicate: the server records it again.
            let retry = try RawSMTPClient(port: server.port)
            _ = try retry.readReply()
            try retry.send(Self.envelope)
            _ = try retry.readReplies(4)
            try retry.send("delivered, unanswered\r\n.\r\n")
            #expect(try retry.readReply() == ["250 2.0.0 Ok: queued as 2.1"])
            #expect(server.receivedMessages.map(\.wasAcknowledged) == [false, true])
        }
    }
}
