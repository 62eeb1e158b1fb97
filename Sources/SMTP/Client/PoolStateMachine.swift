import NIOCore

/// The connection pool of ``SMTPClient`` as a pure state machine: no I/O, no clocks, no
/// tasks. The client feeds it events (a send wants a connection, a connection opened or
/// failed, a send finished, time passed) and carries out the actions it returns (lease a
/// connection to a waiting send, open or close a connection, send a keep-alive `NOOP`,
/// wait before the next connection attempt).
///
/// Rules:
/// - A send gets an idle connection at once (the most recently used, so that surplus
///   connections age out), otherwise it waits in FIFO order; a connection is opened for each
///   waiting send not already covered by one being opened, up to `maximumConnections`
///   (connections still closing count, so a replacement opens once its predecessor closed).
/// - A connection that failed to open starts a back-off: no connection is opened until it
///   ends, each consecutive failure doubling it up to a cap. If no other connection is open or
///   opening, every waiting send fails with the error (each one's retry policy decides what
///   next), so an unreachable server never holds sends behind a growing back-off.
/// - A connection is closed after `maximumMessagesPerConnection` messages, when its last send
///   left it unusable, after `idleTimeout` without use, or at shutdown; idle connections get a
///   `NOOP` every `keepAliveInterval`.
/// - Shutdown fails the waiting sends, closes the idle connections and every leased one when
///   its send returns it, and completes when the last connection has closed.
///
/// Times are durations since an origin of the caller's choosing (the client's start).
struct PoolStateMachine {
    typealias ConnectionID = Int
    typealias RequestID = Int

    struct Configuration: Hashable, Sendable {
        var maximumConnections: Int
        /// Messages after which a connection is closed and replaced; `nil`: no limit.
        var maximumMessagesPerConnection: Int?
        var idleTimeout: Duration
        /// `nil`: no keep-alive `NOOP`.
        var keepAliveInterval: Duration?
        /// The first back-off after a failed connection attempt; doubled per further failure.
        var connectBackoff: Duration
        var maximumConnectBackoff: Duration
    }

    enum Action {
        /// Hand the open connection to the waiting send.
        case lease(ConnectionID, to: RequestID)
        /// End the waiting send with `error`.
        case fail(RequestID, SMTPError)
        /// Open a new connection with this ID, then report `connectionOpened` or `connectionFailed`.
        case openConnection(ConnectionID)
        /// Close the connection (QUIT), then report `connectionClosed`.
        case closeConnection(ConnectionID)
        /// Send `NOOP` on the idle connection, then report `keepAliveFinished`.
        case keepAlive(ConnectionID)
        /// Report `backoffEnded` after this long.
        case scheduleBackoff(Duration)
        /// The pool is shut down: every connection closed, no send waiting.
        case shutdownComplete
    }

    enum ConnectionState: Hashable {
        case opening
        case idle
        case leased
        case keepingAlive
        case closing
    }

    struct Connection: Hashable {
        var state: ConnectionState
        var messagesSent = 0
        /// When it last finished a send or a keep-alive (or opened).
        var lastUsed: Duration
        /// When it last finished a send (or opened); the idle timeout counts from here.
        var lastSend: Duration
    }

    let configuration: Configuration
    private(set) var connections: [ConnectionID: Connection] = [:]
    /// Idle connections, the most recently used last.
    private var idle: [ConnectionID] = []
    private var waiters = CircularBuffer<RequestID>()
    private var nextConnectionID = 0
    private var consecutiveFailures = 0
    private var isBackingOff = false
    private(set) var isShuttingDown = false
    private var reportedShutdown = false

    init(configuration: Configuration) {
        precondition(configuration.maximumConnections >= 1, "a pool needs at least one connection")
        self.configuration = configuration
    }

    /// Connections open or opening (not closing).
    var activeConnectionCount: Int {
        self.connections.values.count { $0.state != .closing }
    }

    /// Every connection that holds a socket, closing ones included: what the limit counts, so
    /// that a replacement opens only once the connection it replaces has closed.
    var connectionCount: Int { self.connections.count }

    var waitingCount: Int { self.waiters.count }

    // MARK: Events

    /// A send wants a connection.
    mutating func leaseRequested(_ request: RequestID, now: Duration) -> [Action] {
        guard !self.isShuttingDown else {
            return [.fail(request, SMTPError(.sessionShutDown, "the client is shutting down"))]
        }
        if let connection = self.idle.popLast() {
            self.connections[connection]?.state = .leased
            return [.lease(connection, to: request)]
        }
        self.waiters.append(request)
        return self.openConnectionsForWaiters(now: now)
    }

    /// A waiting send was cancelled; nothing happens if it was already served.
    mutating func leaseCancelled(_ request: RequestID) -> [Action] {
        guard let index = self.waiters.firstIndex(of: request) else {
            return []
        }
        self.waiters.remove(at: index)
        return [.fail(request, SMTPError(.cancelled, "the send was cancelled while waiting for a connection"))]
    }

    mutating func connectionOpened(_ connection: ConnectionID, now: Duration) -> [Action] {
        guard self.connections[connection]?.state == .opening else {
            return []
        }
        self.consecutiveFailures = 0
        self.connections[connection] = Connection(state: .idle, lastUsed: now, lastSend: now)
        return self.makeAvailable(connection, now: now)
    }

    mutating func connectionFailed(_ connection: ConnectionID, error: SMTPError, now: Duration) -> [Action] {
        guard self.connections[connection]?.state == .opening else {
            return []
        }
        self.connections[connection] = nil
        self.consecutiveFailures += 1
        var actions: [Action] = []
        if self.activeConnectionCount == 0 {
            while let request = self.waiters.popFirst() {
                actions.append(.fail(request, error))
            }
        }
        if !self.isBackingOff, !self.isShuttingDown {
            self.isBackingOff = true
            actions.append(.scheduleBackoff(self.currentBackoff))
        }
        actions += self.completeShutdownIfDone()
        return actions
    }

    mutating func backoffEnded(now: Duration) -> [Action] {
        self.isBackingOff = false
        return self.openConnectionsForWaiters(now: now)
    }

    /// A send returns its connection; `reusable` is false when the connection closed or is in
    /// an unknown state.
    mutating func connectionReleased(_ connection: ConnectionID, reusable: Bool, now: Duration) -> [Action] {
        guard var entry = self.connections[connection], entry.state == .leased else {
            return []
        }
        entry.messagesSent += 1
        entry.lastUsed = now
        entry.lastSend = now
        self.connections[connection] = entry
        let exhausted = self.configuration.maximumMessagesPerConnection.map { entry.messagesSent >= $0 } ?? false
        if !reusable || exhausted || self.isShuttingDown {
            return [self.close(connection)] + self.openConnectionsForWaiters(now: now)
        }
        return self.makeAvailable(connection, now: now)
    }

    mutating func keepAliveFinished(_ connection: ConnectionID, succeeded: Bool, now: Duration) -> [Action] {
        guard self.connections[connection]?.state == .keepingAlive else {
            return []
        }
        guard succeeded, !self.isShuttingDown else {
            return [self.close(connection)] + self.openConnectionsForWaiters(now: now)
        }
        self.connections[connection]?.lastUsed = now
        return self.makeAvailable(connection, now: now)
    }

    mutating func connectionClosed(_ connection: ConnectionID, now: Duration) -> [Action] {
        guard self.connections[connection]?.state == .closing else {
            return []
        }
        self.connections[connection] = nil
        return self.openConnectionsForWaiters(now: now) + self.completeShutdownIfDone()
    }

    /// Time passed: closes connections idle for too long, sends keep-alives.
    mutating func tick(now: Duration) -> [Action] {
        var actions: [Action] = []
        for connection in self.idle {
            guard let entry = self.connections[connection] else { continue }
            if now - entry.lastSend >= self.configuration.idleTimeout {
                actions.append(self.close(connection))
            } else if let interval = self.configuration.keepAliveInterval, now - entry.lastUsed >= interval {
                self.idle.removeAll { $0 == connection }
                self.connections[connection]?.state = .keepingAlive
                actions.append(.keepAlive(connection))
            }
        }
        return actions
    }

    /// Stops the pool: fails the waiting sends and closes every connection as soon as it is
    /// not in use.
    mutating func shutdown() -> [Action] {
        guard !self.isShuttingDown else {
            return []
        }
        self.isShuttingDown = true
        var actions: [Action] = []
        while let request = self.waiters.popFirst() {
            actions.append(.fail(request, SMTPError(.sessionShutDown, "the client shut down")))
        }
        for connection in self.idle {
            actions.append(self.close(connection))
        }
        return actions + self.completeShutdownIfDone()
    }

    // MARK: Helpers

    private var currentBackoff: Duration {
        SMTPRetryPolicy(
            initialBackoff: self.configuration.connectBackoff, maximumBackoff: self.configuration.maximumConnectBackoff
        ).backoff(afterAttempt: self.consecutiveFailures)
    }

    /// An open connection is free: it serves the oldest waiting send or becomes idle.
    private mutating func makeAvailable(_ connection: ConnectionID, now: Duration) -> [Action] {
        if self.isShuttingDown {
            return [self.close(connection)]
        }
        if let request = self.waiters.popFirst() {
            self.connections[connection]?.state = .leased
            return [.lease(connection, to: request)]
        }
        self.connections[connection]?.state = .idle
        self.idle.append(connection)
        return []
    }

    private mutating func close(_ connection: ConnectionID) -> Action {
        self.idle.removeAll { $0 == connection }
        self.connections[connection]?.state = .closing
        return .closeConnection(connection)
    }

    /// Opens a connection for every waiting send that no opening connection will serve.
    private mutating func openConnectionsForWaiters(now: Duration) -> [Action] {
        guard !self.isBackingOff, !self.isShuttingDown else {
            return []
        }
        let opening = self.connections.values.count { $0.state == .opening }
        var missing = self.waiters.count - opening
        var actions: [Action] = []
        while missing > 0, self.connectionCount < self.configuration.maximumConnections {
            let id = self.nextConnectionID
            self.nextConnectionID += 1
            self.connections[id] = Connection(state: .opening, lastUsed: now, lastSend: now)
            actions.append(.openConnection(id))
            missing -= 1
        }
        return actions
    }

    private mutating func completeShutdownIfDone() -> [Action] {
        guard self.isShuttingDown, self.connections.isEmpty, !self.reportedShutdown else {
            return []
        }
        self.reportedShutdown = true
        return [.shutdownComplete]
    }
}
