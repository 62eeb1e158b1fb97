import Foundation

/// What is stored: the fully rendered message and its envelope — the message exactly as
/// ``SMTP/SMTPClient`` sends it.
public typealias QueuedMail = SMTPOutgoingMessage

/// An entry claimed by one worker.
///
/// The worker delivers ``mail`` and then calls exactly one of ``MailQueue/complete(_:owner:keep:)``,
/// ``MailQueue/fail(_:owner:reason:)`` or ``MailQueue/retryLater(_:owner:reason:notBefore:)``, renewing the
/// lease (``MailQueue/renew(_:owner:lease:)``) if delivery may take longer than the lease.
public struct MailQueueClaim: Sendable, Hashable {
    /// The entry.
    public var id: MailQueueEntryID
    /// The envelope and content to deliver.
    public var mail: QueuedMail
    /// Delivery attempts made before this claim (0 for a new entry).
    public var attempts: Int
    /// When the entry was enqueued.
    public var enqueuedAt: Date
    /// The worker that holds the claim.
    public var owner: String
    /// When the claim lapses unless renewed; after that ``MailQueue/recover()`` may hand the entry to another
    /// worker.
    public var leaseExpiry: Date

    /// Creates a claim (queues create them; this is public for other ``MailQueue`` implementations).
    public init(
        id: MailQueueEntryID, mail: QueuedMail, attempts: Int, enqueuedAt: Date, owner: String, leaseExpiry: Date
    ) {
        self.id = id
        self.mail = mail
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.owner = owner
        self.leaseExpiry = leaseExpiry
    }
}

/// The state of a queue entry.
public enum MailQueueEntryState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for delivery (possibly not due before a retry time).
    case queued
    /// Held by a worker under a lease.
    case claimed
    /// Delivered and kept (`keep`, PSMTP's `KeepQueue`).
    case sent
    /// Failed permanently; the reason is stored beside it.
    case failed
}

/// A summary of a queue.
public struct MailQueueStatus: Sendable, Hashable {
    /// The number of entries in each state (every state is present, possibly 0).
    public var counts: [MailQueueEntryState: Int]
    /// The enqueue time of the oldest entry in queued or claimed.
    public var oldestQueued: Date?
    /// The earliest time a queued entry becomes due (in the past if one is due now); nil if none is queued.
    public var nextAttempt: Date?

    /// Creates a status.
    public init(counts: [MailQueueEntryState: Int], oldestQueued: Date?, nextAttempt: Date?) {
        self.counts = counts
        self.oldestQueued = oldestQueued
        self.nextAttempt = nextAttempt
    }
}
