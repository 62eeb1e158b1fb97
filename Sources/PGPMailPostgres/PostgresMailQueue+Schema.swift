import Logging
import PGPMail
import PostgresNIO

extension PostgresMailQueue {
    /// The SQL that creates the queue's table and indexes (idempotent: `IF NOT EXISTS` throughout), for
    /// applications that run their own migration tool. ``migrate(logger:)`` runs exactly this.
    ///
    /// Columns: `id` (the ``PGPMail/MailQueueEntryID``, ordered by enqueue time), `idempotency_key` (unique when
    /// present), `state` (`queued`, `claimed`, `sent`, `failed`), `entry` (envelope and content in the queue entry
    /// format), `sender` and `recipient_count` (for operators' queries), `attempts`, `enqueued_at`, `not_before`
    /// (due time), `owner` and `lease_expiry` (the claim), `last_error` (the last failure and server reply),
    /// `possibly_delivered` (an attempt may have delivered it: connection lost after the final dot, or a worker
    /// that died holding it) and `finished_at`.
    ///
    /// - Parameter table: A valid table name (see ``init(client:table:logger:)``).
    /// - Returns: The statements, or nil for an invalid table name.
    public static func schemaSQL(table: String = "pgpmail_queue") -> String? {
        guard let quoted = Self.quotedIdentifier(table) else { return nil }
        let index = table.replacingOccurrences(of: ".", with: "_")
        let schema = table.contains(".") ? String(table.split(separator: ".")[0]) : nil
        var sql = ""
        if let schema {
            sql += "CREATE SCHEMA IF NOT EXISTS \"\(schema)\";\n"
        }
        sql += """
            CREATE TABLE IF NOT EXISTS \(quoted) (
                id                 text PRIMARY KEY,
                idempotency_key    text UNIQUE,
                state              text NOT NULL DEFAULT 'queued'
                                   CHECK (state IN ('queued', 'claimed', 'sent', 'failed')),
                entry              bytea NOT NULL,
                sender             text NOT NULL,
                recipient_count    integer NOT NULL,
                attempts           integer NOT NULL DEFAULT 0,
                enqueued_at        timestamptz NOT NULL DEFAULT now(),
                not_before         timestamptz NOT NULL DEFAULT now(),
                owner              text,
                lease_expiry       timestamptz,
                last_error         text,
                possibly_delivered boolean NOT NULL DEFAULT false,
                finished_at        timestamptz
            );
            CREATE INDEX IF NOT EXISTS "\(index)_due" ON \(quoted) (id) WHERE state = 'queued';
            CREATE INDEX IF NOT EXISTS "\(index)_leases" ON \(quoted) (lease_expiry) WHERE state = 'claimed';

            """
        return sql
    }

    /// Creates the queue's table and indexes if they do not exist (``schemaSQL(table:)``), in one transaction.
    /// Safe to call at every start, from several processes at once.
    public func migrate(logger: Logger? = nil) async throws {
        let logger = logger ?? self.logger
        guard let sql = Self.schemaSQL(table: self.table) else {
            throw MailQueueError(.invalidQueue, "\(self.table) is not a usable table name")
        }
        try await self.database("migrate") {
            try await self.client.withConnection { connection in
                // Serialises concurrent migrations: CREATE … IF NOT EXISTS can still race on the catalog.
                try await connection.withTransaction(logger: logger) { connection in
                    try await connection.query(
                        "SELECT pg_advisory_xact_lock(hashtext(\(self.table)))", logger: logger)
                    for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                        try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                    }
                }
            }
        }
    }
}
