import Foundation
import PGPMail
import PGPMailPostgres
import SMTPTestServer
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `pgpmail queue add|process|status` on a PostgreSQL queue, and three `pgpmail queue process`
/// processes draining one queue while one of them is killed.
@Suite("pgpmail queue with PostgreSQL")
struct PostgresQueueCommandTests {
    @Test("add (with an idempotency key), status from PGPMAIL_QUEUE_URL, process with --keep")
    func addStatusProcess() async throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(table: PostgresTesting.uniqueTable("cli"))
        let add = ["queue", "add", url, "--from", "alice@example.com", "--to", "bob@example.org", "--subject", "Hi"]
        let first = try await PGPMailExecutable.run(add + ["--idempotency-key", "welcome-1"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try await PGPMailExecutable.run(add + ["--idempotency-key", "welcome-1"])
        #expect(again.stdoutText == first.stdoutText, "the same entry, not a second one")
        let other = try await PGPMailExecutable.run(add)
        #expect(other.status == 0 && other.stdoutText != first.stdoutText, "\(other.stderr)")
        let refused = try await PGPMailExecutable.run(
            ["queue", "add", "/tmp/some-directory", "--from", "a@example.com", "--to", "b@example.org"]
                + ["--idempotency-key", "k"])
        #expect(refused.status == 2 && refused.stderr.contains("PostgreSQL"), "\(refused.status) \(refused.stderr)")

        let status = try Self.status(environment: ["PGPMAIL_QUEUE_URL": url])
        #expect(status["queued"] == "2" && status["claimed"] == "0", "\(status)")

        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(
                ["queue", "process", url, "--keep"] + PGPMailExecutable.serverArguments(port: server.port))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 2, failed: 0), "\(result.stdoutText)")
            #expect(server.receivedMessageCount == 2)
        }
        let after = try Self.status(environment: ["PGPMAIL_QUEUE_URL": url])
        #expect(after["queued"] == "0" && after["sent"] == "2", "\(after)")

        let badPassword = try await PGPMailExecutable.run(
            ["queue", "status", url.replacingOccurrences(of: cluster.password, with: "wrong-password")])
        #expect(badPassword.status == 1 && badPassword.stderr.contains("database"), "\(badPassword.stderr)")
        #expect(!badPassword.stderr.contains("wrong-password"), "the password is not printed")
    }

    @Test("three processes drain 5,000 messages; one is SIGKILLed: none lost, duplicates only where marked")
    func killedWorkerLosesNothing() async throws {
        let count = 5000
        let connections = 4
        let cluster = try PostgresCluster.shared()
        let table = PostgresTesting.uniqueTable("kill")
        let url = cluster.url(table: table)
        // Every 10th message waits 50 ms for its reply, so that the kill lands mid-send.
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .endOfData(let message) = command, let number = QueueCrashTests.number(in: message),
                number % 10 == 0
            else { return nil }
            return .delay(.milliseconds(50))
        }
        try await PostgresTesting.withQueue(table: table) { queue, client in
            var ids: [MailQueueEntryID] = []
            try await client.withConnection { connection in
                for number in 0..<count {
                    ids.append(try await queue.enqueue(PostgresTesting.mail(number: number), on: connection))
                }
            }
            try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
                let arguments =
                    // A lease of 5 s: long enough that a busy CI machine does not starve a live
                    // worker past it, short enough that the killed worker's entries come back soon.
                    ["queue", "process", url, "--keep", "--lease", "5", "--connections", "\(connections)"]
                    + PGPMailExecutable.serverArguments(port: server.port)
                let workers = try (0..<3).map { _ in try PGPMailExecutable.start(arguments) }
                // Kill the first worker once a third of the messages have arrived.
                let deadline = ContinuousClock.now + .seconds(120)
                while server.receivedMessageCount < count / 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let receivedAtKill = server.receivedMessageCount
                workers[0].send(SIGKILL)
                let (_, killed) = await workers[0].wait()
                #expect(killed, "the first worker was killed")
                var sentBySurvivors = 0
                for survivor in workers.dropFirst() {
                    let (result, survivorKilled) = await survivor.wait()
                    #expect(!survivorKilled && result.status == 0, "exited \(result.status): \(result.stderr)")
                    let summary = try #require(DeliverySummary(result.stdoutText), "\(result.stdoutText)")
                    #expect(summary.failed == 0)
                    sentBySurvivors += summary.sent
                }

                let status = try await queue.status()
                #expect(status.counts == [.queued: 0, .claimed: 0, .sent: count, .failed: 0], "\(status.counts)")
                let received = server.receivedMessages.compactMap(QueueCrashTests.number(in:))
                let copies = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
                let missing = (0..<count).filter { copies[$0] == nil }
                let duplicated = copies.filter { $0.value > 1 }.map(\.key).sorted()
                let marked = Set(try await queue.entries(in: .sent).filter(\.possiblyDelivered).map(\.id))
                print(
                    "postgres kill test: \(count) messages, killed after \(receivedAtKill) arrived;"
                        + " received \(received.count), distinct \(copies.count), duplicated \(duplicated.count),"
                        + " marked possibly delivered \(marked.count), sent by the survivors \(sentBySurvivors)")
                #expect(missing.isEmpty, "never delivered: \(missing.prefix(20))")
                // Only the killed worker's messages in flight (accepted, not yet reported) can arrive
                // twice, and every one of them is marked.
                #expect(duplicated.count <= 2 * connections, "\(duplicated)")
                let unmarked = duplicated.filter { !marked.contains(ids[$0]) }
                #expect(unmarked.isEmpty, "duplicates not marked possibly delivered: \(unmarked)")
            }
        }
    }

    /// `pgpmail queue status` (QUEUE from the environment) as a dictionary.
    static func status(environment: [String: String]) throws -> [String: String] {
        let result = try ExternalProcess.run(
            executable: try PGPMailExecutable.path(), ["queue", "status"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        var fields: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            if words.count == 2 { fields[words[0]] = words[1] }
        }
        return fields
    }
}
