import Foundation
import PGPMail
import PostgresNIO

extension PostgresMailQueue {
    /// What the queue knows of one entry, for tools and tests.
    public struct EntryInfo: Sendable, Hashable {
        public var id: MailQueueEntryID
        public var state: MailQueueEntryState
        /// Delivery attempts reported (or recovered) so far.
        public var attempts: Int
        /// The last failure: the error and the server's reply.
        public var lastError: String?
        /// An attempt may have delivered the message (see ``PGPMail/MailQueue/markPossiblyDelivered(_:owner:)``
        /// and ``PostgresMailQueue/recover()``).
        public var possiblyDelivered: Bool
        /// The key given to ``PostgresMailQueue/enqueue(_:idempotencyKey:)``, if any.
        public var idempotencyKey: String?
        /// The worker holding the claim.
        public var owner: String?
    }

    /// The entry `id`, nil if there is none (completed entries without `keep` are deleted).
    public func entry(_ id: MailQueueEntryID) async throws -> EntryInfo? {
        try await self.entries(where: "id = \(id.rawValue)").first
    }

    /// Every entry in `state`, oldest first; for tools and tests (reads the whole state).
    public func entries(in state: MailQueueEntryState) async throws -> [EntryInfo] {
        try await self.entries(where: "state = \(state.rawValue)")
    }

    private func entries(where condition: PostgresQuery) async throws -> [EntryInfo] {
        var query = condition
        query.sql =
            "SELECT id, state, attempts, last_error, possibly_delivered, idempotency_key, owner FROM \(self.quotedTable)"
            + " WHERE \(condition.sql) ORDER BY id"
        return try await self.database("inspect") {
            var entries: [EntryInfo] = []
            let rows = try await self.client.query(query, logger: self.logger)
            for try await (id, state, attempts, lastError, possiblyDelivered, key, owner) in rows.decode(
                (String, String, Int32, String?, Bool, String?, String?).self)
            {
                guard let entryID = MailQueueEntryID(rawValue: id),
                    let entryState = MailQueueEntryState(rawValue: state)
                else { continue }
                entries.append(
                    EntryInfo(
                        id: entryID, state: entryState, attempts: Int(attempts), lastError: lastError,
                        possiblyDelivered: possiblyDelivered, idempotencyKey: key, owner: owner))
            }
            return entries
        }
    }
}
