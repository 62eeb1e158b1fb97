import Foundation
import PGPMail
import SMTPTestServer
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `pgpmail queue process` killed with SIGKILL at random moments, and several processes on one
/// directory: nothing is lost, and only messages in flight at a kill may arrive twice.
@Suite("pgpmail queue process crash safety")
struct QueueCrashTests {
    @Test("five kills mid-delivery, then a run to the end: every message arrives, few twice")
    func killedProcessesLoseNothing() async throws {
        let count = 1500
        let connections = 4
        let kills = 5
        let files = try TemporaryDirectory(prefix: "queue-crash")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let directory = files.file("queue").path
        // Without fsync, for speed: SIGKILL ends the process, not the machine, so everything it
        // wrote is still in the page cache for the next process.
        let queue = try DirectoryMailQueue(directory: directory, fileSystemSync: false)
        for number in 0..<count {
            _ = try await queue.enqueue(Self.mail(number: number))
        }
        // Every 10th message stalls before its final reply, so that some kills land mid-send.
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .endOfData(let message) = command, let number = Self.number(in: message), number % 10 == 0
            else { return nil }
            return .delay(.milliseconds(100))
        }

        try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
            let arguments =
                ["queue", "process", directory, "--lease", "1", "--connections", "\(connections)"]
                + PGPMailExecutable.serverArguments(port: server.port)
            var random = SeededRandom(seed: 20_260_501)
            var figures: [String] = []
            for run in 1...kills {
                let before = server.receivedMessageCount
                let child = try PGPMailExecutable.start(arguments)
                let delay = Int.random(in: 150...600, using: &random)
                try await Task.sleep(for: .milliseconds(delay))
                child.send(SIGKILL)
                let (result, killed) = await child.wait()
                #expect(killed, "run \(run) ended before the kill: \(result.status) \(result.stderr)")
                figures.append("run \(run): killed after \(delay) ms, received \(server.receivedMessageCount - before)")
            }
            let before = server.receivedMessageCount
            let (last, killed) = try await PGPMailExecutable.start(arguments).wait()
            #expect(!killed && last.status == 0, "the last run exited \(last.status): \(last.stderr)")
            figures.append(
                "last run: received \(server.receivedMessageCount - before); \(last.stdoutText.trimmingCharacters(in: .newlines))"
            )

            let status = try await queue.status()
            #expect(status.counts[.queued] == 0 && status.counts[.claimed] == 0, "\(status.counts)")
            #expect(status.counts[.failed] == 0, "\(status.counts)")

            let received = server.receivedMessages.compactMap(Self.number(in:))
            let copies = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
            let missing = (0..<count).filter { copies[$0] == nil }
            let duplicated = copies.values.filter { $0 > 1 }.count
            let extraCopies = received.count - copies.count
            print(
                "queue crash test: received \(received.count), distinct \(copies.count), duplicated \(duplicated)"
                    + " (extra copies \(extraCopies)); " + figures.joined(separator: "; "))
            #expect(received.count == server.receivedMessageCount, "every message carries its number")
            #expect(missing.isEmpty, "never delivered: \(missing.prefix(20))")
            // A kill can only duplicate the messages in flight in the killed process (accepted by
            // the server, the queue not yet told): at most 2 × connections of them.
            #expect(extraCopies <= kills * 2 * connections, "\(copies.filter { $0.value > 1 })")
        }
    }

    @Test("three processes on one directory deliver each message exactly once")
    func concurrentProcesses() async throws {
        let count = 600
        let files = try TemporaryDirectory(prefix: "queue-concurrent")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let directory = files.file("queue").path
        let queue = try DirectoryMailQueue(directory: directory, fileSystemSync: false)
        for number in 0..<count {
            _ = try await queue.enqueue(Self.mail(number: number))
        }

        try await SMTPTestServer.withRunning { server in
            let arguments =
                ["queue", "process", directory, "--lease", "30", "--connections", "2"]
                + PGPMailExecutable.serverArguments(port: server.port)
            let children = try (0..<3).map { _ in try PGPMailExecutable.start(arguments) }
            var sent = 0
            for child in children {
                let (result, killed) = await child.wait()
                #expect(!killed && result.status == 0, "exited \(result.status): \(result.stderr)")
                let summary = try #require(DeliverySummary(result.stdoutText), "\(result.stdoutText)")
                #expect(summary.failed == 0)
                sent += summary.sent
            }
            #expect(sent == count, "the processes' summaries add up")

            let received = server.receivedMessages.compactMap(Self.number(in:))
            #expect(received.count == count)
            #expect(received.sorted() == Array(0..<count), "each number exactly once")
            let status = try await queue.status()
            #expect(status.counts.values.allSatisfy { $0 == 0 }, "\(status.counts)")
        }
    }

    // MARK: - Helpers

    /// A small message with the header `X-Test-Number: number`.
    static func mail(number: Int) -> QueuedMail {
        let content = """
            From: queue-test@example.com\r
            To: n\(number)@example.org\r
            Subject: queue test \(number)\r
            Message-ID: <n\(number)@queue-test.pgpmail.test>\r
            X-Test-Number: \(number)\r
            \r
            Message \(number).\r

            """
        let envelope = SMTPEnvelope(
            reversePath: "queue-test@example.com", recipients: [SMTPEnvelope.Recipient("n\(number)@example.org")])
        return QueuedMail(envelope: envelope, content: Array(content.utf8))
    }

    /// The `X-Test-Number` of a received message.
    static func number(in message: SMTPTestServer.ReceivedMessage) -> Int? {
        let text = message.text
        guard let start = text.range(of: "\r\nX-Test-Number: ")?.upperBound else { return nil }
        return Int(text[start...].prefix { $0.isNumber })
    }
}
