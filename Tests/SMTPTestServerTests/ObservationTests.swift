import Testing

@testable import SMTPTestServer

@Suite("Observing the server")
struct ObservationTests {
    /// Sends one message with `text` as content on a new connection.
    private func send(_ text: String, to server: SMTPTestServer) throws {
        let client = try RawSMTPClient(port: server.port)
        _ = try client.readReply()
        try client.send("EHLO o.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        _ = try client.readReplies(4)
        try client.send(text + "\r\n.\r\nQUIT\r\n")
        _ = try client.readReplies(2)
    }

    @Test func nextMessageHandsOutEachMessageOnce() async throws {
        try await SMTPTestServer.withRunning { server in
            try send("first", to: server)
            try send("second", to: server)
            #expect(try await server.nextMessage().text == "first\r\n")
            #expect(try await server.nextMessage().text == "second\r\n")
            let error = await #expect(throws: SMTPTestServerError.self) {
                try await server.nextMessage(timeout: .milliseconds(50))
            }
            #expect(error?.code == .timedOut)
            // waitForMessages counts every message, whatever nextMessage handed out.
            #expect(try await server.waitForMessages(count: 2).map(\.text) == ["first\r\n", "second\r\n"])
        }
    }

    @Test func nextMessageWaitsForAMessageStillToCome() async throws {
        try await SMTPTestServer.withRunning { server in
            async let waited = server.nextMessage()
            try await Task.sleep(for: .milliseconds(20))
            try send("late", to: server)
            #expect(try await waited.text == "late\r\n")
        }
    }

    @Test func waitForMessagesTimesOutWithACount() async throws {
        try await SMTPTestServer.withRunning { server in
            try send("only", to: server)
            let error = await #expect(throws: SMTPTestServerError.self) {
                try await server.waitForMessages(count: 2, timeout: .milliseconds(50))
            }
            #expect(error?.code == .timedOut)
            #expect(error?.detail.contains("2 messages (1 received)") == true)
        }
    }

    @Test func cancellingAWaitEndsIt() async throws {
        try await SMTPTestServer.withRunning { server in
            let waiting = Task { try await server.nextMessage(timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(20))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
        }
    }

    @Test func shutdownFailsWaitersClosesConnectionsAndStopsListening() async throws {
        let server = try await SMTPTestServer.start()
        let client = try RawSMTPClient(port: server.port)
        _ = try client.readReply()
        let waiting = Task { try await server.nextMessage(timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(20))

        try await server.shutdown()
        let error = await #expect(throws: SMTPTestServerError.self) { try await waiting.value }
        #expect(error?.code == .shutDown)
        #expect(try client.readUntilClosed().isEmpty)
        #expect(throws: RawSMTPClient.Failure.self) { try RawSMTPClient(port: server.port) }
        try await server.shutdown()
    }

    @Test func withRunningShutsDownWhenTheBodyThrows() async throws {
        struct Expected: Error {}
        var port = 0
        await #expect(throws: Expected.self) {
            try await SMTPTestServer.withRunning { server in
                port = server.port
                throw Expected()
            }
        }
        #expect(port != 0)
        #expect(throws: RawSMTPClient.Failure.self) { try RawSMTPClient(port: port) }
    }
}
