import Foundation
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO
import SMTPTestServer
import TestSupport
import Testing

/// ``PostgresMailQueue`` against a real PostgreSQL server (a private cluster on a loopback port).
@Suite("PostgreSQL mail queue")
struct PostgresMailQueueTests {
    @Test("enqueue, claim, renew, complete with keep; status counts every state")
    func lifecycle() async throws {
        try await PostgresTesting.withQueue { queue, _ in
            try await queue.migrate()  // A second migration changes nothing.
            let first = try await queue.enqueue(PostgresTesting.mail(number: 1))
            let second = try await queue.enqueue(PostgresTesting.mail(number: 2))
            #expect(first < second)
            let claims = try await queue.claim(owner: "w1", lease: .seconds(30), limit: 10)
            #expect(claims.map(\.id) == [first, second])
            #expect(claims[0].mail == PostgresTesting.mail(number: 1), "the stored bytes round-trip")
            #expect(claims.allSatisfy { $0.attempts == 0 && $0.owner == "w1" })
            #expect(try await queue.claim(owner: "w2", lease: .seconds(30), limit: 10).isEmpty, "nothing twice")
            try await queue.renew(first, owner: "w1", lease: .seconds(60))
            try await queue.complete(first, owner: "w1", keep: true)
            try await queue.complete(second, owner: "w1", keep: false)
            let status = try await queue.status()
            #expect(status.counts == [.queued: 0, .claimed: 0, .sent: 1, .failed: 0])
            #expect(try await queue.entry(second) == nil, "completed without keep: deleted")
            let kept = try #require(try await queue.entry(first))
            #expect(kept.state == .sent && kept.attempts == 1 && kept.owner == nil)
        }
    }

    @Test("fail stores the server's reply; retryLater waits for its time; a stranger's report is claimLost")
    func failuresAndRetries() async throws {
        try await PostgresTesting.withQueue { queue, _ in
            let failing = try await queue.enqueue(PostgresTesting.mail(number: 1))
            let retried = try await queue.enqueue(PostgresTesting.mail(number: 2))
            _ = try await queue.claim(owner: "w1", lease: .seconds(30), limit: 2)
            let stranger = await queueError { try await queue.complete(failing, owner: "w2", keep: false) }
            #expect(stranger?.code == .claimLost)
            try await queue.fail(failing, owner: "w1", reason: "dataRejected: 554 5.7.1 rejected by policy")
            let later = Date().addingTimeInterval(3600)
            try await queue.retryLater(retried, owner: "w1", reason: "timeout", notBefore: later)
            #expect(try await queue.claim(owner: "w1", lease: .seconds(30), limit: 2).isEmpty, "not due yet")
            let failed = try #require(try await queue.entry(failing))
            #expect(failed.state == .failed && failed.lastError == "dataRejected: 554 5.7.1 rejected by policy")
            let waiting = try #require(try await queue.entry(retried))
            #expect(waiting.state == .queued && waiting.attempts == 1 && waiting.lastError == "timeout")
            let status = try await queue.status()
            #expect(status.counts[.failed] == 1 && status.counts[.queued] == 1)
            let next = try #require(status.nextAttempt)
            #expect(abs(next.timeIntervalSince(later)) < 1)
            // A hostile reply: NUL (refused by PostgreSQL's text) and far more than the limit.
            let third = try await queue.enqueue(PostgresTesting.mail(number: 3))
            _ = try await queue.claim(owner: "w1", lease: .seconds(30), limit: 1)
            try await queue.fail(third, owner: "w1", reason: "550 \u{0}" + String(repeating: "é", count: 100_000))
            let stored = try #require(try await queue.entry(third)?.lastError)
            #expect(stored.hasPrefix("550 \u{FFFD}é") && stored.utf8.count <= PostgresMailQueue.maximumReasonSize)
            let reportAgain = await queueError { try await queue.fail(failing, owner: "w1", reason: "again") }
            #expect(reportAgain?.code == .claimLost, "a finished entry cannot be reported twice")
        }
    }

    @Test("an expired lease is recovered, counted as an attempt and marked possibly delivered")
    func leaseRecovery() async throws {
        try await PostgresTesting.withQueue { queue, _ in
            let id = try await queue.enqueue(PostgresTesting.mail(number: 1))
            _ = try await queue.claim(owner: "dead", lease: .seconds(600), limit: 1)
            #expect(try await queue.recover() == 0, "the lease has not expired yet")
            // A zero-length renewal lets the lease lapse at once (no sleeping on the clock).
            try await queue.renew(id, owner: "dead", lease: .zero)
            #expect(try await queue.recover() == 1)
            let entry = try #require(try await queue.entry(id))
            #expect(entry.state == .queued && entry.attempts == 1 && entry.possiblyDelivered)
            #expect(entry.lastError?.contains("dead") == true)
            let late = await queueError { try await queue.complete(id, owner: "dead", keep: false) }
            #expect(late?.code == .claimLost, "the dead worker's late report changes nothing")
            let reclaimed = try await queue.claim(owner: "alive", lease: .seconds(30), limit: 1)
            #expect(reclaimed.map(\.attempts) == [1])
        }
    }

    @Test("an idempotency key makes a repeated enqueue return the first entry")
    func idempotency() async throws {
        try await PostgresTesting.withQueue { queue, _ in
            let first = try await queue.enqueue(PostgresTesting.mail(number: 1), idempotencyKey: "order-17")
            let again = try await queue.enqueue(PostgresTesting.mail(number: 1), idempotencyKey: "order-17")
            let other = try await queue.enqueue(PostgresTesting.mail(number: 2), idempotencyKey: "order-18")
            #expect(first == again && first != other)
            #expect(try await queue.status().counts[.queued] == 2)
            #expect(try await queue.entry(first)?.idempotencyKey == "order-17")
        }
    }

    @Test("enqueue on the caller's connection: a rolled-back transaction enqueues nothing, a committed one does")
    func transactionalEnqueue() async throws {
        try await PostgresTesting.withQueue { queue, client in
            let logger = Logger(label: "test")
            try await client.query("CREATE TABLE \(unescaped: queue.table)_orders (id int PRIMARY KEY)", logger: logger)
            struct Rollback: Error {}
            // postgres-nio reports the closure's error inside a PostgresTransactionError.
            await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query(
                        "INSERT INTO \(unescaped: queue.table)_orders VALUES (1)", logger: logger)
                    _ = try await queue.enqueue(PostgresTesting.mail(number: 1), on: connection)
                    throw Rollback()
                }
            }
            #expect(try await queue.status().counts[.queued] == 0, "rolled back with the order")
            let id = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("INSERT INTO \(unescaped: queue.table)_orders VALUES (2)", logger: logger)
                return try await queue.enqueue(PostgresTesting.mail(number: 2), on: connection)
            }
            #expect(try await queue.entry(id)?.state == .queued)
            let orders = try await client.query("SELECT id FROM \(unescaped: queue.table)_orders", logger: logger)
            var ids: [Int32] = []
            for try await order in orders.decode(Int32.self) { ids.append(order) }
            #expect(ids == [2])
        }
    }

    @Test("concurrent claimers never share an entry (FOR UPDATE SKIP LOCKED)")
    func concurrentClaims() async throws {
        try await PostgresTesting.withQueue { queue, client in
            let count = 400
            try await client.withConnection { connection in
                for number in 0..<count {
                    _ = try await queue.enqueue(PostgresTesting.mail(number: number), on: connection)
                }
            }
            let claimed = try await withThrowingTaskGroup(of: [MailQueueEntryID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [MailQueueEntryID] = []
                        while true {
                            let batch = try await queue.claim(owner: "w\(worker)", lease: .seconds(60), limit: 7)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [[MailQueueEntryID]]()) { $0.append($1) }
            }
            let all = claimed.flatMap { $0 }
            #expect(all.count == count && Set(all).count == count, "every entry claimed exactly once")
        }
    }

    @Test("NOTIFY wakes an idle worker long before its poll interval")
    func notifyWakesIdleWorker() async throws {
        try await PostgresTesting.withQueue(listening: true) { queue, _ in
            try await SMTPTestServer.withRunning { server in
                let client = SMTPClient(configuration: Self.clientConfiguration(port: server.port))
                var configuration = MailQueueWorker.Configuration(owner: "idle")
                configuration.pollInterval = .seconds(600)
                let worker = MailQueueWorker(queue: queue, client: client, configuration: configuration)
                let delivered = Locked(0)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await client.run() }
                    group.addTask { try await worker.run(until: .cancelled) { _ in delivered.withLock { $0 += 1 } } }
                    try await Task.sleep(for: .milliseconds(500))  // The worker found nothing and waits.
                    _ = try await queue.enqueue(PostgresTesting.mail(number: 1))
                    let deadline = ContinuousClock.now + .seconds(60)
                    while delivered.current == 0, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    group.cancelAll()
                }
                #expect(delivered.current == 1, "delivered without waiting for the 600 s poll")
                #expect(server.receivedMessageCount == 1)
            }
        }
    }

    @Test("a connection lost after the final dot is recorded as possibly delivered")
    func possiblyDelivered() async throws {
        try await PostgresTesting.withQueue { queue, _ in
            let drops = Locked(0)
            // The first message data is accepted, then the connection drops before the reply.
            let responder: SMTPTestServer.Responder = { command, _ in
                guard case .endOfData = command else { return nil }
                return drops.withLock { count in
                    count += 1
                    return count == 1 ? .acceptThenDisconnect : nil
                }
            }
            try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
                var smtp = Self.clientConfiguration(port: server.port)
                smtp.retryPolicy = .none
                let client = SMTPClient(configuration: smtp)
                var configuration = MailQueueWorker.Configuration(owner: "w1")
                configuration.retryBackoff = .zero
                let worker = MailQueueWorker(queue: queue, client: client, configuration: configuration)
                let id = try await queue.enqueue(PostgresTesting.mail(number: 1))
                let outcomes = Locked([MailQueueWorker.Outcome]())
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await client.run() }
                    try await worker.run(until: .drained) { outcome in outcomes.withLock { $0.append(outcome) } }
                    client.beginGracefulShutdown()
                    try await group.waitForAll()
                }
                let reasons = outcomes.current.compactMap { outcome -> String? in
                    if case .deferred(_, let reason, _) = outcome { reason } else { nil }
                }
                #expect(reasons.count == 1 && reasons[0].contains("may have accepted"), "\(reasons)")
                #expect(server.receivedMessageCount == 2, "the documented duplicate")
                #expect(try await queue.entry(id) == nil, "delivered by the second attempt")
                _ = try await queue.enqueue(PostgresTesting.mail(number: 2))
                // The mark survives the entry's later states: kept entries show it.
                let kept = try await queue.claim(owner: "w2", lease: .seconds(30), limit: 1)
                try await queue.markPossiblyDelivered(kept[0].id, owner: "w2")
                try await queue.complete(kept[0].id, owner: "w2", keep: true)
                #expect(try await queue.entry(kept[0].id)?.possiblyDelivered == true)
            }
        }
    }

    @Test("invalid table names and URLs are refused with a clear error; the password is not echoed")
    func invalidNamesAndURLs() throws {
        #expect(PostgresMailQueue.schemaSQL(table: "Robert'); DROP TABLE students;--") == nil)
        #expect(PostgresMailQueue.schemaSQL(table: "mail.outbox")?.contains("\"mail\".\"outbox\"") == true)
        for bad in [
            "postgres://", "postgres://host/db", "postgres://u:secret@host:70000/db",
            "postgres://u:secret@host/db?sslmode=maybe", "postgres://u:secret@host/db?table=1abc",
            "postgres://u:secret@host/db?color=red",
        ] {
            #expect(throws: MailQueueError.self) { try PostgresQueueURL(bad) }
            do { _ = try PostgresQueueURL(bad) } catch { #expect(!error.description.contains("secret"), "\(error)") }
        }
        let url = try PostgresQueueURL(
            "postgresql://app%40x:p%2Fw@db.example:6543/mail?sslmode=require&table=mail.outbox")
        #expect(url.configuration.username == "app@x" && url.configuration.password == "p/w")
        #expect(url.configuration.host == "db.example" && url.configuration.port == 6543)
        #expect(url.configuration.database == "mail" && url.table == "mail.outbox")
    }

    static func clientConfiguration(port: Int) -> SMTPClient.Configuration {
        var session = SMTPSession.Configuration(host: "127.0.0.1", port: port)
        session.tls = .none
        return SMTPClient.Configuration(session: session)
    }
}

/// Runs `body` and returns the `MailQueueError` it throws, nil if it throws nothing.
func queueError(_ body: () async throws -> Void) async -> MailQueueError? {
    do {
        try await body()
        return nil
    } catch let error as MailQueueError {
        return error
    } catch {
        return MailQueueError(.io, "unexpected error \(error)")
    }
}

@Suite("PostgreSQL queue schema file")
struct PostgresSchemaFileTests {
    @Test("docs/postgres-queue.sql is what migrate() runs for the default table")
    func schemaFileMatches() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("docs/postgres-queue.sql"), encoding: .utf8)
        func normalised(_ sql: String) -> [String] {
            sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("--") }
        }
        #expect(normalised(file) == normalised(try #require(PostgresMailQueue.schemaSQL())))
    }
}
