import Testing

@testable import SMTP

@Suite("Connection pool state machine")
struct PoolStateMachineTests {
    typealias Action = PoolStateMachine.Action

    static func configuration(
        maximumConnections: Int = 2, maximumMessagesPerConnection: Int? = nil, keepAlive: Duration? = nil
    ) -> PoolStateMachine.Configuration {
        PoolStateMachine.Configuration(
            maximumConnections: maximumConnections, maximumMessagesPerConnection: maximumMessagesPerConnection,
            idleTimeout: .seconds(60), keepAliveInterval: keepAlive, connectBackoff: .milliseconds(100),
            maximumConnectBackoff: .seconds(1))
    }

    /// A compact, comparable spelling of an action.
    static func describe(_ actions: [Action]) -> [String] {
        actions.map { action in
            switch action {
            case .lease(let connection, let request): "lease c\(connection) r\(request)"
            case .fail(let request, let error): "fail r\(request) \(error.code)"
            case .openConnection(let connection): "open c\(connection)"
            case .closeConnection(let connection): "close c\(connection)"
            case .keepAlive(let connection): "noop c\(connection)"
            case .scheduleBackoff(let delay): "backoff \(delay)"
            case .shutdownComplete: "shut down"
            }
        }
    }

    @Test("a send opens a connection and gets it once it is open; the next send reuses it")
    func openThenReuse() {
        var pool = PoolStateMachine(configuration: Self.configuration())
        #expect(Self.describe(pool.leaseRequested(0, now: .zero)) == ["open c0"])
        #expect(Self.describe(pool.connectionOpened(0, now: .zero)) == ["lease c0 r0"])
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .seconds(1))).isEmpty)
        #expect(Self.describe(pool.leaseRequested(1, now: .seconds(1))) == ["lease c0 r1"])
        #expect(pool.activeConnectionCount == 1)
    }

    @Test("no more connections than the maximum; waiting sends are served in order as connections return")
    func maximumConnections() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumConnections: 2))
        var opened: [String] = []
        for request in 0..<5 {
            opened += Self.describe(pool.leaseRequested(request, now: .zero))
        }
        #expect(opened == ["open c0", "open c1"])
        #expect(Self.describe(pool.connectionOpened(1, now: .zero)) == ["lease c1 r0"])
        #expect(Self.describe(pool.connectionOpened(0, now: .zero)) == ["lease c0 r1"])
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .zero)) == ["lease c0 r2"])
        #expect(Self.describe(pool.connectionReleased(1, reusable: true, now: .zero)) == ["lease c1 r3"])
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .zero)) == ["lease c0 r4"])
        #expect(pool.waitingCount == 0)
    }

    @Test("an unusable connection is closed and replaced for the next waiting send")
    func unusableConnectionReplaced() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumConnections: 1))
        _ = pool.leaseRequested(0, now: .zero)
        _ = pool.connectionOpened(0, now: .zero)
        #expect(pool.leaseRequested(1, now: .zero).isEmpty)
        // The replacement opens only once c0 has closed: the limit counts closing connections.
        #expect(Self.describe(pool.connectionReleased(0, reusable: false, now: .zero)) == ["close c0"])
        #expect(Self.describe(pool.connectionClosed(0, now: .zero)) == ["open c1"])
        #expect(Self.describe(pool.connectionOpened(1, now: .zero)) == ["lease c1 r1"])
    }

    @Test("a connection is replaced after its maximum number of messages")
    func maximumMessagesPerConnection() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumMessagesPerConnection: 2))
        _ = pool.leaseRequested(0, now: .zero)
        _ = pool.connectionOpened(0, now: .zero)
        #expect(pool.connectionReleased(0, reusable: true, now: .zero).isEmpty)
        #expect(Self.describe(pool.leaseRequested(1, now: .zero)) == ["lease c0 r1"])
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .zero)) == ["close c0"])
        #expect(Self.describe(pool.leaseRequested(2, now: .zero)) == ["open c1"])
    }

    @Test(
        "failed connection attempts back off exponentially up to the cap, and fail the waiting sends only when nothing else can serve them"
    )
    func backoff() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumConnections: 2))
        let refused = SMTPError(.connectionFailed, "refused")
        #expect(Self.describe(pool.leaseRequested(0, now: .zero)) == ["open c0"])
        #expect(Self.describe(pool.leaseRequested(1, now: .zero)) == ["open c1"])
        // c1 fails while c0 is still opening: nobody fails yet, a back-off starts.
        #expect(Self.describe(pool.connectionFailed(1, error: refused, now: .zero)) == ["backoff 0.1 seconds"])
        // c0 fails too: nothing can serve the waiting sends now, so they fail (and retry as their
        // policy says); the back-off is already running.
        #expect(
            Self.describe(pool.connectionFailed(0, error: refused, now: .zero)) == [
                "fail r0 connectionFailed", "fail r1 connectionFailed",
            ])
        // No waiting send: nothing is opened after the back-off.
        #expect(pool.backoffEnded(now: .seconds(1)).isEmpty)
        _ = pool.leaseRequested(2, now: .seconds(1))
        #expect(
            Self.describe(pool.connectionFailed(2, error: refused, now: .seconds(1))) == [
                "fail r2 connectionFailed", "backoff 0.4 seconds",
            ])
        _ = pool.backoffEnded(now: .seconds(2))
        var delays: [String] = []
        for attempt in 0..<4 {
            _ = pool.leaseRequested(10 + attempt, now: .seconds(3))
            _ = pool.backoffEnded(now: .seconds(3))
            let actions = Self.describe(pool.connectionFailed(3 + attempt, error: refused, now: .seconds(3)))
            #expect(actions.first == "fail r\(10 + attempt) connectionFailed")
            delays += actions.filter { $0.hasPrefix("backoff") }
        }
        #expect(delays == ["backoff 0.8 seconds", "backoff 1.0 seconds", "backoff 1.0 seconds", "backoff 1.0 seconds"])
        // A success resets the back-off.
        _ = pool.leaseRequested(20, now: .seconds(5))
        #expect(Self.describe(pool.backoffEnded(now: .seconds(5))) == ["open c7"])
        #expect(Self.describe(pool.connectionOpened(7, now: .seconds(5))) == ["lease c7 r20"])
        #expect(Self.describe(pool.leaseRequested(21, now: .seconds(5))) == ["open c8"])
        #expect(Self.describe(pool.connectionFailed(8, error: refused, now: .seconds(5))) == ["backoff 0.1 seconds"])
    }

    @Test("idle connections are closed after the idle timeout and kept alive with NOOP before")
    func idleTimeoutAndKeepAlive() {
        var pool = PoolStateMachine(configuration: Self.configuration(keepAlive: .seconds(20)))
        _ = pool.leaseRequested(0, now: .zero)
        _ = pool.connectionOpened(0, now: .zero)
        _ = pool.connectionReleased(0, reusable: true, now: .zero)
        #expect(pool.tick(now: .seconds(10)).isEmpty)
        #expect(Self.describe(pool.tick(now: .seconds(21))) == ["noop c0"])
        // A send while the NOOP is out opens another connection (the NOOP may fail), and takes
        // whichever is ready first.
        #expect(Self.describe(pool.leaseRequested(1, now: .seconds(21))) == ["open c1"])
        #expect(Self.describe(pool.keepAliveFinished(0, succeeded: true, now: .seconds(21))) == ["lease c0 r1"])
        _ = pool.connectionReleased(0, reusable: true, now: .seconds(22))
        _ = pool.connectionOpened(1, now: .seconds(22))
        #expect(Self.describe(pool.tick(now: .seconds(83))).sorted() == ["close c0", "close c1"])
        #expect(pool.connectionClosed(0, now: .zero).isEmpty)
        #expect(pool.connectionClosed(1, now: .zero).isEmpty)
        #expect(pool.activeConnectionCount == 0)
    }

    @Test("a failed keep-alive closes the connection")
    func failedKeepAlive() {
        var pool = PoolStateMachine(configuration: Self.configuration(keepAlive: .seconds(5)))
        _ = pool.leaseRequested(0, now: .zero)
        _ = pool.connectionOpened(0, now: .zero)
        _ = pool.connectionReleased(0, reusable: true, now: .zero)
        #expect(Self.describe(pool.tick(now: .seconds(6))) == ["noop c0"])
        #expect(Self.describe(pool.keepAliveFinished(0, succeeded: false, now: .seconds(6))) == ["close c0"])
    }

    @Test("a cancelled waiting send fails and is not served later")
    func cancellation() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumConnections: 1))
        _ = pool.leaseRequested(0, now: .zero)
        _ = pool.connectionOpened(0, now: .zero)
        _ = pool.leaseRequested(1, now: .zero)
        _ = pool.leaseRequested(2, now: .zero)
        #expect(Self.describe(pool.leaseCancelled(1)) == ["fail r1 cancelled"])
        #expect(pool.leaseCancelled(1).isEmpty)
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .zero)) == ["lease c0 r2"])
    }

    @Test("shutdown fails waiting sends, closes idle connections at once and leased ones on return, then completes")
    func shutdown() {
        var pool = PoolStateMachine(configuration: Self.configuration(maximumConnections: 3))
        for request in 0..<3 {
            _ = pool.leaseRequested(request, now: .zero)
        }
        _ = pool.connectionOpened(0, now: .zero)
        _ = pool.connectionOpened(1, now: .zero)
        _ = pool.connectionReleased(1, reusable: true, now: .zero)  // r2 takes c1
        _ = pool.connectionReleased(1, reusable: true, now: .zero)  // idle
        _ = pool.leaseRequested(3, now: .zero)  // takes c1 again
        _ = pool.connectionReleased(1, reusable: true, now: .zero)  // idle
        _ = pool.leaseRequested(4, now: .zero)
        _ = pool.leaseRequested(5, now: .zero)
        // c0 leased (r0), c1 leased (r4), c2 opening, r5 waiting.
        #expect(Self.describe(pool.shutdown()) == ["fail r5 sessionShutDown"])
        #expect(Self.describe(pool.leaseRequested(6, now: .zero)) == ["fail r6 sessionShutDown"])
        #expect(Self.describe(pool.connectionOpened(2, now: .zero)) == ["close c2"])
        #expect(Self.describe(pool.connectionReleased(0, reusable: true, now: .zero)) == ["close c0"])
        #expect(Self.describe(pool.connectionReleased(1, reusable: true, now: .zero)) == ["close c1"])
        #expect(pool.connectionClosed(0, now: .zero).isEmpty)
        #expect(pool.connectionClosed(2, now: .zero).isEmpty)
        #expect(Self.describe(pool.connectionClosed(1, now: .zero)) == ["shut down"])
        #expect(pool.shutdown().isEmpty)
    }

    @Test("shutdown of an empty pool completes at once")
    func shutdownEmpty() {
        var pool = PoolStateMachine(configuration: Self.configuration())
        #expect(Self.describe(pool.shutdown()) == ["shut down"])
    }

    @Test("events about unknown or already closed connections change nothing")
    func staleEvents() {
        var pool = PoolStateMachine(configuration: Self.configuration())
        #expect(pool.connectionOpened(7, now: .zero).isEmpty)
        #expect(pool.connectionReleased(7, reusable: true, now: .zero).isEmpty)
        #expect(pool.keepAliveFinished(7, succeeded: true, now: .zero).isEmpty)
        #expect(pool.connectionClosed(7, now: .zero).isEmpty)
        #expect(pool.connectionFailed(7, error: SMTPError(.connectionFailed, "x"), now: .zero).isEmpty)
    }
}

@Suite("Retry policy and pacing")
struct RetryPolicyTests {
    @Test("4yz replies, 4yz-only refusals and lost connections are transient; 5yz and bad input are not")
    func classification() {
        let reply451 = SMTPReply(code: 451, text: "4.3.0 try later")
        let reply550 = SMTPReply(code: 550, text: "5.1.1 no such user")
        #expect(SMTPRetryPolicy.isTransient(SMTPError(.dataRejected, "x", reply: reply451)))
        #expect(SMTPRetryPolicy.isTransient(SMTPError(.commandRejected, "x", reply: SMTPReply(code: 421, text: "bye"))))
        #expect(!SMTPRetryPolicy.isTransient(SMTPError(.dataRejected, "x", reply: reply550)))
        #expect(SMTPRetryPolicy.isTransient(SMTPError(.connectionClosed, "x")))
        #expect(SMTPRetryPolicy.isTransient(SMTPError(.connectionFailed, "x")))
        #expect(SMTPRetryPolicy.isTransient(SMTPError(.timeout, "x")))
        #expect(!SMTPRetryPolicy.isTransient(SMTPError(.lineTooLong, "x")))
        #expect(
            !SMTPRetryPolicy.isTransient(SMTPError(.messageTooLarge, "x", reply: SMTPReply(code: 552, text: "big"))))
        #expect(
            !SMTPRetryPolicy.isTransient(SMTPError(.authenticationFailed, "x", reply: SMTPReply(code: 535, text: "no")))
        )
        #expect(!SMTPRetryPolicy.isTransient(SMTPError(.cancelled, "x")))
        let soft = SMTPRecipientResult(recipient: "a@example.org", reply: SMTPReply(code: 452, text: "full"))
        let hard = SMTPRecipientResult(recipient: "b@example.org", reply: reply550)
        #expect(
            SMTPRetryPolicy.isTransient(
                SMTPError(.allRecipientsRefused, "x", reply: reply550, refusedRecipients: [soft])))
        #expect(!SMTPRetryPolicy.isTransient(SMTPError(.allRecipientsRefused, "x", refusedRecipients: [soft, hard])))
        #expect(!SMTPRetryPolicy.isTransient(SMTPError(.recipientRefused, "x", refusedRecipients: [])))
    }

    @Test("back-off doubles from the initial wait up to the cap")
    func backoff() {
        let policy = SMTPRetryPolicy(
            maximumAttempts: 10, initialBackoff: .milliseconds(250), maximumBackoff: .seconds(2))
        #expect(
            (1...6).map(policy.backoff(afterAttempt:)) == [
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2),
            ])
        #expect(SMTPRetryPolicy.none.maximumAttempts == 1)
    }

    @Test("the pacer spaces messages evenly, without bursts after idle time")
    func pacing() {
        var pacer = MessagePacer(.perSecond(4))
        #expect(pacer.reserve(now: .zero) == .zero)
        #expect(pacer.reserve(now: .zero) == .milliseconds(250))
        #expect(pacer.reserve(now: .milliseconds(100)) == .milliseconds(400))
        // After a pause the next message goes at once, the one after waits a full spacing.
        #expect(pacer.reserve(now: .seconds(10)) == .zero)
        #expect(pacer.reserve(now: .seconds(10)) == .milliseconds(250))
    }
}
