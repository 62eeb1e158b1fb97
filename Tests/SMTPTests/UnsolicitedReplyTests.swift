import Testing

@testable import SMTP

/// Replies that no command asked for: a server, or anyone in the path of a clear-text
/// session, that answers ahead of the commands must not have its lines read as the answers
/// to the next ones. The client writes nothing more, fails with a protocol violation and
/// closes the connection.
@Suite("Replies nobody asked for", .timeLimit(.minutes(2)))
struct UnsolicitedReplyTests {
    private let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])

    /// The standard script, with `override` answering first where it returns replies.
    private func script(
        _ override: @escaping @Sendable (ScriptedSMTPServer.Input) -> [ScriptedSMTPServer.Output]?
    ) -> ScriptedSMTPServer.Script {
        let standard = ScriptedSMTPServer.standard()
        return { input in override(input) ?? standard(input) }
    }

    @Test func anExtraLineAfterTheGreetingIsNotTakenAsTheEHLOReply() async throws {
        let server = try await ScriptedSMTPServer.start(
            script { input in
                if case .connected = input { return [.send("220 scripted.test ESMTP"), .send("250 not asked for")] }
                return nil
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("250 not asked for") == true)
        #expect(await !session.isConnected)
        #expect(server.receivedLines.isEmpty, "nothing may be written after the extra line")
        await session.shutdown()
    }

    @Test func aReplyAfterThe354IsNotTakenAsTheAnswerToTheData() async throws {
        // The server accepts DATA, slips in a 250 nobody asked for, and refuses the message.
        let server = try await ScriptedSMTPServer.start(
            script { input in
                switch input {
                case .line(let line) where line == "DATA":
                    return [.send("354 go ahead"), .send("250 2.0.0 fake acceptance")]
                case .message: return [.send("554 5.7.1 rejected")]
                default: return nil
                }
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        let error = await #expect(throws: SMTPError.self) {
            _ = try await session.send(envelope: envelope, body: Array("Subject: hi\n\nbody\n".utf8))
        }
        #expect(error?.code == .protocolViolation)
        #expect(await !session.isConnected)
        // The terminating dot was never written: the server has no complete message.
        #expect(server.receivedMessages.isEmpty)
        await session.shutdown()
    }

    @Test func aReplyWhileIdleFailsTheNextCommand() async throws {
        let server = try await ScriptedSMTPServer.start(
            script { input in
                if case .line(let line) = input, line == "NOOP" { return [.send("250 OK"), .send("250 OK again")] }
                return nil
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        _ = try await session.noop()
        let error = await #expect(throws: SMTPError.self) {
            _ = try await session.send(envelope: envelope, body: Array("Subject: hi\n\nbody\n".utf8))
        }
        #expect(error?.code == .protocolViolation)
        #expect(!server.receivedLines.contains { $0.hasPrefix("MAIL FROM") })
        await session.shutdown()
    }

    @Test func pipelinedRepliesAreStillReadAsAGroup() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        for _ in 0..<3 {
            _ = try await session.send(envelope: envelope, body: Array("Subject: hi\n\nbody\n".utf8))
        }
        #expect(server.receivedMessages.count == 3)
        try await session.disconnect()
        await session.shutdown()
    }
}
