import NIOCore
import TestSupport
import Testing

@testable import SMTP

/// CHUNKING (RFC 3030): content in `BDAT` chunks, pipelined, without dot-stuffing.
@Suite("CHUNKING and BDAT", .timeLimit(.minutes(2)))
struct ChunkingTests {
    private let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org", "carol@example.net"])

    @Test func theEnvelopeIsPipelinedAndTheContentGoesInChunks() {
        var machine = readyMachine(
            extensions: ["PIPELINING", "CHUNKING"], configuration: machineConfiguration(sendRSET: false))
        #expect(
            machine.startTransaction(self.envelope).summary
                == .send(["MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.net>"]))
        #expect(feed(&machine, [reply(250), reply(250), reply(250)]) == [.read, .read, .streamBodyInChunks])
        #expect(machine.dataBodyFinished(byteCount: 2_500_000, chunkCount: 3).summary == .read)
        #expect(feed(&machine, [reply(250, "1048576 octets"), reply(250, "1048576 octets")]) == [.read, .read])
        let done = machine.replyReceived(reply(250, "2.0.0 queued"))
        #expect(done.summary == .succeed("delivered", close: false))
        #expect(done.deliveryResult?.bytesSent == 2_500_000)
        #expect(done.deliveryResult?.reply.lines == ["2.0.0 queued"])
    }

    @Test func aRefusedChunkRejectsTheMessageAfterEveryReplyAndResets() {
        var machine = readyMachine(
            extensions: ["PIPELINING", "CHUNKING"], configuration: machineConfiguration(sendRSET: false))
        _ = machine.startTransaction(self.envelope)
        _ = feed(&machine, [reply(250), reply(250), reply(250)])
        _ = machine.dataBodyFinished(byteCount: 100, chunkCount: 2)
        #expect(machine.replyReceived(reply(552, "5.3.4 too big")).summary == .read)
        #expect(machine.replyReceived(reply(503, "5.5.1 no transaction")).summary == .send(["RSET"]))
        let action = machine.replyReceived(reply(250))
        #expect(action.summary == .fail(.dataRejected, close: false))
        #expect(action.error?.reply?.code == 552, "the first refusal is the reason")
        #expect(machine.isReady)
    }

    @Test func dataIsUsedWhenChunkingIsNotOfferedOrTurnedOff() {
        var notOffered = readyMachine(extensions: ["PIPELINING"], configuration: machineConfiguration(sendRSET: false))
        guard case .sendCommands(let commands) = notOffered.startTransaction(self.envelope) else {
            Issue.record("expected commands")
            return
        }
        #expect(commands.last == .rcptTo(forwardPath: "carol@example.net", parameters: []))

        var configuration = machineConfiguration(sendRSET: false)
        configuration.useChunking = false
        var off = readyMachine(extensions: ["PIPELINING", "CHUNKING"], configuration: configuration)
        _ = off.startTransaction(self.envelope)
        #expect(feed(&off, [reply(250), reply(250), reply(250)]).last == .send(["DATA"]))
    }

    @Test func binaryMIMEGoesInChunksOnlyWhenOffered() {
        var envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
        envelope.bodyType = .binaryMIME
        var offered = readyMachine(
            extensions: ["PIPELINING", "CHUNKING", "BINARYMIME"], configuration: machineConfiguration(sendRSET: false))
        #expect(
            offered.startTransaction(envelope).summary
                == .send(["MAIL FROM:<alice@example.com> BODY=BINARYMIME", "RCPT TO:<bob@example.org>"]))
        _ = offered.replyReceived(reply(250))
        guard case .streamBodyInChunks(let binary) = offered.replyReceived(reply(250)) else {
            Issue.record("expected BDAT chunks")
            return
        }
        #expect(binary)

        var chunkingOnly = readyMachine(extensions: ["CHUNKING"])
        #expect(chunkingOnly.startTransaction(envelope).summary == .fail(.invalidInput, close: false))
        var configuration = machineConfiguration()
        configuration.useChunking = false
        var turnedOff = readyMachine(extensions: ["CHUNKING", "BINARYMIME"], configuration: configuration)
        #expect(turnedOff.startTransaction(envelope).summary == .fail(.invalidInput, close: false))
    }

    @Test func binaryFramingPassesEveryOctet() throws {
        let content: [UInt8] = Array("bare\nLF\rCR\n.dot".utf8) + [0, 0xFF] + Array(repeating: 0x41, count: 2000)
        var encoder = SMTPDataEncoder(framing: .binary)
        var output = ByteBuffer()
        try encoder.encode(content, into: &output)
        encoder.finish(into: &output)
        #expect(Array(output.readableBytesView) == content)
    }

    @Test func theDeclaredSizeIsTheMessageWithoutStuffingOrTerminator() throws {
        // RFC 1870: octets with CRLF line endings, not counting stuffing dots or the final ".".
        let content = Array(".one\n..two\nthree".utf8)
        let (encoded, size) = try SMTPDataEncoder.encodeMessageMeasuring(content)
        #expect(String(buffer: encoded) == "..one\r\n...two\r\nthree\r\n.\r\n")
        #expect(size == Array(".one\r\n..two\r\nthree\r\n".utf8).count)
        #expect(try SMTPDataEncoder.encodeMessageMeasuring(content, framing: .bdat).messageSize == size)
    }

    @Test func bdatFramingNeitherStuffsDotsNorTerminates() throws {
        let encoded = try SMTPDataEncoder.encodeMessage(Array(".leading dot\n..two\nlast".utf8), framing: .bdat)
        #expect(String(buffer: encoded) == ".leading dot\r\n..two\r\nlast\r\n")
        #expect(try String(buffer: SMTPDataEncoder.encodeMessage([], framing: .bdat)).isEmpty)
    }

    @Test func streamedContentGoesInMegabyteChunksEachAnswered() async throws {
        // A server that answers each BDAT command; the chunk bytes reach the script as lines
        // too (none of which starts with "BDAT"), and are ignored.
        let standard = ScriptedSMTPServer.standard(extensions: ["PIPELINING", "CHUNKING"])
        let server = try await ScriptedSMTPServer.start { input in
            if case .line(let line) = input {
                if line.hasPrefix("BDAT") { return [.send("250 2.0.0 chunk ok")] }
                if !["EHLO", "MAIL", "RCPT", "QUIT", "RSET"].contains(where: line.hasPrefix) { return [] }
            }
            return standard(input)
        }
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        let events = EventRecorder(session.events())
        try await session.connect()
        // 64-octet lines: chunk boundaries (1 MiB) fall between lines, so this line-based
        // script sees every BDAT command at the start of a line.
        let line = Array((String(repeating: "0123456789", count: 6) + "ab\r\n").utf8)
        let content = CountingChunks(chunk: Array(repeating: line, count: 400).flatMap { $0 }, count: 90)  // 2.2 MiB
        let result = try await session.send(envelope: self.envelope, body: content)
        try await session.disconnect()
        await session.shutdown()
        await events.finished()

        #expect(result.bytesSent == 90 * 400 * line.count)
        let bdat = events.trail.filter { $0.hasPrefix("C: BDAT") }
        #expect(bdat == ["C: BDAT 1048576", "C: BDAT 1048576", "C: BDAT \(result.bytesSent - 2 * 1_048_576) LAST"])
        #expect(!events.trail.contains("C: DATA"))
    }

    @Test func postfixReceivesChunkedContentExactly() async throws {
        let enabled = PostfixServer.isAvailable || PostfixServer.isRequired
        try #require(!PostfixServer.isRequired || PostfixServer.isAvailable, "CI is set but postfix is not installed")
        guard enabled else {
            return
        }
        let server = try await PostfixServer.start(tls: nil)
        defer { server.stop() }
        var configuration = sessionConfiguration(port: server.port)
        configuration.localHostname = "client.example.org"
        let session = SMTPSession(configuration: configuration)
        let events = EventRecorder(session.events())
        try await session.connect()
        #expect(await session.capabilities?.supportsChunking == true, "Postfix offers CHUNKING")
        var body = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: chunks\r\n\r\n"
        body += ".a line that starts with a dot\r\n..and two\r\n.\r\n"
        for index in 0..<30_000 {
            body += "line \(index) of a message larger than one BDAT chunk\r\n"
        }
        let result = try await session.send(
            envelope: SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]), body: Array(body.utf8))
        try await session.disconnect()
        await session.shutdown()
        await events.finished()

        #expect(events.trail.filter { $0.hasPrefix("C: BDAT") }.count == 2)
        #expect(result.bytesSent == body.utf8.count)
        let delivered = try await server.waitForDeliveries(1)
        #expect(delivered.first?.originalContent == Array(body.replacingOccurrences(of: "\r\n", with: "\n").utf8))
    }
}
