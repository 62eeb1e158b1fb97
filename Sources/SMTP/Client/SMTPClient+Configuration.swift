extension SMTPClient {
    /// The settings of a pooled client: the server (every ``SMTPSession`` setting) and how the
    /// pool uses it.
    public struct Configuration: Sendable {
        /// The settings each connection is opened with.
        ///
        /// The client turns off ``SMTPSession/Configuration/sendRSETBeforeTransaction`` for its
        /// connections: a failed transaction already ends with `RSET`, so a connection is
        /// always clean when it is returned to the pool, and `RSET` before every message
        /// would only cost bytes and, without pipelining, a round trip.
        public var session: SMTPSession.Configuration
        /// How many connections may be open at once.
        public var maximumConnections: Int
        /// Messages after which a connection is closed and replaced (the server's own limit,
        /// often 100 or 1000); `nil`: no limit.
        public var maximumMessagesPerConnection: Int?
        /// How long a connection may stay unused before it is closed.
        public var idleTimeout: Duration
        /// How often an unused connection sends `NOOP` so that the server and middleboxes keep
        /// it open; `nil`: never.
        public var keepAliveInterval: Duration?
        /// The wait after a failed connection attempt before the next one; it doubles with
        /// each consecutive failure up to ``maximumConnectBackoff``.
        public var connectBackoff: Duration
        /// The longest wait between connection attempts.
        public var maximumConnectBackoff: Duration
        /// The pace of all connections together; `nil`: as fast as the server accepts.
        public var rateLimit: SMTPRateLimit?
        /// How long one message may take, retries and waits for a connection included; `nil`:
        /// no limit beyond the session's own timeouts. A message past its deadline fails with
        /// ``SMTPError/Code/timeout``.
        public var messageDeadline: Duration?
        /// Which failures are retried, how often and after how long.
        public var retryPolicy: SMTPRetryPolicy

        /// Creates a configuration with default pool settings: 8 connections, no message
        /// limit per connection, a 60-second idle timeout, keep-alive every 30 seconds, back-off
        /// from 100 ms to 30 s, no rate limit or deadline and the default retry policy.
        public init(session: SMTPSession.Configuration) {
            self.session = session
            self.maximumConnections = 8
            self.maximumMessagesPerConnection = nil
            self.idleTimeout = .seconds(60)
            self.keepAliveInterval = .seconds(30)
            self.connectBackoff = .milliseconds(100)
            self.maximumConnectBackoff = .seconds(30)
            self.rateLimit = nil
            self.messageDeadline = nil
            self.retryPolicy = SMTPRetryPolicy()
        }

        var poolConfiguration: PoolStateMachine.Configuration {
            PoolStateMachine.Configuration(
                maximumConnections: max(1, self.maximumConnections),
                maximumMessagesPerConnection: self.maximumMessagesPerConnection.map { max(1, $0) },
                idleTimeout: self.idleTimeout, keepAliveInterval: self.keepAliveInterval,
                connectBackoff: self.connectBackoff, maximumConnectBackoff: self.maximumConnectBackoff)
        }

        var connectionConfiguration: SMTPSession.Configuration {
            var session = self.session
            session.sendRSETBeforeTransaction = false
            return session
        }
    }
}

/// A pace for messages: at most ``messages`` per ``interval``, spread evenly.
public struct SMTPRateLimit: Hashable, Sendable {
    /// How many messages…
    public var messages: Int
    /// …per this interval.
    public var interval: Duration

    /// Creates a rate limit of `messages` per `interval` (for example 100 per second).
    public init(messages: Int, per interval: Duration) {
        precondition(messages > 0 && interval > .zero, "a rate limit needs a positive count and interval")
        self.messages = messages
        self.interval = interval
    }

    /// A rate limit of `count` messages per second.
    public static func perSecond(_ count: Int) -> SMTPRateLimit {
        SMTPRateLimit(messages: count, per: .seconds(1))
    }
}
