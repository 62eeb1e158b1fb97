import Foundation
import Logging
import Metrics
import SMTP
import ServiceLifecycle
import Tracing

/// Drains a ``MailQueue`` through an ``SMTP/SMTPClient``: the PSMTP `ProcessQueue`.
///
/// The worker claims entries under a lease, keeping up to ``Configuration/maximumInFlight``
/// messages in the client at once, and reports each outcome to the queue:
/// - delivered: ``MailQueue/complete(_:owner:keep:)`` (kept as sent with
///   ``Configuration/keepSentMessages``, the PSMTP `KeepQueue`);
/// - a permanent failure (a `5yz` reply, a message the server can never take):
///   ``MailQueue/fail(_:owner:reason:)`` with the server's reply as the reason;
/// - a transient failure the client's own retries did not overcome: back to the queue with
///   ``MailQueue/retryLater(_:owner:reason:notBefore:)`` after a back-off that doubles per
///   attempt, or failed once ``Configuration/maximumAttempts`` is reached.
///
/// While a message is being sent its lease is renewed every third of the lease, so only a
/// worker that died or hangs loses its entries to ``MailQueue/recover()``, which the worker
/// calls when it starts and whenever it finds nothing to claim. An attempt that lost its
/// connection after the end of the data is marked with
/// ``MailQueue/markPossiblyDelivered(_:owner:)``.
///
/// The worker is a ServiceLifecycle `Service`: ``run()`` drains the queue until graceful
/// shutdown, then stops claiming, lets the messages in flight finish and reports them, so no
/// lease is left behind. It records the metrics `pgpmail_queue_outcomes_total` (dimension
/// `outcome`: sent, failed, deferred, claim_lost) and `pgpmail_queue_delivery_duration`, and a
/// `pgpmail.queue.deliver` span per message; both are no-ops unless the application
/// bootstraps a metrics or tracing backend.
public struct MailQueueWorker: Sendable, Service {
    /// How a worker drains its queue.
    public struct Configuration: Sendable {
        /// Names this worker in its claims; unique per worker (host, process, number).
        public var owner: String
        /// How long a claim lasts without renewal before another worker may take it over.
        public var lease: Duration
        /// Keep delivered messages in the sent state instead of deleting them (PSMTP `KeepQueue`).
        public var keepSentMessages: Bool
        /// Messages claimed and not yet reported, at most.
        public var maximumInFlight: Int
        /// Delivery attempts (counted by the queue, across workers and restarts) before a
        /// transiently failing message is failed for good.
        public var maximumAttempts: Int
        /// The wait before the second attempt; doubled for each further one.
        public var retryBackoff: Duration
        /// The longest wait between attempts.
        public var maximumRetryBackoff: Duration
        /// How often an idle worker looks for new or recovered entries.
        public var pollInterval: Duration

        /// A configuration with a lease of 60 s, 16 messages in flight, 10 attempts 1 minute
        /// apart at first and at most 1 hour, polling every 500 ms; the owner is this host and
        /// process plus a random suffix.
        public init(owner: String = MailQueueWorker.defaultOwner()) {
            self.owner = owner
            self.lease = .seconds(60)
            self.keepSentMessages = false
            self.maximumInFlight = 16
            self.maximumAttempts = 10
            self.retryBackoff = .seconds(60)
            self.maximumRetryBackoff = .seconds(3600)
            self.pollInterval = .milliseconds(500)
        }
    }

    /// When ``run(until:onOutcome:)`` returns.
    public enum StopCondition: Sendable, Hashable {
        /// When no entry is left queued or claimed (waiting out retry times and other
        /// workers' leases).
        case drained
        /// Never: keeps waiting for new entries until the task is cancelled.
        case cancelled
    }

    /// What happened to one claimed entry.
    public enum Outcome: Sendable {
        case sent(MailQueueEntryID)
        case failed(MailQueueEntryID, reason: String)
        case deferred(MailQueueEntryID, reason: String, until: Date)
        /// The claim was taken over by another worker while this one was sending (the lease
        /// ran out): the message may be delivered twice; the other worker's outcome counts.
        case claimLost(MailQueueEntryID)
    }

    public let queue: any MailQueue
    public let client: SMTPClient
    public let configuration: Configuration
    /// Where ``run()`` reports queue failures it rides out (nothing by default).
    public let logger: Logger
    private let metrics: WorkerMetrics

    /// Creates a worker that sends `queue`'s entries through `client` (which must be running).
    ///
    /// - Parameters:
    ///   - queue: The queue to drain.
    ///   - client: The running client that sends.
    ///   - configuration: Lease, window, retries and polling.
    ///   - logger: Where ``run()`` reports queue failures; nothing by default.
    ///   - metricsFactory: Where the worker's metrics go; the process-wide `MetricsSystem` by default.
    public init(
        queue: any MailQueue, client: SMTPClient, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "pgpmail.queue.worker", factory: { _ in SwiftLogNoOpLogHandler() }),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.queue = queue
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.metrics = WorkerMetrics(factory: metricsFactory)
    }

    /// Runs as a service: drains the queue and waits for new entries until graceful shutdown
    /// (or cancellation), then finishes and reports the messages in flight.
    ///
    /// A failing queue (a database that restarts, a table not created yet) does not stop the
    /// service: the error is logged and the worker starts again after a wait that doubles
    /// from 1 s to at most 30 s. Only a ``MailQueueError/Code/invalidQueue`` ends it.
    public func run() async throws {
        var wait = Duration.seconds(1)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await self.run(until: .cancelled)
                return
            } catch let error as MailQueueError where error.code != .invalidQueue {
                self.logger.error(
                    "the mail queue failed; the worker starts again after a wait",
                    metadata: ["error": "\(error)", "wait": "\(wait)"])
            }
            do {
                let pause = wait
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
            wait = min(wait * 2, .seconds(30))
        }
    }

    /// `host:pid:random`, unique per worker.
    public static func defaultOwner() -> String {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let suffix = String(UInt32.random(in: .min ... .max), radix: 36)
        return "\(host.isEmpty ? "host" : host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }

    /// Drains the queue; `onOutcome` is called once per claimed entry, from any task.
    ///
    /// - Throws: A ``MailQueueError`` when the queue itself fails (I/O); delivery failures
    ///   are outcomes, not errors. Cancellation stops claiming and returns once the messages
    ///   in flight are reported (cancelled sends go back to the queue).
    public func run(until stop: StopCondition, onOutcome: @escaping @Sendable (Outcome) -> Void = { _ in }) async throws
    {
        _ = try await self.queue.recover()
        let window = max(1, self.configuration.maximumInFlight)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            // Claims come in batches of at least half the window: refilling one slot at a time
            // would cost a claim (a database round trip and commit) per message.
            let refill = max(1, window / 2)
            // Graceful shutdown stops claiming; the messages in flight finish and are reported.
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if inFlight > window - refill {
                    try await group.next()
                    inFlight -= 1
                    continue
                }
                let claimStarted = ContinuousClock.now
                let claims = try await self.queue.claim(
                    owner: self.configuration.owner, lease: self.configuration.lease, limit: window - inFlight)
                for claim in claims {
                    group.addTask {
                        let outcome = try await self.deliver(claim)
                        self.metrics.record(outcome)
                        onOutcome(outcome)
                    }
                }
                inFlight += claims.count
                guard claims.isEmpty else { continue }
                if inFlight > 0 {
                    try await group.next()
                    inFlight -= 1
                    continue
                }
                if stop == .drained, try await self.isDrained() {
                    break
                }
                do {
                    try await cancelWhenGracefulShutdown {
                        try await self.queue.waitForWork(since: claimStarted, timeout: self.configuration.pollInterval)
                    }
                } catch {
                    break
                }
                _ = try await self.queue.recover()
            }
            try await group.waitForAll()
        }
    }

    /// Nothing queued and nothing claimed.
    private func isDrained() async throws -> Bool {
        let status = try await self.queue.status()
        return (status.counts[.queued] ?? 0) == 0 && (status.counts[.claimed] ?? 0) == 0
    }

    /// Sends one claimed entry, renewing its lease meanwhile, and reports the outcome.
    private func deliver(_ claim: MailQueueClaim) async throws -> Outcome {
        try await withSpan("pgpmail.queue.deliver", ofKind: .client) { span in
            span.attributes["pgpmail.queue.entry_id"] = claim.id.rawValue
            span.attributes["pgpmail.queue.attempt"] = claim.attempts + 1
            let started = ContinuousClock.now
            defer { self.metrics.deliveryDuration.record(duration: ContinuousClock.now - started) }
            let outcome = try await self.deliverInSpan(claim)
            span.attributes["pgpmail.queue.outcome"] = WorkerMetrics.name(of: outcome)
            return outcome
        }
    }

    private func deliverInSpan(_ claim: MailQueueClaim) async throws -> Outcome {
        let result = await withTaskGroup(of: Result<SMTPDeliveryResult, SMTPError>?.self) { group in
            group.addTask {
                do throws(SMTPError) {
                    return .success(try await self.client.send(envelope: claim.mail.envelope, body: claim.mail.content))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await self.renewWhileSending(claim.id)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(SMTPError(.cancelled, "the delivery was cancelled"))
        }
        do {
            let mayHaveBeenDelivered =
                switch result {
                case .success(let delivery): delivery.mayBeDuplicate
                case .failure(let error): error.mayHaveBeenDelivered
                }
            if mayHaveBeenDelivered {
                try await self.queue.markPossiblyDelivered(claim.id, owner: self.configuration.owner)
            }
            switch result {
            case .success:
                try await self.queue.complete(
                    claim.id, owner: self.configuration.owner, keep: self.configuration.keepSentMessages)
                return .sent(claim.id)
            case .failure(let error):
                let reason = Self.reason(for: error)
                let attempts = claim.attempts + 1
                let interrupted = error.code == .cancelled || error.code == .sessionShutDown
                if interrupted || (SMTPRetryPolicy.isTransient(error) && attempts < self.configuration.maximumAttempts)
                {
                    // An interrupted send (the worker is stopping) is due again at once.
                    let wait = interrupted ? .zero : self.backoff(afterAttempt: attempts)
                    let until = Date().addingTimeInterval(Self.seconds(wait))
                    try await self.queue.retryLater(
                        claim.id, owner: self.configuration.owner, reason: reason, notBefore: until)
                    return .deferred(claim.id, reason: reason, until: until)
                }
                try await self.queue.fail(claim.id, owner: self.configuration.owner, reason: reason)
                return .failed(claim.id, reason: reason)
            }
        } catch let error as MailQueueError where error.code == .claimLost {
            return .claimLost(claim.id)
        }
    }

    /// Renews the claim every third of the lease until cancelled.
    private func renewWhileSending(_ id: MailQueueEntryID) async {
        let interval = self.configuration.lease / 3
        while true {
            do {
                try await Task.sleep(for: interval)
                try await self.queue.renew(id, owner: self.configuration.owner, lease: self.configuration.lease)
            } catch {
                return
            }
        }
    }

    /// The wait after failed attempt `attempt` (counted from 1).
    func backoff(afterAttempt attempt: Int) -> Duration {
        SMTPRetryPolicy(
            initialBackoff: self.configuration.retryBackoff, maximumBackoff: self.configuration.maximumRetryBackoff
        ).backoff(afterAttempt: attempt)
    }

    /// The reason stored with a failed or deferred entry: the error and the server's reply.
    static func reason(for error: SMTPError) -> String {
        var text = "\(error.code): \(error.message)"
        if !error.refusedRecipients.isEmpty {
            text += ": " + error.refusedRecipients.map { "\($0.recipient) \($0.reply)" }.joined(separator: ", ")
        } else if let reply = error.reply {
            text += " (server replied: \(reply))"
        }
        return text
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

/// The worker's metrics: one counter per outcome and the time from claim to report.
struct WorkerMetrics: Sendable {
    let sent: Counter
    let failed: Counter
    let deferred: Counter
    let claimLost: Counter
    let deliveryDuration: Metrics.Timer

    init(factory: any MetricsFactory) {
        func outcome(_ name: String) -> Counter {
            Counter(label: "pgpmail_queue_outcomes_total", dimensions: [("outcome", name)], factory: factory)
        }
        self.sent = outcome("sent")
        self.failed = outcome("failed")
        self.deferred = outcome("deferred")
        self.claimLost = outcome("claim_lost")
        self.deliveryDuration = Metrics.Timer(label: "pgpmail_queue_delivery_duration", factory: factory)
    }

    func record(_ outcome: MailQueueWorker.Outcome) {
        switch outcome {
        case .sent: self.sent.increment()
        case .failed: self.failed.increment()
        case .deferred: self.deferred.increment()
        case .claimLost: self.claimLost.increment()
        }
    }

    static func name(of outcome: MailQueueWorker.Outcome) -> String {
        switch outcome {
        case .sent: "sent"
        case .failed: "failed"
        case .deferred: "deferred"
        case .claimLost: "claim_lost"
        }
    }
}
