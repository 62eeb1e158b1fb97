import NIOConcurrencyHelpers
import SMTP
import SMTPTestServer
import Testing

/// Runs `client` while `body` uses it, then shuts it down gracefully and waits for `run()`.
func withRunningClient<Value: Sendable>(
    _ client: SMTPClient, _ body: @Sendable (SMTPClient) async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        do {
            let value = try await body(client)
            client.beginGracefulShutdown()
            try await group.waitForAll()
            return value
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

func clientConfiguration(
    port: Int, connections: Int = 4, attempts: Int = 3, configure: (inout SMTPClient.Configuration) -> Void = { _ in }
) -> SMTPClient.Configuration {
    var configuration = SMTPClient.Configuration(session: sessionConfiguration(port: port))
    configuration.maximumConnections = connections
    configuration.retryPolicy = SMTPRetryPolicy(
        maximumAttempts: attempts, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))
    configure(&configuration)
    return configuration
}

func testMessage(_ number: Int, to recipient: String = "b@example.org") -> SMTPOutgoingMessage {
    SMTPOutgoingMessage(
        envelope: SMTPEnvelope(reversePath: "a@example.org", recipients: [SMTPEnvelope.Recipient(recipient)]),
        content: Array("Subject: message \(number)\r\nX-Number: \(number)\r\n\r\nBody of message \(number).\r\n".utf8))
}

/// Counts calls from the responder's event loop threads.
final class Counter: Sendable {
    private let value = NIOLockedValueBox(0)
    /// Adds one; returns the count before.
    func next() -> Int {
        self.value.withLockedValue { value in
            defer { value += 1 }
            return value
        }
    }
    var count: Int { self.value.withLockedValue { $0 } }
}

@Suite("Pooled SMTP client")
struct SMTPClientTests {
    @Test("many concurrent sends share a few reused connections; graceful shutdown quits them all")
    func concurrentSendsReuseConnections() async throws {
        try await SMTPTestServer.withRunning { server in
            let client = SMTPClient(configuration: clientConfiguration(port: server.port, connections: 4))
            let events = client.events()
            try await withRunningClient(client) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in 0..<200 {
                        group.addTask {
                            let message = testMessage(number)
                            let result = try await client.send(envelope: message.envelope, body: message.content)
                            #expect(result.reply.code == 250)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let received = server.receivedMessages
            #expect(received.count == 200)
            #expect(Set(received.map { String(decoding: $0.data, as: UTF8.self) }).count == 200)
            #expect(server.maximumConcurrentConnections <= 4)
            #expect(server.connectionCount <= 4)
            #expect(client.statistics.sent == 200)
            #expect(client.statistics.inFlight == 0)
            #expect(client.statistics.openConnections == 0)
            // Every connection said QUIT: the transcripts end with it.
            for transcript in server.transcripts {
                #expect(transcript.commands.last == "QUIT")
            }
            var opened = 0
            var closed = 0
            var sent = 0
            for await event in events {
                switch event {
                case .connectionOpened: opened += 1
                case .connectionClosed: closed += 1
                case .sent: sent += 1
                default: break
                }
            }
            #expect(opened == server.connectionCount)
            #expect(closed == opened)
            #expect(sent == 200)
        }
    }

    @Test("a connection is replaced after the maximum number of messages")
    func maximumMessagesPerConnection() async throws {
        try await SMTPTestServer.withRunning { server in
            let configuration = clientConfiguration(port: server.port, connections: 1) {
                $0.maximumMessagesPerConnection = 3
            }
            try await withRunningClient(SMTPClient(configuration: configuration)) { client in
                for number in 0..<10 {
                    let message = testMessage(number)
                    try await client.send(envelope: message.envelope, body: message.content)
                }
            }
            #expect(server.receivedMessages.count == 10)
            #expect(server.connectionCount == 4)
            #expect(server.receivedMessages.map(\.connectionNumber) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4])
        }
    }

    @Test("a transient 451 at the end of the data is retried with the same bytes")
    func transientFailureRetried() async throws {
        let endOfData = Counter()
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            guard case .endOfData = command else { return nil }
            return endOfData.next() == 0 ? .reply(451, "4.3.0 Try again later") : nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = SMTPClient(configuration: clientConfiguration(port: server.port, connections: 1))
            let events = client.events()
            let message = testMessage(1)
            let result = try await withRunningClient(client) { client in
                try await client.send(envelope: message.envelope, body: message.content)
            }
            #expect(result.reply.code == 250)
            #expect(server.receivedMessages.count == 1)
            #expect(server.receivedMessages.first?.data == message.content)
            #expect(endOfData.count == 2)
            #expect(client.statistics.retried == 1)
            var retries: [Int] = []
            for await event in events {
                if case .retrying(_, let attempt, _, let error) = event {
                    retries.append(attempt)
                    #expect(error.reply?.code == 451)
                }
                if case .sent(_, _, let attempts) = event {
                    #expect(attempts == 2)
                }
            }
            #expect(retries == [1])
        }
    }

    @Test("a connection dropped in the middle of the data is retried on a new connection")
    func droppedConnectionRetried() async throws {
        let data = Counter()
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            guard case .data = command else { return nil }
            return data.next() == 0 ? .dropDuringData(afterOctets: 10) : nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let message = testMessage(1)
            try await withRunningClient(SMTPClient(configuration: clientConfiguration(port: server.port))) { client in
                _ = try await client.send(envelope: message.envelope, body: message.content)
            }
            #expect(server.receivedMessages.map(\.data) == [message.content])
            #expect(server.connectionCount == 2)
        }
    }

    @Test("a 5yz refusal is final: no retry, the error carries the reply")
    func permanentFailureNotRetried() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .rcpt = command { return .reply(550, "5.1.1 No such user") }
            return nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = SMTPClient(configuration: clientConfiguration(port: server.port, attempts: 5))
            let message = testMessage(1)
            let error = try await withRunningClient(client) { client in
                await smtpError { try await client.send(envelope: message.envelope, body: message.content) }
            }
            #expect(error?.code == .allRecipientsRefused)
            #expect(error?.refusedRecipients.first?.reply.code == 550)
            #expect(client.statistics.retried == 0)
            #expect(client.statistics.failed == 1)
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test("retries stop after the last attempt; the last error is reported")
    func retriesExhausted() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .mail = command { return .reply(452, "4.3.1 Insufficient system storage") }
            return nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = SMTPClient(configuration: clientConfiguration(port: server.port, attempts: 3))
            let message = testMessage(1)
            let error = try await withRunningClient(client) { client in
                await smtpError { try await client.send(envelope: message.envelope, body: message.content) }
            }
            #expect(error?.reply?.code == 452)
            #expect(client.statistics.retried == 2)
            #expect(server.transcripts.flatMap(\.commands).filter { $0.hasPrefix("MAIL FROM") }.count == 3)
        }
    }

    @Test("an unreachable server fails each send after its attempts instead of holding it")
    func unreachableServer() async throws {
        let refusing = try RefusingPort()
        let client = SMTPClient(configuration: clientConfiguration(port: refusing.port, connections: 2, attempts: 2))
        let errors = try await withRunningClient(client) { client in
            try await withThrowingTaskGroup(of: SMTPError?.self) { group in
                for number in 0..<4 {
                    group.addTask {
                        let message = testMessage(number)
                        return await smtpError {
                            try await client.send(envelope: message.envelope, body: message.content)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(errors.count == 4)
        #expect(errors.allSatisfy { $0?.code == .connectionFailed })
        #expect(client.statistics.failed == 4)
        withExtendedLifetime(refusing) {}
    }

    @Test("a message past its deadline fails with timeout")
    func messageDeadline() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            if case .mail = command { return .reply(451, "4.3.0 Later") }
            return nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = SMTPClient(
                configuration: clientConfiguration(port: server.port, attempts: 1000) {
                    $0.messageDeadline = .milliseconds(300)
                })
            let message = testMessage(1)
            let error = try await withRunningClient(client) { client in
                await smtpError { try await client.send(envelope: message.envelope, body: message.content) }
            }
            #expect(error?.code == .timeout)
        }
    }

    @Test("after graceful shutdown began, new sends are refused and those in flight finish")
    func gracefulShutdownDrains() async throws {
        let gate = Counter()
        let configuration = SMTPTestServer.Configuration(responder: { command, _ in
            // The first attempt of every message fails, so messages are still in flight
            // (waiting to retry) when the shutdown begins.
            if case .mail = command, gate.next() < 5 { return .reply(451, "4.3.0 Later") }
            return nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let client = SMTPClient(
                configuration: clientConfiguration(port: server.port, connections: 5) {
                    $0.retryPolicy = SMTPRetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(200))
                })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                let sends = Task {
                    try await withThrowingTaskGroup(of: Void.self) { sends in
                        for number in 0..<5 {
                            sends.addTask {
                                let message = testMessage(number)
                                try await client.send(envelope: message.envelope, body: message.content)
                            }
                        }
                        try await sends.waitForAll()
                    }
                }
                while client.statistics.retried < 5 {
                    try await Task.sleep(for: .milliseconds(5))
                }
                client.beginGracefulShutdown()
                let late = testMessage(99)
                let error = await smtpError { try await client.send(envelope: late.envelope, body: late.content) }
                #expect(error?.code == .sessionShutDown)
                try await sends.value
                try await group.waitForAll()
            }
            #expect(server.receivedMessages.count == 5)
            #expect(client.statistics.sent == 5)
        }
    }

    @Test("bulk sending reads the input only as fast as outcomes are consumed")
    func bulkBackPressure() async throws {
        try await SMTPTestServer.withRunning { server in
            let pulled = Counter()
            let total = 100
            let input = AsyncStream<SMTPOutgoingMessage> { continuation in
                for number in 0..<total {
                    continuation.yield(testMessage(number))
                }
                continuation.finish()
            }
            .map { message in
                _ = pulled.next()
                return message
            }
            let window = 6
            let client = SMTPClient(configuration: clientConfiguration(port: server.port, connections: 3))
            let indices = try await withRunningClient(client) { client in
                var outcomes = client.send(contentsOf: input, maximumInFlight: window).makeAsyncIterator()
                // Nothing consumed: the pipeline fills its window and waits.
                _ = try await server.waitForMessages(count: window, timeout: .seconds(120))
                try await Task.sleep(for: .milliseconds(200))
                #expect(pulled.count <= window + 1)
                var indices: [Int] = []
                while let outcome = try await outcomes.next() {
                    if case .failure(let error) = outcome.result {
                        Issue.record("message \(outcome.index) failed: \(error)")
                    }
                    indices.append(outcome.index)
                }
                return indices
            }
            #expect(indices.sorted() == Array(0..<total))
            #expect(server.receivedMessages.count == total)
        }
    }

    @Test("a shared rate limit paces all connections together")
    func rateLimit() async throws {
        try await SMTPTestServer.withRunning { server in
            let configuration = clientConfiguration(port: server.port, connections: 4) {
                $0.rateLimit = .perSecond(20)
            }
            let start = ContinuousClock.now
            try await withRunningClient(SMTPClient(configuration: configuration)) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in 0..<11 {
                        group.addTask {
                            let message = testMessage(number)
                            try await client.send(envelope: message.envelope, body: message.content)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // 11 messages at 20 per second: the last may start 500 ms after the first, no sooner.
            #expect(ContinuousClock.now - start >= .milliseconds(500))
            #expect(server.receivedMessages.count == 11)
        }
    }
}
