import Foundation

/// A durable queue of rendered messages for delivery by several workers (PSMTP's `Queue` / `ProcessQueue` /
/// `KeepQueue`).
///
/// An entry moves through the states of ``MailQueueEntryState``:
///
/// ```
/// enqueue ──▶ queued ──claim──▶ claimed ──complete──▶ (deleted) or sent (keep)
///               ▲                  │  ├──fail──────▶ failed (+ reason)
///               └──retryLater──────┘  │
///               └──recover (lease expired)
/// ```
///
/// A worker claims entries under a lease, delivers them and reports the outcome. If it dies or stalls past the
/// lease, ``recover()`` returns its entries to the queue and another worker delivers them; the late worker's
/// report then fails with ``MailQueueError/Code/claimLost`` and changes nothing.
///
/// ## Delivery is at least once
///
/// One duplicate cannot be avoided by any queue: when the connection is lost after the final dot of `DATA` (or
/// the last `BDAT` chunk) and before the server's reply, the server may have accepted the message, yet the
/// client cannot know it and must call ``retryLater(_:owner:reason:notBefore:)``, so the message may be
/// delivered twice (RFC 1047). The same holds when a worker crashes between the server's `250` and
/// ``complete(_:owner:keep:)``. Receivers deduplicate by `Message-ID`, which the rendered content keeps across
/// retries.
public protocol MailQueue: Sendable {
    /// Stores `mail` durably and returns its ID; after this returns, a crash loses nothing.
    func enqueue(_ mail: QueuedMail) async throws -> MailQueueEntryID

    /// Claims up to `limit` entries that are due (next-attempt time passed), oldest first, for `owner` until
    /// now + `lease`. Never hands one entry to two live claims.
    ///
    /// `owner` names one worker (for example host, process ID and a worker number); two workers must not use
    /// the same owner, because a claim is recognised by entry and owner.
    func claim(owner: String, lease: Duration, limit: Int) async throws -> [MailQueueClaim]

    /// Extends the lease of a claim still held by `owner` to now + `lease`; throws
    /// ``MailQueueError/Code/claimLost`` if another process took it over.
    func renew(_ id: MailQueueEntryID, owner: String, lease: Duration) async throws

    /// Delivered: deletes the entry, or with `keep` (KeepQueue) moves it to the sent state.
    func complete(_ id: MailQueueEntryID, owner: String, keep: Bool) async throws

    /// Permanent failure: moves to failed with `reason` (e.g. the server's reply) stored beside it.
    func fail(_ id: MailQueueEntryID, owner: String, reason: String) async throws

    /// Transient failure: back to queued, due at `notBefore`, attempts + 1, `reason` recorded as the last error.
    func retryLater(_ id: MailQueueEntryID, owner: String, reason: String, notBefore: Date) async throws

    /// Returns entries whose lease expired (their owner died or stalled) to queued; returns how many.
    func recover() async throws -> Int

    /// Counts the entries in each state, with the oldest pending entry and the next retry time.
    func status() async throws -> MailQueueStatus

    /// Records that a claimed entry may already have been delivered: an attempt lost its connection after the end
    /// of the message data, before the server's reply (``SMTP/SMTPError/mayHaveBeenDelivered``). Queues that can
    /// keep the mark show it with the entry; the default does nothing (the reason passed to
    /// ``retryLater(_:owner:reason:notBefore:)`` says it too).
    func markPossiblyDelivered(_ id: MailQueueEntryID, owner: String) async throws

    /// Returns when new entries may be due, at the latest after `timeout`: at once if the queue learnt of new work
    /// after `since`. A queue that is told of new entries (PostgreSQL's `LISTEN`) returns early; the default
    /// sleeps for `timeout`. Throws `CancellationError` when the task is cancelled.
    func waitForWork(since: ContinuousClock.Instant, timeout: Duration) async throws
}

extension MailQueue {
    /// Does nothing: the queue keeps no such mark.
    public func markPossiblyDelivered(_ id: MailQueueEntryID, owner: String) async throws {}

    /// Sleeps for `timeout`: the queue is polled.
    public func waitForWork(since: ContinuousClock.Instant, timeout: Duration) async throws {
        try await Task.sleep(for: timeout)
    }
}
