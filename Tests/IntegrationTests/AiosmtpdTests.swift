import Foundation
import PGPMail
import TestSupport
import Testing

/// End-to-end tests of `SMTPSession` against Python's aiosmtpd. They are skipped when
/// aiosmtpd is not installed, unless CI is set, in which case they fail.
@Suite(
    "SMTPSession against aiosmtpd",
    .enabled(
        if: AiosmtpdServer.isAvailable || AiosmtpdServer.isRequired,
        "python3 with aiosmtpd is not installed (pip install aiosmtpd)"))
struct AiosmtpdTests {
    private func withServer(
        _ body: (AiosmtpdServer, SMTPSession.Configuration) async throws -> Void
    ) async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        let server = try await AiosmtpdServer.start()
        defer { server.stop() }
        var configuration = SMTPSession.Configuration(host: "127.0.0.1", port: server.port)
        configuration.tls = .none
        configuration.localHostname = "client.test"
        configuration.commandTimeout = .seconds(20)
        try await body(server, configuration)
    }

    @Test func plainMessageArrivesByteExact() async throws {
        try await withServer { server, configuration in
            let message = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Hello\r\n\r\nHi Bob.\r\n"
            let result = try await withSMTPSession(configuration: configuration) { session in
                #expect(await session.isConnected)
                #expect(await session.capabilities?.supportsPipelining == true)
                return try await session.send(
                    envelope: SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]),
                    body: Array(message.utf8))
            }
            #expect(result.reply.code == 250)
            #expect(result.reply.enhancedStatusCode == EnhancedStatusCode("2.0.0"))
            #expect(result.acceptedRecipients.map(\.recipient) == ["bob@example.org"])
            #expect(result.bytesSent == message.utf8.count + 3)

            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.mailFrom == "alice@example.com")
            #expect(received.first?.recipients == ["bob@example.org"])
            #expect(received.first?.heloName == "client.test")
            #expect(received.first?.content == Array(message.utf8))
        }
    }

    @Test func pipelinedMultiRecipientMessageWithARefusal() async throws {
        try await withServer { server, configuration in
            var configuration = configuration
            configuration.stopOnRecipientErrors = false
            let session = SMTPSession(configuration: configuration)
            let events = session.events()
            let collector = Task {
                var lines: [String] = []
                for await event in events {
                    if case .protocolTrail(let direction, let line) = event {
                        lines.append((direction == .clientToServer ? "C: " : "S: ") + line)
                    }
                }
                return lines
            }
            try await session.connect()
            let envelope = SMTPEnvelope(
                from: "alice@example.com", to: ["bob@example.org", "refuse@example.org", "carol@example.net"],
                mailParameters: [.body8BitMIME])
            let result = try await session.send(envelope: envelope, body: Array("Subject: team\r\n\r\nhi\r\n".utf8))
            await session.shutdown()
            let trail = await collector.value

            #expect(result.acceptedRecipients.map(\.recipient) == ["bob@example.org", "carol@example.net"])
            #expect(result.refusedRecipients.map(\.recipient) == ["refuse@example.org"])
            #expect(result.refusedRecipients.first?.reply.code == 550)
            let received = try server.messages()
            #expect(received.first?.recipients == ["bob@example.org", "carol@example.net"])
            // SIZE is declared because aiosmtpd offers it: 21 octets, without the final "." line.
            #expect(received.first?.mailOptions == ["BODY=8BITMIME", "SIZE=21"])

            // The whole envelope and DATA went out as one group before the first reply.
            let mail = try #require(trail.firstIndex(of: "C: MAIL FROM:<alice@example.com> BODY=8BITMIME SIZE=21"))
            #expect(
                Array(trail[mail..<(mail + 5)]) == [
                    "C: MAIL FROM:<alice@example.com> BODY=8BITMIME SIZE=21", "C: RCPT TO:<bob@example.org>",
                    "C: RCPT TO:<refuse@example.org>", "C: RCPT TO:<carol@example.net>", "C: DATA",
                ])
            #expect(trail.last == "S: 221 Bye")
        }
    }

    @Test func dotStuffingAndLineEndingsArriveNormalised() async throws {
        try await withServer { server, configuration in
            let body = "Subject: dots\n\n.\n..leading\r.\r\n...\nmiddle . dot\n.end"
            let expected = "Subject: dots\r\n\r\n.\r\n..leading\r\n.\r\n...\r\nmiddle . dot\r\n.end\r\n"
            try await withSMTPSession(configuration: configuration) { session in
                let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
                _ = try await session.send(envelope: envelope, body: Array(body.utf8))
                // The same content streamed in awkward chunks (a CR at a chunk end, a dot at
                // a chunk start) arrives identically.
                let chunks = ["Subject: dots\n\n", ".", "\n..leading\r", ".\r", "\n...\nmiddle . dot\n", ".end"]
                let stream = AsyncStream<[UInt8]> { continuation in
                    for chunk in chunks {
                        continuation.yield(Array(chunk.utf8))
                    }
                    continuation.finish()
                }
                _ = try await session.send(envelope: envelope, body: stream)
            }
            let received = try server.messages()
            #expect(received.count == 2)
            #expect(received.map { String(decoding: $0.content, as: UTF8.self) } == [expected, expected])
        }
    }

    @Test func verifyAndRefusals() async throws {
        try await withServer { server, configuration in
            try await withSMTPSession(configuration: configuration) { session in
                let known = try await session.verify("known@example.org")
                #expect(known.code == 250)
                #expect(known.text.contains("<known@example.org>"))
                do {
                    _ = try await session.verify("nobody@example.org")
                    Issue.record("VRFY of an unknown user succeeded")
                } catch let error as SMTPError {
                    #expect(error.code == .commandRejected)
                    #expect(error.reply?.code == 550)
                }
                do {
                    _ = try await session.send(
                        envelope: SMTPEnvelope(from: "alice@example.com", to: ["refuse@example.org"]),
                        body: Array("x".utf8))
                    Issue.record("a message to a refused recipient was sent")
                } catch let error as SMTPError {
                    #expect(error.code == .allRecipientsRefused)
                    #expect(error.psmtpErrorCode == 165)
                }
                // The session is still usable after the failures.
                #expect(try await session.noop().code == 250)
                _ = try await session.send(
                    envelope: SMTPEnvelope(from: "", to: ["bob@example.org"]), body: Array("bounce\n".utf8))
            }
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.mailFrom == "<>")
        }
    }
}
