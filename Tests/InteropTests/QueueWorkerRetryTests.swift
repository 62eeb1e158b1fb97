import Foundation
import PGPMail
import SMTPTestServer
import TestSupport
import Testing

/// `MailQueueWorker` through the library: a transient failure goes back to the queue with a
/// back-off and is delivered later. (The CLI waits at least 60 s before a retry.)
@Suite("MailQueueWorker retries")
struct QueueWorkerRetryTests {
    @Test("451 at the end of the data twice: deferred twice, then delivered once")
    func transientFailureThenSuccess() async throws {
        let files = try TemporaryDirectory(prefix: "worker")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let queue = try DirectoryMailQueue(directory: files.file("queue").path, fileSystemSync: false)
        let id = try await queue.enqueue(QueueCrashTests.mail(number: 1))
        let endsOfData = Locked(0)
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .endOfData = command else { return nil }
            let earlier = endsOfData.withLock { count in
                defer { count += 1 }
                return count
            }
            return earlier < 2 ? .reply(451, "4.3.0 Try again later") : nil
        }

        try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
            var session = SMTPSession.Configuration(host: server.host, port: server.port)
            session.tls = .none
            session.localHostname = "client.test"
            var clientConfiguration = SMTPClient.Configuration(session: session)
            clientConfiguration.retryPolicy = .none  // every 451 reaches the worker
            let client = SMTPClient(configuration: clientConfiguration)
            var configuration = MailQueueWorker.Configuration()
            configuration.retryBackoff = .milliseconds(50)
            configuration.pollInterval = .milliseconds(20)
            configuration.maximumAttempts = 5
            configuration.lease = .seconds(30)
            let worker = MailQueueWorker(queue: queue, client: client, configuration: configuration)
            let outcomes = Locked<[MailQueueWorker.Outcome]>([])

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                let failure: (any Error)?
                do {
                    try await worker.run(until: .drained) { outcome in outcomes.withLock { $0.append(outcome) } }
                    failure = nil
                } catch {
                    failure = error
                }
                client.beginGracefulShutdown()
                try await group.waitForAll()
                if let failure { throw failure }
            }

            let seen = outcomes.current
            try #require(seen.count == 3, "\(seen)")
            for outcome in seen.prefix(2) {
                guard case .deferred(let deferred, let reason, _) = outcome else {
                    Issue.record("expected a deferral, got \(outcome)")
                    continue
                }
                #expect(deferred == id)
                #expect(reason.contains("451"), "\(reason)")
            }
            guard case .sent(let sent) = seen[2] else {
                Issue.record("expected the message to be sent at last, got \(seen[2])")
                return
            }
            #expect(sent == id)
            #expect(endsOfData.current == 3)
            #expect(server.receivedMessageCount == 1)
        }
        let status = try await queue.status()
        #expect(status.counts.values.allSatisfy { $0 == 0 }, "\(status.counts)")
    }
}
