import Testing

@testable import SMTP

/// Servers (or anyone in the path of the clear-text part of a session) that try to strip
/// or subvert TLS, or to grow the client's memory: each attempt fails with a typed error
/// and nothing is sent that should not be.
@Suite("Hostile servers", .timeLimit(.minutes(2)))
struct HostileServerTests {
    private let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])

    private func script(
        extensions: [String] = ["PIPELINING", "8BITMIME", "AUTH PLAIN LOGIN"],
        _ override: @escaping @Sendable (ScriptedSMTPServer.Input) -> [ScriptedSMTPServer.Output]?
    ) -> ScriptedSMTPServer.Script {
        let standard = ScriptedSMTPServer.standard(extensions: extensions)
        return { input in override(input) ?? standard(input) }
    }

    private func configuration(port: Int, tls: SMTPTLSMode = .startTLS(required: true)) -> SMTPSession.Configuration {
        var configuration = sessionConfiguration(port: port)
        configuration.tls = tls
        configuration.credentials = SMTPCredentials(username: "alice", password: "wonderland")
        return configuration
    }

    @Test func strippedSTARTTLSFailsClosedAndNoSecretIsSent() async throws {
        // The EHLO reply lacks STARTTLS, as if someone in the path had removed it.
        let server = try await ScriptedSMTPServer.start(script { _ in nil })
        let session = SMTPSession(configuration: configuration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .tlsUnavailable)
        #expect(server.receivedLines.allSatisfy { $0.hasPrefix("EHLO") }, "\(server.receivedLines)")
        #expect(await !session.isConnected)
        await session.shutdown()
    }

    @Test func refusedSTARTTLSFailsClosed() async throws {
        let server = try await ScriptedSMTPServer.start(
            script(extensions: ["STARTTLS", "AUTH PLAIN"]) { input in
                if case .line("STARTTLS") = input {
                    return [.send("454 4.7.0 TLS not available due to temporary reason")]
                }
                return nil
            })
        let session = SMTPSession(configuration: configuration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .tlsUnavailable)
        #expect(error?.reply?.code == 454)
        #expect(server.receivedLines.map { $0.prefix(4) } == ["EHLO", "STAR"])
        await session.shutdown()
    }

    @Test func bytesInjectedAfterThe220ToSTARTTLSAbortTheSession() async throws {
        // CVE-2011-0411: the "answers" to commands the client has not sent yet arrive in
        // clear text right behind the 220, to be read after the handshake as if protected.
        let server = try await ScriptedSMTPServer.start(
            script(extensions: ["STARTTLS", "AUTH PLAIN"]) { input in
                if case .line("STARTTLS") = input {
                    return [.send("220 2.0.0 Ready to start TLS\r\n250-injected.example\r\n250 AUTH PLAIN")]
                }
                return nil
            })
        let session = SMTPSession(configuration: configuration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .tlsHandshakeFailed)
        #expect(error?.message.contains("injected") == true)
        #expect(server.receivedLines.map { $0.prefix(4) } == ["EHLO", "STAR"], "no handshake, no AUTH")
        #expect(await !session.isConnected)
        await session.shutdown()
    }

    @Test func opportunisticTLSStillRefusesToSendAPasswordInClearText() async throws {
        let server = try await ScriptedSMTPServer.start(script { _ in nil })
        let session = SMTPSession(configuration: configuration(port: server.port, tls: .startTLS(required: false)))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .authenticationUnavailable)
        #expect(!server.receivedLines.contains { $0.uppercased().hasPrefix("AUTH") })
        await session.shutdown()
    }

    @Test func anEndlessReplyLineIsRefusedWithBoundedMemory() async throws {
        let endless = "250-" + String(repeating: "x", count: 4 * 1024 * 1024)
        let server = try await ScriptedSMTPServer.start(
            script { input in
                if case .line(let line) = input, line.hasPrefix("EHLO") { return [.send(endless)] }
                return nil
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .protocolViolation)
        #expect(await !session.isConnected)
        await session.shutdown()
    }

    @Test func aReplyOfAHundredThousandLinesIsRefused() async throws {
        let lines = Array(repeating: "250-SIZE 1000", count: 100_000).joined(separator: "\r\n") + "\r\n250 OK"
        let server = try await ScriptedSMTPServer.start(
            script { input in
                if case .line(let line) = input, line.hasPrefix("EHLO") { return [.send(lines)] }
                return nil
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let error = await #expect(throws: SMTPError.self) { try await session.connect() }
        #expect(error?.code == .protocolViolation)
        #expect(await !session.isConnected)
        await session.shutdown()
    }

    @Test func a421InTheMiddleOfATransactionClosesTheSession() async throws {
        let server = try await ScriptedSMTPServer.start(
            script { input in
                if case .line(let line) = input, line.hasPrefix("RCPT") {
                    return [.send("421 4.3.2 shutting down"), .close]
                }
                return nil
            })
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        let error = await #expect(throws: SMTPError.self) {
            _ = try await session.send(envelope: envelope, body: Array("Subject: hi\n\nbody\n".utf8))
        }
        #expect(error?.reply?.code == 421)
        #expect(await !session.isConnected)
        #expect(server.receivedMessages.isEmpty)
        await session.shutdown()
    }
}
