import Foundation
import NIOConcurrencyHelpers
import PGPMail
import SMTPTestServer
import Testing

/// The queue, the worker and the pooled client against a server that fails at random: every
/// message ends delivered exactly once (or twice only when the server took it without
/// answering, the documented SMTP case) or failed with the server's reason. None is lost.
@Suite("Queue delivery through a faulty server")
struct QueueFaultTests {
    static let messageCount = 10_000

    @Test("10,000 messages through random drops, 421/451/452/454/550 replies and stalls: none lost, no stray duplicate")
    func everyMessageDeliveredOnceOrFailedWithAReason() async throws {
        let plan = SMTPTestServer.FaultInjection.mixed(seed: 20_261_202)
        let serverConfiguration = SMTPTestServer.Configuration(responder: plan.responder())
        try await withQueueDirectory { path in
            // No fsync: this test kills no machine, and the page cache holds every write.
            let queue = try makeQueue(path)
            for number in 0..<Self.messageCount {
                _ = try await queue.enqueue(Self.mail(number))
            }
            try await SMTPTestServer.withRunning(configuration: serverConfiguration) { server in
                var session = SMTPSession.Configuration(host: "127.0.0.1", port: server.port)
                session.tls = .none
                session.localHostname = "client.test"
                session.commandTimeout = .seconds(10)
                var configuration = SMTPClient.Configuration(session: session)
                configuration.maximumConnections = 8
                configuration.connectBackoff = .milliseconds(5)
                configuration.maximumConnectBackoff = .milliseconds(50)
                configuration.retryPolicy = SMTPRetryPolicy(
                    maximumAttempts: 3, initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(20))
                let client = SMTPClient(configuration: configuration)
                var workerConfiguration = MailQueueWorker.Configuration(owner: "fault-test")
                workerConfiguration.retryBackoff = .milliseconds(5)
                workerConfiguration.maximumRetryBackoff = .milliseconds(20)
                workerConfiguration.maximumAttempts = 50
                workerConfiguration.pollInterval = .milliseconds(10)
                let worker = MailQueueWorker(queue: queue, client: client, configuration: workerConfiguration)
                let outcomes = OutcomeCounter()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await client.run() }
                    try await worker.run(until: .drained) { outcomes.record($0) }
                    client.beginGracefulShutdown()
                    try await group.waitForAll()
                }

                let status = try await queue.status()
                #expect(status.counts[.queued] == 0)
                #expect(status.counts[.claimed] == 0)

                // What the server holds, by message number.
                var copies: [Int: (all: Int, unacknowledged: Int)] = [:]
                for message in server.receivedMessages {
                    let number = try #require(Self.number(in: message.data))
                    copies[number, default: (0, 0)].all += 1
                    if !message.wasAcknowledged { copies[number, default: (0, 0)].unacknowledged += 1 }
                }
                // What failed, by message number, each with a reason.
                var failed: Set<Int> = []
                for id in try queue.entries(in: .failed) {
                    let mail = try #require(try queue.mail(of: id))
                    failed.insert(try #require(Self.number(in: mail.content)))
                    let reason = try #require(try queue.failureReason(of: id))
                    #expect(reason.contains("550"), "\(reason)")
                }
                let lost = (0..<Self.messageCount).filter { copies[$0] == nil && !failed.contains($0) }
                #expect(lost.isEmpty, "lost: \(lost.prefix(20))")
                // A message is received more than once only after the server took it without answering.
                let strayDuplicates = copies.filter { $0.value.all - $0.value.unacknowledged > 1 }
                #expect(strayDuplicates.isEmpty, "\(strayDuplicates.prefix(10))")
                // A failed message was never acknowledged by the server.
                let failedButAcknowledged = failed.filter { number in
                    guard let copy = copies[number] else { return false }
                    return copy.all > copy.unacknowledged
                }
                #expect(failedButAcknowledged.isEmpty)
                #expect(outcomes.sent + failed.count == Self.messageCount)
                let duplicates = copies.values.reduce(0) { $0 + $1.all - 1 }
                print(
                    "QueueFaultTests: \(Self.messageCount) messages, sent \(outcomes.sent), failed \(failed.count), "
                        + "deferred \(outcomes.deferred) times, \(server.connectionCount) connections, "
                        + "\(duplicates) duplicate deliveries (all unacknowledged by the server)")
                // The plan injected faults of every kind: the test exercised what it claims.
                #expect(outcomes.deferred > 0)
                #expect(!failed.isEmpty)
                #expect(client.statistics.retried > 0)
            }
        }
    }

    static func mail(_ number: Int) -> QueuedMail {
        QueuedMail(
            envelope: SMTPEnvelope(
                reversePath: "sender@example.org", recipients: [SMTPEnvelope.Recipient("rcpt\(number)@example.org")]),
            content: Array("Subject: fault test\r\nX-Test-Number: \(number)\r\n\r\nmessage \(number)\r\n".utf8))
    }

    static func number(in content: [UInt8]) -> Int? {
        let text = String(decoding: content, as: UTF8.self)
        guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("X-Test-Number: ") }) else {
            return nil
        }
        return Int(line.dropFirst("X-Test-Number: ".count))
    }
}

/// Counts the worker's outcomes from its tasks.
final class OutcomeCounter: Sendable {
    private let counts = NIOLockedValueBox((sent: 0, deferred: 0))

    func record(_ outcome: MailQueueWorker.Outcome) {
        self.counts.withLockedValue { counts in
            switch outcome {
            case .sent: counts.sent += 1
            case .deferred: counts.deferred += 1
            case .failed, .claimLost: break
            }
        }
    }

    var sent: Int { self.counts.withLockedValue { $0.sent } }
    var deferred: Int { self.counts.withLockedValue { $0.deferred } }
}
