/// Which failed deliveries ``SMTPClient`` tries again, and when.
///
/// Transient failures are retried: a `4yz` reply (including `421`), recipients refused with
/// `4yz` only, a connection that failed, closed or timed out before the final reply. A `5yz`
/// reply is never retried, nor is anything wrong with the message itself (an invalid address,
/// a line too long, a message over the server's size limit) or the configuration (TLS,
/// authentication). Attempt `n` (counted from 1) is followed by a wait of
/// `initialBackoff × 2^(n-1)`, at most ``maximumBackoff``.
///
/// One duplicate cannot be avoided: when the connection is lost after the message's final
/// `.` line and before the server's reply, the server may have delivered the message, and the
/// retry delivers it again. Not retrying would lose it whenever the server had not.
public struct SMTPRetryPolicy: Hashable, Sendable {
    /// Attempts in all, the first included; 1 turns retries off.
    public var maximumAttempts: Int
    /// The wait after the first failed attempt.
    public var initialBackoff: Duration
    /// The longest wait between attempts.
    public var maximumBackoff: Duration

    /// Creates a policy; by default 5 attempts, waiting 1 s, 2 s, 4 s, 8 s in between.
    public init(
        maximumAttempts: Int = 5, initialBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(60)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// No retries: every failure is final.
    public static let none = SMTPRetryPolicy(maximumAttempts: 1)

    /// Whether `error` is transient: the same message may succeed later.
    public static func isTransient(_ error: SMTPError) -> Bool {
        switch error.code {
        case .allRecipientsRefused, .recipientRefused:
            // Transient only if every refusal was 4yz: one 5yz refusal will not change.
            let refusals = error.refusedRecipients
            return !refusals.isEmpty && refusals.allSatisfy { (400..<500).contains($0.reply.code) }
        case .connectionFailed, .connectionClosed, .timeout, .notConnected, .proxyFailed, .tlsHandshakeFailed:
            return true
        case .cancelled, .sessionShutDown:
            return false
        default:
            return error.reply.map { (400..<500).contains($0.code) } ?? false
        }
    }

    /// The wait after failed attempt number `attempt` (counted from 1).
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        return min(self.initialBackoff * (1 << exponent), self.maximumBackoff)
    }
}

/// Spaces messages evenly to keep a rate limit shared by all connections: each message
/// reserves the next free slot, one interval/messages after the previous one.
struct MessagePacer: Sendable {
    let spacing: Duration
    private var nextSlot: Duration?

    init(_ limit: SMTPRateLimit) {
        self.spacing = limit.interval / limit.messages
    }

    /// Reserves a slot for a message that is ready at `now`; returns how long it must wait.
    mutating func reserve(now: Duration) -> Duration {
        let slot = max(now, self.nextSlot ?? now)
        self.nextSlot = slot + self.spacing
        return slot - now
    }
}
