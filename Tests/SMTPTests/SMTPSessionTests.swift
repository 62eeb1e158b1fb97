import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import SMTP

@Suite("SMTPSession against a scripted server", .timeLimit(.minutes(2)))
struct SMTPSessionTests {
    private let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org", "carol@example.net"])

    @Test func deliversAndPublishesEventsToEverySubscriber() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let first = EventRecorder(session.events())
        let second = EventRecorder(session.events())

        try await session.connect()
        #expect(await session.isConnected)
        #expect(await session.capabilities?.supportsPipelining == true)
        let result = try await session.send(envelope: envelope, body: Array("Subject: hi\n\n.dot\n".utf8))
        #expect(result.acceptedRecipients.count == 2)
        #expect(result.bytesSent == "Subject: hi\r\n\r\n..dot\r\n.\r\n".utf8.count)
        #expect(await session.lastReply?.text == "2.0.0 queued")
        try await session.disconnect()
        #expect(await !session.isConnected)
        await session.shutdown()
        await first.finished()
        await second.finished()

        #expect(server.receivedMessages == [Array("Subject: hi\r\n\r\n.dot\r\n".utf8)])
        #expect(
            server.receivedLines == [
                "EHLO client.test", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>",
                "RCPT TO:<carol@example.net>", "DATA", "QUIT",
            ])
        let trail = first.trail
        #expect(trail.first == "S: 220 scripted.test ESMTP")
        #expect(trail.contains("C: EHLO client.test"))
        #expect(trail.contains("S: 250-PIPELINING"))
        #expect(trail.last == "S: 221 bye")
        #expect(!trail.contains { $0.contains("Subject") }, "message content must not be traced")
        let kinds = first.recorded.map(Self.kind)
        #expect(kinds.first == "connected")
        #expect(kinds.last == "disconnected")
        #expect(kinds.contains("transferStarted"))
        #expect(kinds.contains("transferEnded(\(result.bytesSent))"))
        #expect(kinds == second.recorded.map(Self.kind))
        await server.stop()
    }

    private static func kind(_ event: SMTPEvent) -> String {
        switch event {
        case .connectionStatus(.connected, _): return "connected"
        case .connectionStatus(.disconnected, _): return "disconnected"
        case .connectionStatus(let status, _): return "\(status)"
        case .protocolTrail(_, let line): return "trail \(line)"
        case .transferStarted: return "transferStarted"
        case .transferProgress(let bytes, _): return "transferProgress(\(bytes))"
        case .transferEnded(let bytes): return "transferEnded(\(bytes))"
        case .error(let error): return "error \(error.code)"
        }
    }

    @Test func serverThatNeverGreetsTimesOut() async throws {
        let server = try await ScriptedSMTPServer.start { _ in [] }
        let session = SMTPSession(
            configuration: sessionConfiguration(port: server.port, commandTimeout: .milliseconds(300)))
        let error = await smtpError { try await session.connect() }
        #expect(error?.code == .timeout)
        #expect(error?.psmtpErrorCode == 201)
        #expect(await !session.isConnected)
        #expect(await smtpError { try await session.noop() }?.code == .notConnected)
        await server.stop()
    }

    @Test func refusedConnectionFails() async throws {
        let server = try await ScriptedSMTPServer.start { _ in [] }
        let port = server.port
        await server.stop()
        let session = SMTPSession(configuration: sessionConfiguration(port: port))
        let error = await smtpError { try await session.connect() }
        #expect(error?.code == .connectionFailed)
        #expect(error?.psmtpErrorCode == 162)
    }

    @Test func unansweredDataTerminatorTimesOutAndCloses() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .message = input {
                return []
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(
            configuration: sessionConfiguration(port: server.port, commandTimeout: .milliseconds(500)))
        try await session.connect()
        let error = await smtpError { try await session.send(envelope: envelope, body: Array("x".utf8)) }
        #expect(error?.code == .timeout)
        #expect(await !session.isConnected)
        await server.stop()
    }

    @Test(arguments: [false, true])
    func connectionDroppedMidDataFailsWithTypedError(streamed: Bool) async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .dataProgress = input {
                return [.close]
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        let line = Array(String(repeating: "x", count: 900).utf8) + [10]
        let error: SMTPError?
        if streamed {
            let chunks = CountingChunks(chunk: Array(repeating: line, count: 64).flatMap { $0 }, count: 1024)
            error = await smtpError { try await session.send(envelope: envelope, body: chunks) }
        } else {
            let body = Array(repeating: line, count: 64 * 1024).flatMap { $0 }
            error = await smtpError { try await session.send(envelope: envelope, body: body) }
        }
        #expect(error?.code == .connectionClosed)
        #expect(await !session.isConnected)
        #expect(server.receivedMessages.isEmpty)
        await server.stop()
    }

    @Test func dropAfterMailFromFails() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line(let line) = input, line.hasPrefix("MAIL") {
                return [.close]
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let events = EventRecorder(session.events())
        try await session.connect()
        let error = await smtpError { try await session.send(envelope: envelope, body: Array("x".utf8)) }
        #expect(error?.code == .connectionClosed)
        #expect(await !session.isConnected)
        #expect(
            await events.waitFor {
                if case .error(let e) = $0 { return e.code == .connectionClosed } else { return false }
            })
        await server.stop()
    }

    @Test func slowReaderHoldsBackTheContentSource() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line("DATA") = input {
                return [.send("354 go ahead"), .pauseReading]
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port, commandTimeout: .seconds(30)))
        try await session.connect()
        // 512 chunks of 64 KiB: 32 MiB, far more than socket buffers hold.
        let line = Array(String(repeating: "y", count: 511).utf8) + [10]
        let chunks = CountingChunks(chunk: Array(repeating: line, count: 128).flatMap { $0 }, count: 512)
        let delivery = Task { try await session.send(envelope: envelope, body: chunks) }

        // Wait until the source stops being asked for more.
        var previous = -1
        var stableRounds = 0
        while stableRounds < 5 {
            try await Task.sleep(for: .milliseconds(100))
            let pulled = chunks.pulled.withLockedValue { $0 }
            stableRounds = pulled == previous ? stableRounds + 1 : 0
            previous = pulled
        }
        #expect(previous < 256, "the session read \(previous) of 512 chunks while the server was not reading")
        #expect(await !session.isIdle)

        server.resumeReading()
        let result = try await delivery.value
        #expect(chunks.pulled.withLockedValue { $0 } == 513)
        #expect(result.bytesSent == 512 * 128 * 513 + 3)
        #expect(server.receivedMessages.first?.count == 512 * 128 * 513)
        await session.shutdown()
        await server.stop()
    }

    @Test func overlappingCallsFailWithBusyAndCancellationCloses() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line("NOOP") = input {
                return []
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port, commandTimeout: .seconds(60)))
        let events = EventRecorder(session.events())
        try await session.connect()
        let first = Task { await smtpError { try await session.noop() } }
        #expect(
            await events.waitFor {
                if case .protocolTrail(.clientToServer, "NOOP") = $0 { return true } else { return false }
            })

        #expect(await !session.isIdle)
        #expect(await smtpError { try await session.noop() }?.code == .busy)
        #expect(await smtpError { try await session.send(envelope: envelope, body: [65]) }?.psmtpErrorCode == 166)
        #expect(await smtpError { try await session.verify("bob") }?.code == .busy)
        #expect(await smtpError { try await session.disconnect() }?.code == .busy)
        #expect(await smtpError { try await session.connect() }?.code == .busy)
        // Only the first NOOP went out (wait for it to arrive: the trail event is written
        // when the client sends, which can be before the server has read it).
        for _ in 0..<500 where !server.receivedLines.contains("NOOP") {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.receivedLines.filter { $0 == "NOOP" }.count == 1)

        first.cancel()
        let error = await first.value
        #expect(error?.code == .cancelled)
        #expect(error?.psmtpErrorCode == 301)
        #expect(await !session.isConnected)
        #expect(await session.isIdle)
        await server.stop()
    }

    @Test func serverClosingWhileIdleIsNoticed() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line(let line) = input, line.hasPrefix("EHLO") {
                return [.send("250 scripted.test"), .send("421 4.4.2 idle too long"), .close]
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let events = EventRecorder(session.events())
        try await session.connect()
        #expect(
            await events.waitFor {
                if case .connectionStatus(.disconnected, _) = $0 { return true } else { return false }
            })
        #expect(await !session.isConnected)
        #expect(await smtpError { try await session.noop() }?.code == .notConnected)
        await server.stop()
    }

    @Test func reconnectAfterDisconnect() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        #expect(await smtpError { try await session.connect() }?.code == .alreadyConnected)
        try await session.disconnect()
        try await session.disconnect()
        try await session.connect()
        #expect(try await session.noop().code == 250)
        try await session.disconnect()
        #expect(server.receivedLines.filter { $0.hasPrefix("EHLO") }.count == 2)
        await server.stop()
    }

    @Test func disconnectGivesUpOnASilentServer() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line("QUIT") = input {
                return []
            }
            return ScriptedSMTPServer.standard()(input)
        }
        var configuration = sessionConfiguration(port: server.port)
        configuration.disconnectTimeout = .milliseconds(200)
        let session = SMTPSession(configuration: configuration)
        try await session.connect()
        try await session.disconnect()
        #expect(await !session.isConnected)
        await server.stop()
    }

    @Test func commandsVerifyExpandAndRaw() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line(let line) = input {
                if line == "EXPN staff" {
                    return [.send("250-2.1.5 Ann Example <ann@example.org>\r\n250 2.1.5 <bob@example.org>")]
                }
                if line == "XSTATUS" {
                    return [.send("334 continue")]
                }
                if line == "XBAD" {
                    return [.send("500 5.5.1 unknown command")]
                }
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        #expect(try await session.expand("staff") == ["Ann Example <ann@example.org>", "<bob@example.org>"])
        #expect(try await session.verify("bob").code == 252)
        #expect(try await session.sendCommand("XSTATUS").code == 334)
        let rejected = await smtpError { try await session.sendCommand("XBAD") }
        #expect(rejected?.code == .commandRejected)
        #expect(rejected?.reply?.enhancedStatusCode == EnhancedStatusCode("5.5.1"))
        #expect(await session.lastReply?.code == 500)
        #expect(try await session.reset().code == 250)
        #expect(await session.isConnected)

        let linesBefore = server.receivedLines.count
        #expect(await smtpError { try await session.sendCommand("NOOP\r\nQUIT") }?.code == .invalidInput)
        #expect(await smtpError { try await session.verify("bob\nRSET") }?.code == .invalidInput)
        #expect(
            await smtpError {
                try await session.send(envelope: SMTPEnvelope(from: "a@b\r\nRSET", to: ["c@d"]), body: [65])
            }?.code == .invalidInput)
        #expect(
            await smtpError {
                try await session.send(envelope: envelope, body: Array(repeating: 65, count: 999))
            }?.code == .lineTooLong)
        #expect(try await session.noop().code == 250)
        #expect(server.receivedLines.count == linesBefore + 1, "nothing was sent for the invalid calls")
        try await session.disconnect()
        await server.stop()
    }

    @Test func failingContentSourceClosesTheConnection() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        let chunks = CountingChunks(chunk: Array("line\n".utf8), count: 10, failAfter: 3)
        let error = await smtpError { try await session.send(envelope: envelope, body: chunks) }
        #expect(error?.code == .contentSourceFailed)
        #expect(error?.underlyingError is CountingChunks.SourceFailure)
        #expect(await !session.isConnected)
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.receivedMessages.isEmpty)
        await server.stop()
    }

    @Test func withSMTPSessionQuitsEvenWhenTheBodyThrows() async throws {
        struct Oops: Error {}
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var leaked: SMTPSession?
        await #expect(throws: Oops.self) {
            try await withSMTPSession(configuration: sessionConfiguration(port: server.port)) { session in
                leaked = session
                _ = try await session.noop()
                throw Oops()
            }
        }
        #expect(server.receivedLines.last == "QUIT")
        let session = try #require(leaked)
        #expect(await !session.isConnected)
        #expect(await smtpError { try await session.connect() }?.code == .sessionShutDown)
        var finished = true
        for await _ in session.events() {
            finished = false
        }
        #expect(finished)
        await server.stop()
    }

    @Test func eventStreamsFinishWhenTheSessionGoesAway() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var session: SMTPSession? = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let recorder = EventRecorder(try #require(session).events())
        try await session?.connect()
        session = nil
        await recorder.finished()
        #expect(recorder.trail.contains("C: EHLO client.test"))
        await server.stop()
    }

    @Test func heloFallbackAgainstAnOldServer() async throws {
        let server = try await ScriptedSMTPServer.start { input in
            if case .line(let line) = input, line.hasPrefix("EHLO") {
                return [.send("502 5.5.2 what is EHLO?")]
            }
            return ScriptedSMTPServer.standard()(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        #expect(await session.capabilities?.isExtended == false)
        _ = try await session.send(envelope: envelope, body: Array("x".utf8))
        #expect(server.receivedLines.prefix(2) == ["EHLO client.test", "HELO client.test"])
        try await session.disconnect()
        await server.stop()
    }
}
