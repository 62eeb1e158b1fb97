import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A pool of connections to one SMTP server that any number of tasks send through at once.
///
/// ```swift
/// let client = SMTPClient(configuration: .init(session: .init(host: "mail.example.com", port: 587)))
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await client.run() }       // or add the client to a ServiceGroup
///     for message in messages {
///         group.addTask { try await client.send(envelope: message.envelope, body: message.bytes) }
///     }
///     …
/// }
/// ```
///
/// ``run()`` owns the connections: they are opened, kept alive and closed by it, and sends
/// wait until it runs. The client is a ServiceLifecycle `Service`: on graceful shutdown it
/// stops taking new messages, lets every message already handed to it finish (retries
/// included), then quits every connection and returns. Cancelling ``run()`` stops at once:
/// waiting sends fail with ``SMTPError/Code/sessionShutDown``.
///
/// Each send leases a connection (opening one when none is idle, up to
/// ``Configuration/maximumConnections``), sends the message on it and returns it. Transient
/// failures are retried as ``Configuration/retryPolicy`` says, with exactly the same bytes.
/// The pool logic itself is a pure state machine (`PoolStateMachine`).
///
/// Progress is published as ``SMTPClientEvent``s (``events(bufferingNewest:)``), totals in
/// ``statistics``, and swift-metrics counters, a timer and a gauge (labels prefixed
/// `pgpmail_smtp_`), which cost nothing unless the application bootstraps a metrics backend.
public final class SMTPClient: Sendable {
    /// Identifies one message handed to the client, in events.
    public struct DeliveryID: Hashable, Sendable, CustomStringConvertible {
        /// Counted from 0 in the order messages were handed over.
        public let rawValue: Int
        public var description: String { "delivery-\(self.rawValue)" }
    }

    /// Identifies one connection of the pool, in events.
    public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
        /// Counted from 0 in the order connections were opened.
        public let rawValue: Int
        public var description: String { "connection-\(self.rawValue)" }
    }

    /// The client's settings.
    public let configuration: Configuration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let broadcaster = EventBroadcaster<SMTPClientEvent>()
    let metrics: SMTPClientMetrics
    let origin = ContinuousClock.now
    let state: NIOLockedValueBox<DriverState>
    private let work: AsyncStream<WorkItem>
    private let workContinuation: AsyncStream<WorkItem>.Continuation

    /// Creates a client; it opens no connection until ``run()`` runs and a message is sent.
    ///
    /// - Parameters:
    ///   - configuration: The server and pool settings.
    ///   - eventLoopGroup: Where the connections' I/O runs.
    ///   - logger: Where the client and its connections log; nowhere by default.
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = .smtpNoOp
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.metrics = SMTPClientMetrics(server: "\(configuration.session.host):\(configuration.session.port)")
        self.state = NIOLockedValueBox(DriverState(configuration: configuration))
        (self.work, self.workContinuation) = AsyncStream.makeStream(of: WorkItem.self)
    }

    deinit {
        self.workContinuation.finish()
        self.broadcaster.finish()
    }

    /// A new stream of the client's events from now on; each stream keeps at most `limit`
    /// undelivered events (dropping the oldest), so a slow reader never slows delivery down.
    /// The streams finish when ``run()`` returns.
    public func events(bufferingNewest limit: Int = 4096) -> AsyncStream<SMTPClientEvent> {
        self.broadcaster.makeStream(bufferingNewest: limit)
    }

    /// The totals so far.
    public var statistics: SMTPClientStatistics {
        self.state.withLockedValue { $0.statistics }
    }

    /// Runs the pool until graceful shutdown or cancellation (see the type's description).
    ///
    /// - Throws: ``SMTPError/Code/busy`` if it is already running or has run.
    public func run() async throws {
        let mayRun = self.state.withLockedValue { state in
            guard state.phase == .notStarted else { return false }
            state.phase = .running
            return true
        }
        guard mayRun else {
            throw SMTPError(.busy, "run() may be called once per client")
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.runTicks() }
                    for await item in self.work {
                        group.addTask { await self.perform(item) }
                    }
                    group.cancelAll()
                }
            } onCancel: {
                self.shutDownNow()
            }
        } onGracefulShutdown: {
            self.beginGracefulShutdown()
        }
        self.broadcaster.finish()
    }

    /// Stops taking new messages, lets those handed over finish, then closes the connections
    /// and lets ``run()`` return. What ServiceLifecycle's graceful shutdown does.
    public func beginGracefulShutdown() {
        let actions = self.state.withLockedValue { state -> [PoolStateMachine.Action] in
            guard state.phase == .running || state.phase == .notStarted else { return [] }
            state.phase = .draining
            return state.statistics.inFlight == 0 ? state.pool.shutdown() : []
        }
        self.execute(actions)
    }

    // MARK: Driving the pool

    enum Phase: Hashable {
        case notStarted
        case running
        /// No new messages; shutting the pool down once the last one finishes.
        case draining
        case shutDown
    }

    struct DriverState {
        var pool: PoolStateMachine
        var phase = Phase.notStarted
        var waitingSends: [PoolStateMachine.RequestID: CheckedContinuation<Result<Lease, SMTPError>, Never>] = [:]
        var sessions: [PoolStateMachine.ConnectionID: SMTPSession] = [:]
        var nextRequestID = 0
        var nextDeliveryID = 0
        var statistics = SMTPClientStatistics()
        var pacer: MessagePacer?

        init(configuration: Configuration) {
            self.pool = PoolStateMachine(configuration: configuration.poolConfiguration)
            self.pacer = configuration.rateLimit.map(MessagePacer.init)
        }
    }

    /// A connection handed to one send.
    struct Lease: Sendable {
        let connection: PoolStateMachine.ConnectionID
        let session: SMTPSession
    }

    /// Work that takes time, run as a child task of ``run()``.
    enum WorkItem: Sendable {
        case open(PoolStateMachine.ConnectionID)
        case close(PoolStateMachine.ConnectionID)
        case keepAlive(PoolStateMachine.ConnectionID)
        case backoff(Duration)
    }

    var now: Duration { ContinuousClock.now - self.origin }

    /// Carries out the pool's actions; called outside the lock.
    func execute(_ actions: [PoolStateMachine.Action]) {
        for action in actions {
            switch action {
            case .lease(let connection, let request):
                let (continuation, session) = self.state.withLockedValue { state in
                    (state.waitingSends.removeValue(forKey: request), state.sessions[connection])
                }
                if let continuation, let session {
                    continuation.resume(returning: .success(Lease(connection: connection, session: session)))
                }
            case .fail(let request, let error):
                let continuation = self.state.withLockedValue { $0.waitingSends.removeValue(forKey: request) }
                continuation?.resume(returning: .failure(error))
            case .openConnection(let connection):
                self.schedule(.open(connection))
            case .closeConnection(let connection):
                self.schedule(.close(connection))
            case .keepAlive(let connection):
                self.schedule(.keepAlive(connection))
            case .scheduleBackoff(let delay):
                self.schedule(.backoff(delay))
            case .shutdownComplete:
                self.state.withLockedValue { $0.phase = .shutDown }
                self.workContinuation.finish()
            }
        }
    }

    private func schedule(_ item: WorkItem) {
        if case .terminated = self.workContinuation.yield(item), case .close = item {
            // run() has ended (it was cancelled) while a send still held this connection: it
            // must still be closed, and nothing structured is left to do it.
            Task { await self.perform(item) }
        }
    }

    private func perform(_ item: WorkItem) async {
        switch item {
        case .open(let connection):
            await self.open(connection)
        case .close(let connection):
            let (session, messages) = self.state.withLockedValue { state in
                (state.sessions.removeValue(forKey: connection), state.pool.connections[connection]?.messagesSent ?? 0)
            }
            await session?.shutdown()
            let actions = self.state.withLockedValue { state in
                if session != nil { state.statistics.openConnections -= 1 }
                return state.pool.connectionClosed(connection, now: self.now)
            }
            if session != nil {
                self.metrics.openConnections.record(self.statistics.openConnections)
                self.broadcaster.publish(.connectionClosed(ConnectionID(rawValue: connection), messages: messages))
            }
            self.execute(actions)
        case .keepAlive(let connection):
            let session = self.state.withLockedValue { $0.sessions[connection] }
            var succeeded = false
            if let session {
                succeeded = (try? await session.noop()) != nil
            }
            self.execute(
                self.state.withLockedValue {
                    $0.pool.keepAliveFinished(connection, succeeded: succeeded, now: self.now)
                })
        case .backoff(let delay):
            try? await Task.sleep(for: delay)
            self.execute(self.state.withLockedValue { $0.pool.backoffEnded(now: self.now) })
        }
    }

    private func open(_ connection: PoolStateMachine.ConnectionID) async {
        let session = SMTPSession(
            configuration: self.configuration.connectionConfiguration, eventLoopGroup: self.eventLoopGroup,
            logger: self.logger)
        let id = ConnectionID(rawValue: connection)
        do {
            try await session.connect()
        } catch {
            await session.shutdown()
            self.logger.debug("SMTP connection failed", metadata: ["error": "\(error)"])
            self.broadcaster.publish(.connectionFailed(id, error))
            self.execute(
                self.state.withLockedValue { $0.pool.connectionFailed(connection, error: error, now: self.now) })
            return
        }
        let (actions, open) = self.state.withLockedValue { state in
            state.sessions[connection] = session
            state.statistics.connectionsOpened += 1
            state.statistics.openConnections += 1
            return (state.pool.connectionOpened(connection, now: self.now), state.statistics.openConnections)
        }
        self.metrics.openConnections.record(open)
        self.broadcaster.publish(.connectionOpened(id))
        self.execute(actions)
    }

    /// Feeds the passing of time to the pool (idle timeouts, keep-alives).
    private func runTicks() async {
        let shortest = min(self.configuration.idleTimeout, self.configuration.keepAliveInterval ?? .seconds(3600))
        let interval = min(max(shortest / 4, .milliseconds(50)), .seconds(5))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            self.execute(self.state.withLockedValue { $0.pool.tick(now: self.now) })
        }
    }

    /// Forced shutdown: fails waiting sends and closes the connections as they come back.
    private func shutDownNow() {
        let actions = self.state.withLockedValue { state -> [PoolStateMachine.Action] in
            guard state.phase != .shutDown else { return [] }
            state.phase = .draining
            return state.pool.shutdown()
        }
        self.execute(actions)
    }

    // MARK: Leases

    /// Waits for a connection of the pool.
    func lease() async throws(SMTPError) -> Lease {
        let request = self.state.withLockedValue { state in
            defer { state.nextRequestID += 1 }
            return state.nextRequestID
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Lease, SMTPError>, Never>) in
                // Registering under the lock after checking for cancellation pairs with the
                // cancellation handler, which takes the same lock: either it finds the request
                // waiting, or the request sees the cancellation here.
                let actions = self.state.withLockedValue { state -> [PoolStateMachine.Action]? in
                    guard !Task.isCancelled else { return nil }
                    state.waitingSends[request] = continuation
                    return state.pool.leaseRequested(request, now: self.now)
                }
                guard let actions else {
                    continuation.resume(returning: .failure(SMTPError(.cancelled, "the send was cancelled")))
                    return
                }
                self.execute(actions)
            }
        } onCancel: {
            self.execute(self.state.withLockedValue { $0.pool.leaseCancelled(request) })
        }
        return try result.get()
    }

    /// Returns a connection to the pool.
    func release(_ lease: Lease, reusable: Bool) {
        self.execute(
            self.state.withLockedValue {
                $0.pool.connectionReleased(lease.connection, reusable: reusable, now: self.now)
            })
    }
}

/// A ServiceLifecycle service: put the client in the application's `ServiceGroup` after the
/// services it needs and before the ones that send through it.
extension SMTPClient: Service {}
