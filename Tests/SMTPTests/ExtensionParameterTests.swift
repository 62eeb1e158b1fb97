import SMTPTestServer
import TestSupport
import Testing

@testable import SMTP

/// SIZE (RFC 1870), BODY (RFC 6152) and DSN (RFC 3461) parameters the client declares on its
/// own, only when the server offers the extension.
@Suite("ESMTP extension parameters")
struct ExtensionParameterTests {
    private func mailLine(
        _ envelope: SMTPEnvelope, extensions: [String], content: SMTPClientStateMachine.ContentFacts = .init()
    ) -> [String] {
        var machine = readyMachine(extensions: extensions, configuration: machineConfiguration(sendRSET: false))
        guard case .sendCommands(let commands) = machine.startTransaction(envelope, content: content) else {
            return []
        }
        return commands.map(\.line)
    }

    @Test func sizeIsDeclaredOnlyWhenOfferedAndCheckedAgainstTheLimit() {
        let envelope = SMTPEnvelope(from: "a@example.org", to: ["b@example.org"])
        #expect(
            mailLine(envelope, extensions: ["SIZE 1000"], content: .init(size: 999)).first
                == "MAIL FROM:<a@example.org> SIZE=999")
        #expect(
            mailLine(envelope, extensions: ["SIZE"], content: .init(size: 5_000_000)).first
                == "MAIL FROM:<a@example.org> SIZE=5000000")
        #expect(mailLine(envelope, extensions: [], content: .init(size: 999)).first == "MAIL FROM:<a@example.org>")

        var machine = readyMachine(extensions: ["SIZE 1000"])
        let action = machine.startTransaction(envelope, content: .init(size: 1001))
        #expect(action.summary == .fail(.messageTooLarge, close: false))
        #expect(machine.isReady, "nothing was sent; the session goes on")
    }

    @Test func eightBitContentIsDeclaredWhenOffered() {
        let envelope = SMTPEnvelope(from: "a@example.org", to: ["b@example.org"])
        #expect(
            mailLine(envelope, extensions: ["8BITMIME"], content: .init(hasEightBitOctets: true)).first
                == "MAIL FROM:<a@example.org> BODY=8BITMIME")
        #expect(
            mailLine(envelope, extensions: ["8BITMIME"], content: .init(hasEightBitOctets: false)).first
                == "MAIL FROM:<a@example.org>")

        var declared = envelope
        declared.bodyType = .eightBitMIME
        var machine = readyMachine(extensions: [])
        #expect(machine.startTransaction(declared).summary == .fail(.invalidInput, close: false))
        declared.bodyType = .sevenBit
        #expect(mailLine(declared, extensions: []).first == "MAIL FROM:<a@example.org> BODY=7BIT")
    }

    @Test func dsnParametersAreSentOnlyWhenOfferedAndXTextEncoded() {
        var envelope = SMTPEnvelope(
            reversePath: "a@example.org",
            recipients: [
                SMTPEnvelope.Recipient(
                    "b@example.org", notify: SMTPDSNNotify([.delay, .failure]),
                    originalRecipient: "B+list=x@example.org"),
                SMTPEnvelope.Recipient("c@example.org", notify: .never),
                SMTPEnvelope.Recipient(
                    "d@example.org", parameters: [SMTPParameter("NOTIFY", "SUCCESS")], notify: .never),
            ])
        envelope.dsnReturn = .headersOnly
        envelope.dsnEnvelopeID = "QQ314159 id=7"
        #expect(
            mailLine(envelope, extensions: ["PIPELINING", "DSN"]) == [
                "MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ314159+20id+3D7",
                "RCPT TO:<b@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;B+2Blist+3Dx@example.org",
                "RCPT TO:<c@example.org> NOTIFY=NEVER",
                "RCPT TO:<d@example.org> NOTIFY=SUCCESS",
            ])
        #expect(
            mailLine(envelope, extensions: ["PIPELINING"]) == [
                "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "RCPT TO:<c@example.org>",
                "RCPT TO:<d@example.org> NOTIFY=SUCCESS",
            ])
    }

    @Test func theServerSeesTheDeclaredParametersAndTheProgressTotal() async throws {
        var configuration = SMTPTestServer.Configuration()
        configuration.extensions = ["PIPELINING", "8BITMIME", "DSN"]
        configuration.maximumMessageSize = 10_000
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
            let events = EventRecorder(session.events())
            try await session.connect()
            var envelope = SMTPEnvelope(
                reversePath: "a@example.org",
                recipients: [SMTPEnvelope.Recipient("b@example.org", notify: SMTPDSNNotify([.success, .failure]))])
            envelope.dsnEnvelopeID = "run-1"
            let body = Array("Subject: caf\u{E9}\r\n\r\ncr\u{E8}me br\u{FB}l\u{E9}e\r\n".utf8)
            let result = try await session.send(envelope: envelope, body: body)
            let tooLarge = await smtpError {
                try await session.send(
                    envelope: envelope, body: Array(String(repeating: "0123456789\r\n", count: 2000).utf8))
            }
            try await session.disconnect()
            await session.shutdown()
            await events.finished()

            #expect(tooLarge?.code == .messageTooLarge)
            let received = try await server.nextMessage()
            #expect(
                received.mailParameters.map(\.description).sorted() == [
                    "BODY=8BITMIME", "ENVID=run-1", "SIZE=\(result.bytesSent - 3)",  // RFC 1870: without the final "."
                ])
            #expect(
                received.recipientParameters == [[SMTPTestServer.ESMTPParameter("NOTIFY", value: "SUCCESS,FAILURE")]])
            let totals = events.recorded.compactMap { event -> Int?? in
                if case .transferProgress(_, let total) = event { return total }
                return nil
            }
            #expect(!totals.isEmpty && totals.allSatisfy { $0 == result.bytesSent })
        }
    }

    @Test func postfixAcceptsTheDSNSizeAndBodyParameters() async throws {
        try #require(!PostfixServer.isRequired || PostfixServer.isAvailable, "CI is set but postfix is not installed")
        guard PostfixServer.isAvailable else {
            return
        }
        let server = try await PostfixServer.start(tls: nil)
        defer { server.stop() }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let events = EventRecorder(session.events())
        try await session.connect()
        let capabilities = await session.capabilities
        #expect(capabilities?.supportsDSN == true, "Postfix offers DSN")
        var envelope = SMTPEnvelope(
            reversePath: "alice@example.com",
            recipients: [
                SMTPEnvelope.Recipient(
                    "bob@example.org", notify: SMTPDSNNotify([.failure, .delay]),
                    originalRecipient: "Bob+lists=x@example.org")
            ])
        envelope.dsnReturn = .headersOnly
        envelope.dsnEnvelopeID = "run 42"
        let body = Array("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: dsn\r\n\r\ncaf\u{E9}\r\n".utf8)
        let result = try await session.send(envelope: envelope, body: body)
        try await session.disconnect()
        await session.shutdown()
        await events.finished()

        #expect(result.reply.code == 250)
        let mail = events.trail.first { $0.hasPrefix("C: MAIL FROM") }
        #expect(mail?.contains("RET=HDRS") == true && mail?.contains("ENVID=run+2042") == true, "\(mail ?? "")")
        #expect(mail?.contains("SIZE=\(result.bytesSent)") == true && mail?.contains("BODY=8BITMIME") == true)
        #expect(
            events.trail.contains(
                "C: RCPT TO:<bob@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bob+2Blists+3Dx@example.org"))
        let delivered = try await server.waitForDeliveries(1)
        #expect(delivered.first?.recipient == "bob@example.org")
    }
}
