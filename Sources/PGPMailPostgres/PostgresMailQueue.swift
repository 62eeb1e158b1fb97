import Foundation
import Logging
import Metrics
import NIOCore
import PGPMail
import PostgresNIO
import Tracing

/// A ``PGPMail/MailQueue`` in a PostgreSQL table, drained by any number of workers on any number of machines.
///
/// Every transition is one SQL statement, so the database's row locks and transactions do the work that renames
/// do in ``PGPMail/DirectoryMailQueue``:
///
/// - ``claim(owner:lease:limit:)`` takes due rows with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers
///   never wait for one another and never take the same row, and stamps them with the owner and a lease expiry
///   computed by the database's clock (workers' clocks may differ).
/// - ``complete(_:owner:keep:)``, ``fail(_:owner:reason:)``, ``retryLater(_:owner:reason:notBefore:)`` and
///   ``renew(_:owner:lease:)`` change a row only while it is claimed by the caller; otherwise they throw
///   ``PGPMail/MailQueueError/Code/claimLost`` and change nothing.
/// - ``recover()`` returns rows whose lease expired to the queue, counts the lost attempt and marks them
///   *possibly delivered*: their worker may have died between the server's `250` and its report.
/// - ``enqueue(_:idempotencyKey:on:)`` runs on the caller's connection, inside the caller's transaction: the
///   message is queued if and only if the application's own changes commit (the transactional outbox). The
///   `NOTIFY` that wakes idle workers is part of the same transaction.
///
/// Run the queue as a ServiceLifecycle `Service` (``run()``) to have idle workers woken by `LISTEN`/`NOTIFY`
/// instead of polling. Create the table with ``migrate(logger:)`` or with the SQL of ``schemaSQL(table:)``.
///
/// The queue records `pgpmail_queue_enqueued_total`, `pgpmail_queue_claimed_total` and
/// `pgpmail_queue_claim_duration`, and `pgpmail.queue.enqueue` and `pgpmail.queue.claim` spans (no-ops unless
/// the application bootstraps a backend).
public final class PostgresMailQueue: MailQueue {
    /// The client the queue's statements run on; the application runs it (`PostgresClient.run()`).
    public let client: PostgresClient
    /// The table, possibly schema-qualified (`mail.outbox`).
    public let table: String
    /// The `NOTIFY` channel: the table name with `.` replaced by `_`.
    public let channel: String
    /// Largest stored failure reason, in bytes; longer reasons are cut at a character boundary.
    public static let maximumReasonSize = 65_536

    let logger: Logger
    let wakeUps = WakeUpSignal()
    let metrics = QueueMetrics()
    /// The table name quoted for SQL (`"mail"."outbox"`).
    let quotedTable: String

    /// Opens the queue in `table` of the database `client` connects to.
    ///
    /// - Parameters:
    ///   - client: A `PostgresClient` the application runs.
    ///   - table: A table name, optionally schema-qualified: lowercase letters, digits and `_`, not starting with
    ///     a digit, at most 63 characters per part.
    ///   - logger: Where the queue logs (listener reconnections, recovered leases); nothing by default.
    /// - Throws: ``PGPMail/MailQueueError/Code/invalidQueue`` for an unusable table name.
    public init(
        client: PostgresClient, table: String = "pgpmail_queue",
        logger: Logger = Logger(label: "pgpmail.queue", factory: { _ in SwiftLogNoOpLogHandler() })
    )
        throws(MailQueueError)
    {
        guard let quoted = Self.quotedIdentifier(table) else {
            throw MailQueueError(
                .invalidQueue,
                "\(table) is not a usable table name (lowercase letters, digits and _, optionally schema.table)")
        }
        self.client = client
        self.table = table
        self.quotedTable = quoted
        self.channel = table.replacingOccurrences(of: ".", with: "_")
        self.logger = logger
    }

    /// `"schema"."table"` for a valid name, nil otherwise.
    static func quotedIdentifier(_ name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        for part in parts {
            guard let first = part.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
                (1...63).contains(part.utf8.count),
                part.utf8.allSatisfy({
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
                })
            else { return nil }
        }
        return parts.map { "\"\($0)\"" }.joined(separator: ".")
    }

    // MARK: MailQueue

    /// Stores `mail` and returns its ID, on a connection of its own (committed when this returns).
    public func enqueue(_ mail: QueuedMail) async throws -> MailQueueEntryID {
        try await self.enqueue(mail, idempotencyKey: nil)
    }

    /// Stores `mail` unless an entry with `idempotencyKey` exists, and returns the ID of the stored or the
    /// existing entry: an enqueue retried after a lost reply or a crash does not queue the message twice.
    public func enqueue(_ mail: QueuedMail, idempotencyKey: String?) async throws -> MailQueueEntryID {
        try await self.database("enqueue") {
            try await self.client.withConnection { connection in
                try await self.insert(mail, idempotencyKey: idempotencyKey, on: connection)
            }
        }
    }

    /// Stores `mail` on `connection`, inside the transaction the caller has open there: the entry exists, and idle
    /// workers are woken, only if that transaction commits. Returns the ID of the new entry, or of the existing
    /// entry with `idempotencyKey`.
    ///
    /// ```swift
    /// try await postgres.withTransaction(logger: logger) { connection in
    ///     try await connection.query("INSERT INTO orders …", logger: logger)
    ///     _ = try await queue.enqueue(mail, idempotencyKey: "order-\(id)", on: connection)
    /// }
    /// ```
    public func enqueue(
        _ mail: QueuedMail, idempotencyKey: String? = nil, on connection: PostgresConnection
    )
        async throws -> MailQueueEntryID
    {
        try await self.database("enqueue") {
            try await self.insert(mail, idempotencyKey: idempotencyKey, on: connection)
        }
    }

    /// Claims up to `limit` due entries, oldest first, for `owner` until the database's now + `lease`.
    ///
    /// An entry whose stored bytes do not decode is moved to failed with the decoding error as its reason and is
    /// not returned.
    public func claim(owner: String, lease: Duration, limit: Int) async throws -> [MailQueueClaim] {
        guard limit > 0 else { return [] }
        return try await self.database("claim") {
            try await withSpan("pgpmail.queue.claim", ofKind: .consumer) { span in
                let started = ContinuousClock.now
                let rows = try await self.claimRows(owner: owner, lease: lease, limit: limit)
                var claims: [MailQueueClaim] = []
                for row in rows {
                    do throws(MailQueueError) {
                        let mail = try QueueEntryFormat.decode(row.entry, path: "\(self.table) entry \(row.id)")
                        claims.append(
                            MailQueueClaim(
                                id: row.id, mail: mail, attempts: row.attempts, enqueuedAt: row.enqueuedAt,
                                owner: owner, leaseExpiry: row.leaseExpiry))
                    } catch {
                        try await self.fail(row.id, owner: owner, reason: error.description)
                    }
                }
                span.attributes["pgpmail.queue.claimed"] = claims.count
                self.metrics.claimed.increment(by: claims.count)
                self.metrics.claimDuration.record(duration: ContinuousClock.now - started)
                return claims
            }
        }
    }

    /// Extends the lease of a claim still held by `owner` to the database's now + `lease`.
    public func renew(_ id: MailQueueEntryID, owner: String, lease: Duration) async throws {
        let milliseconds = lease.clampedMilliseconds
        try await self.updateClaimed(
            id, owner: owner, operation: "renew",
            set: "lease_expiry = now() + \(milliseconds)::float8 * interval '1 millisecond'")
    }

    /// Deletes the delivered entry, or with `keep` moves it to sent.
    public func complete(_ id: MailQueueEntryID, owner: String, keep: Bool) async throws {
        guard keep else {
            let deleted = try await self.database("complete") {
                try await self.client.query(
                    """
                    DELETE FROM \(unescaped: self.quotedTable)
                    WHERE id = \(id.rawValue) AND state = 'claimed' AND owner = \(owner) RETURNING id
                    """,
                    logger: self.logger
                ).collect().count
            }
            guard deleted == 1 else { throw Self.claimLost(id, owner: owner) }
            return
        }
        try await self.updateClaimed(
            id, owner: owner, operation: "complete",
            set: """
                state = 'sent', attempts = attempts + 1, owner = NULL, lease_expiry = NULL, finished_at = now()
                """)
    }

    /// Moves the entry to failed with `reason` (the server's reply) stored with it.
    public func fail(_ id: MailQueueEntryID, owner: String, reason: String) async throws {
        let reason = Self.truncated(reason)
        try await self.updateClaimed(
            id, owner: owner, operation: "fail",
            set: """
                state = 'failed', attempts = attempts + 1, owner = NULL, lease_expiry = NULL, finished_at = now(),
                last_error = \(reason)
                """)
    }

    /// Returns the entry to queued, due at `notBefore`, with one attempt more and `reason` as its last error.
    public func retryLater(_ id: MailQueueEntryID, owner: String, reason: String, notBefore: Date) async throws {
        let reason = Self.truncated(reason)
        try await self.updateClaimed(
            id, owner: owner, operation: "retryLater",
            set: """
                state = 'queued', attempts = attempts + 1, owner = NULL, lease_expiry = NULL,
                not_before = \(notBefore), last_error = \(reason)
                """)
    }

    /// Marks a claimed entry as possibly delivered (the mark stays with it in every later state).
    public func markPossiblyDelivered(_ id: MailQueueEntryID, owner: String) async throws {
        try await self.updateClaimed(
            id, owner: owner, operation: "markPossiblyDelivered", set: "possibly_delivered = true")
    }

    /// Returns entries whose lease expired to queued (due now), counting the lost attempt, and marks them
    /// possibly delivered; returns how many.
    public func recover() async throws -> Int {
        let recovered = try await self.database("recover") {
            try await self.client.query(
                """
                UPDATE \(unescaped: self.quotedTable)
                SET state = 'queued', attempts = attempts + 1, not_before = now(), possibly_delivered = true,
                    last_error = 'the lease of ' || owner || ' expired before it reported the delivery',
                    owner = NULL, lease_expiry = NULL
                WHERE state = 'claimed' AND lease_expiry < now()
                RETURNING id
                """,
                logger: self.logger
            ).collect().count
        }
        if recovered > 0 {
            self.logger.notice("recovered entries whose lease expired", metadata: ["count": "\(recovered)"])
        }
        return recovered
    }

    /// Counts the entries in each state, with the oldest pending entry and the next due time.
    public func status() async throws -> MailQueueStatus {
        try await self.database("status") {
            let rows = try await self.client.query(
                """
                SELECT state, count(*)::bigint, min(enqueued_at), min(not_before)
                FROM \(unescaped: self.quotedTable) GROUP BY state
                """,
                logger: self.logger)
            var counts = Dictionary(uniqueKeysWithValues: MailQueueEntryState.allCases.map { ($0, 0) })
            var oldest: Date?
            var next: Date?
            for try await (name, count, enqueued, notBefore) in rows.decode((String, Int64, Date?, Date?).self) {
                guard let state = MailQueueEntryState(rawValue: name) else { continue }
                counts[state] = Int(clamping: count)
                if state == .queued || state == .claimed, let enqueued {
                    oldest = min(oldest ?? enqueued, enqueued)
                }
                if state == .queued {
                    next = notBefore
                }
            }
            return MailQueueStatus(counts: counts, oldestQueued: oldest, nextAttempt: next)
        }
    }

    /// Returns at once if a `NOTIFY` arrived after `since`, else when one arrives or after `timeout`. Without
    /// ``run()`` running, no notification arrives and this sleeps for `timeout`.
    public func waitForWork(since: ContinuousClock.Instant, timeout: Duration) async throws {
        try await self.wakeUps.wait(since: since, timeout: timeout)
    }

    // MARK: Statements

    private func insert(
        _ mail: QueuedMail, idempotencyKey: String?, on connection: PostgresConnection
    )
        async throws -> MailQueueEntryID
    {
        try await withSpan("pgpmail.queue.enqueue", ofKind: .producer) { span in
            let id = MailQueueEntryID.generate()
            var entry = ByteBuffer()
            for part in QueueEntryFormat.encode(mail) {
                entry.writeBytes(part)
            }
            let recipients = mail.envelope.recipients.count
            let rows = try await connection.query(
                """
                INSERT INTO \(unescaped: self.quotedTable) (id, idempotency_key, entry, sender, recipient_count)
                VALUES (\(id.rawValue), \(idempotencyKey), \(entry), \(mail.envelope.reversePath), \(recipients))
                ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
                """,
                logger: self.logger
            ).collect()
            span.attributes["pgpmail.queue.entry_id"] = id.rawValue
            guard rows.isEmpty, let idempotencyKey else {
                try await connection.query("SELECT pg_notify(\(self.channel), '')", logger: self.logger)
                self.metrics.enqueued.increment()
                return id
            }
            // Enqueued before: return the existing entry.
            let existing = try await connection.query(
                "SELECT id FROM \(unescaped: self.quotedTable) WHERE idempotency_key = \(idempotencyKey)",
                logger: self.logger)
            for try await existingID in existing.decode(String.self) {
                if let entryID = MailQueueEntryID(rawValue: existingID) {
                    span.attributes["pgpmail.queue.entry_id"] = entryID.rawValue
                    span.attributes["pgpmail.queue.duplicate"] = true
                    return entryID
                }
            }
            throw MailQueueError(
                .database, "the entry with idempotency key \(idempotencyKey) vanished while enqueueing")
        }
    }

    struct ClaimedRow {
        var id: MailQueueEntryID
        var entry: [UInt8]
        var attempts: Int
        var enqueuedAt: Date
        var leaseExpiry: Date
    }

    private func claimRows(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedRow] {
        let milliseconds = lease.clampedMilliseconds
        let rows = try await self.client.query(
            """
            WITH due AS (
                SELECT id FROM \(unescaped: self.quotedTable)
                WHERE state = 'queued' AND not_before <= now()
                ORDER BY id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE \(unescaped: self.quotedTable) AS entry
            SET state = 'claimed', owner = \(owner),
                lease_expiry = now() + \(milliseconds)::float8 * interval '1 millisecond'
            FROM due WHERE entry.id = due.id
            RETURNING entry.id, entry.entry, entry.attempts, entry.enqueued_at, entry.lease_expiry
            """,
            logger: self.logger)
        var claimed: [ClaimedRow] = []
        for try await (id, entry, attempts, enqueuedAt, leaseExpiry) in rows.decode(
            (String, ByteBuffer, Int32, Date, Date).self)
        {
            guard let entryID = MailQueueEntryID(rawValue: id) else {
                throw MailQueueError(.corruptEntry, "\(self.table) holds an entry with the invalid ID \(id)")
            }
            claimed.append(
                ClaimedRow(
                    id: entryID, entry: Array(entry.readableBytesView), attempts: Int(attempts),
                    enqueuedAt: enqueuedAt, leaseExpiry: leaseExpiry))
        }
        return claimed.sorted { $0.id < $1.id }
    }

    /// Runs `UPDATE … SET <set> WHERE id AND claimed by owner`; `.claimLost` if no row matched.
    private func updateClaimed(
        _ id: MailQueueEntryID, owner: String, operation: String, set: PostgresQuery
    ) async throws {
        var query = set
        query.sql =
            "UPDATE \(self.quotedTable) SET \(set.sql) WHERE id = $\(set.binds.count + 1)"
            + " AND state = 'claimed' AND owner = $\(set.binds.count + 2) RETURNING id"
        query.binds.append(id.rawValue)
        query.binds.append(owner)
        let updated = try await self.database(operation) {
            try await self.client.query(query, logger: self.logger).collect().count
        }
        guard updated == 1 else { throw Self.claimLost(id, owner: owner) }
    }

    // MARK: Helpers

    /// Runs `body`, turning driver errors into ``PGPMail/MailQueueError/Code/database``.
    func database<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as MailQueueError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as PSQLError {
            let detail = error.serverInfo?[.message].map { ": \($0)" } ?? ""
            throw MailQueueError(
                .database, "\(operation) on \(self.table) failed (\(error.code))\(detail)", underlyingError: error)
        } catch {
            throw MailQueueError(.database, "\(operation) on \(self.table) failed: \(error)", underlyingError: error)
        }
    }

    static func claimLost(_ id: MailQueueEntryID, owner: String) -> MailQueueError {
        MailQueueError(
            .claimLost,
            "entry \(id) is not claimed by \(owner) (its lease expired and it was recovered, or it was reported already)"
        )
    }

    /// `reason` cut to ``maximumReasonSize`` bytes, with NUL (which PostgreSQL's text refuses) replaced by U+FFFD.
    static func truncated(_ reason: String) -> String {
        let reason = reason.contains("\0") ? reason.replacingOccurrences(of: "\0", with: "\u{FFFD}") : reason
        return String(decoding: QueueReason.utf8Prefix(reason, maximumBytes: Self.maximumReasonSize), as: UTF8.self)
    }
}

/// The queue's metrics.
struct QueueMetrics: Sendable {
    let enqueued = Counter(label: "pgpmail_queue_enqueued_total", dimensions: [("queue", "postgres")])
    let claimed = Counter(label: "pgpmail_queue_claimed_total", dimensions: [("queue", "postgres")])
    let claimDuration = Metrics.Timer(label: "pgpmail_queue_claim_duration", dimensions: [("queue", "postgres")])
}
