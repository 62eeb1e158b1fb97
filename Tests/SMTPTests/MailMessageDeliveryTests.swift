import Foundation
import NIOConcurrencyHelpers
import SMTP
import SMTPTestServer
import Testing

@testable import PGPMail

/// `SMTPSession.send(_: MailMessage)` end to end against the package's own server.
@Suite("Sending MailMessage values")
struct MailMessageDeliveryTests {
    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Sender <sender@example.org>", to: "a@example.org, B <b@example.org>", subject: "Report",
            body: "Line one\n.leading dot\nlast line"
        )
        .withCc([MailAddress("c@example.org")])
        .withBcc([MailAddress("hidden@example.org"), MailAddress("a@example.org")])
        .addingAttachment(Attachment(filename: "data.bin", data: Array(0...255)))
    }

    @Test func deliversTheRenderedBytesAndTheEnvelope() async throws {
        try await SMTPTestServer.withRunning { server in
            let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
            let events = EventRecorder(session.events())
            let message = try message()
            let result = try await session.send(message)  // connects on its own
            try await session.disconnect()
            await session.shutdown()
            await events.finished()

            let received = try await server.nextMessage()
            #expect(received.mailFrom == "sender@example.org")
            #expect(received.recipients == ["a@example.org", "b@example.org", "c@example.org", "hidden@example.org"])
            #expect(received.data == (try message.renderedBytes()))
            #expect(!received.text.contains("hidden@example.org"))
            #expect(!received.hadBareLineEndings)
            #expect(!received.hadOverlongLines)
            #expect(result.acceptedRecipients.count == 4)
            #expect(events.trail.contains("C: MAIL FROM:<sender@example.org>"))
            #expect(events.trail.contains { $0.hasPrefix("S: 250") })
            #expect(events.recorded.contains { if case .transferEnded = $0 { true } else { false } })
        }
    }

    @Test func aRenderedMessageIsSentAsItsExactBytesWithItsSize() async throws {
        try await SMTPTestServer.withRunning { server in
            let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
            let rendered = try message().rendered()
            let traced = try rendered.prepending(headerField: Array("X-Rendered-Once: yes\r\n".utf8))
            let result = try await session.send(traced)  // connects on its own
            await session.shutdown()

            let received = try await server.nextMessage()
            #expect(received.data == traced.bytes)
            #expect(received.mailFrom == "sender@example.org")
            #expect(received.recipients == ["a@example.org", "b@example.org", "c@example.org", "hidden@example.org"])
            #expect(received.mailParameters.first(keyword: "SIZE")?.value == String(traced.size))
            #expect(result.acceptedRecipients.count == 4)
        }
    }

    @Test func refusedRecipientIsReportedAndNothingIsSent() async throws {
        var configuration = SMTPTestServer.Configuration()
        configuration.responder = { command, _ in
            if case .rcpt(let to, _) = command, to == "b@example.org" { return .reply(550, "5.1.1 No such user") }
            return nil
        }
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            try await withSMTPSession(configuration: sessionConfiguration(port: server.port)) { session in
                let error = await smtpError { try await session.send(try message()) }
                #expect(error?.code == .recipientRefused)
                #expect(error?.refusedRecipients.map(\.recipient) == ["b@example.org"])
                #expect(error?.refusedRecipients.first?.reply.code == 550)
            }
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test func droppedConnectionMidDataIsATypedError() async throws {
        var configuration = SMTPTestServer.Configuration()
        configuration.responder = { command, _ in
            if case .data = command { return .dropDuringData(afterOctets: 100) }
            return nil
        }
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
            let error = await smtpError { try await session.send(try message()) }
            #expect(error?.code == .connectionClosed)
            #expect(await !session.isConnected)
            await session.shutdown()
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test func nonASCIIAddressNeedsSMTPUTF8() async throws {
        let message = try MailMessage(from: "sender@example.org", to: "josé@example.org", subject: "Olá", body: "hi")
        #expect(SMTPEnvelope(message).requiresSMTPUTF8)
        var withoutUTF8 = SMTPTestServer.Configuration()
        withoutUTF8.extensions = ["PIPELINING"]
        try await SMTPTestServer.withRunning(configuration: withoutUTF8) { server in
            try await withSMTPSession(configuration: sessionConfiguration(port: server.port)) { session in
                #expect(await smtpError { try await session.send(message) }?.code == .invalidInput)
            }
        }
        try await SMTPTestServer.withRunning { server in
            try await withSMTPSession(configuration: sessionConfiguration(port: server.port)) { session in
                try await session.send(message)
            }
            let received = try await server.nextMessage()
            #expect(received.mailParameters.contains(keyword: "SMTPUTF8"))
            #expect(received.recipients == ["josé@example.org"])
        }
    }
}

/// Rendering (file reads, encryption) runs on NIO's blocking pool, not in the sending task.
@Suite("Rendering off the cooperative pool")
struct OffloadedRenderingTests {
    /// A body source that records the name of the thread each chunk is produced on.
    private struct RecordingSource: MIMEByteSource {
        let threads: NIOLockedValueBox<[String]>
        var remaining = 3

        mutating func nextChunk() throws -> [UInt8]? {
            guard self.remaining > 0 else {
                return nil
            }
            self.remaining -= 1
            self.threads.withLockedValue { $0.append(Thread.current.name ?? "unnamed") }
            return Array(String(repeating: "line of body text\r\n", count: 400).utf8)
        }
    }

    @Test func chunksAreRenderedOnTheThreadPool() async throws {
        let threads = NIOLockedValueBox<[String]>([])
        let part = try MIMEPart.stream(
            MIMEBodyStream { RecordingSource(threads: threads) },
            contentType: try ContentType("text/plain"), transferEncoding: .sevenBit)
        var rendered: [UInt8] = []
        for try await chunk in OffloadedMIMEChunks(part: part, leadingHeaders: []) {
            rendered += chunk
        }
        #expect(rendered.count > 3 * 400 * 19)
        let names = threads.withLockedValue { $0 }
        #expect(names.count == 3)
        #expect(names.allSatisfy { $0.contains("TP-#") }, "\(names)")  // NIOThreadPool names its threads (SGLTN-)TP-#n
    }
}
