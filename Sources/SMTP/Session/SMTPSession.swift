import Logging
import NIOCore
import NIOPosix

/// One connection to an SMTP server and the operations of the PSMTP class on it:
/// ``connect()``, `send(envelope:body:)`, ``verify(_:)``, ``expand(_:)``,
/// ``sendCommand(_:)``, ``noop()``, ``reset()`` and ``disconnect()``.
///
/// ```swift
/// try await withSMTPSession(configuration: .init(host: "mail.example.com")) { session in
///     let result = try await session.send(
///         envelope: SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]),
///         body: Array(message.utf8))
///     print(result.reply)
/// }
/// ```
///
/// **One operation at a time.** An SMTP connection carries one dialogue, so a call made
/// while another operation of the same session is running fails at once with
/// ``SMTPError/Code/busy`` (the PSMTP reference's error 166) instead of waiting; nothing is written to
/// the connection for it. Use one session per concurrent delivery (or a pool).
///
/// **Failures.** Every operation throws ``SMTPError``. A server reply of `4yz`/`5yz` fails
/// the operation with the reply attached and keeps the connection; a `421` reply, a
/// malformed reply, a timeout, a dropped connection, or cancelling the calling task closes
/// the connection, after which ``isConnected`` is `false` and ``connect()`` may be called
/// again.
///
/// **Events.** ``events(bufferingNewest:)`` returns a new `AsyncStream` per call; the
/// streams finish when the session is shut down or deinitialised.
///
/// Message content is never logged; the protocol trail is logged at `trace` level.
public actor SMTPSession {
    /// The configuration the session was created with.
    public nonisolated let configuration: Configuration
    let eventLoopGroup: any EventLoopGroup
    var logger: Logger
    let broadcaster = EventBroadcaster<SMTPEvent>()

    var machine: SMTPClientStateMachine
    var connection: SMTPConnection?
    var connectionGeneration = 0
    var isBusy = false
    var isShutDown = false

    /// The last reply received from the server (the PSMTP reference's `LastReply`), kept after the
    /// connection closes.
    public internal(set) var lastReply: SMTPReply?

    /// The negotiated TLS version and the server's certificate while the connection is
    /// protected by TLS; `nil` otherwise.
    public internal(set) var tlsInfo: SMTPTLSInfo?

    /// The local IP address of the connection (the PSMTP `LocalHost` once connected);
    /// `nil` while not connected.
    public var localAddress: String? {
        self.connection?.channel.localAddress?.ipAddress
    }

    /// The local port of the connection (`LocalPort` once connected); `nil` while not
    /// connected.
    public var localPort: Int? {
        self.connection?.channel.localAddress?.port
    }

    /// The TLS context, built on first use (it reads the configured files).
    var tlsFactory: TLSClientFactory?

    /// The label of the default logger.
    public static let defaultLoggerLabel = "pgpmail.smtp"

    /// Creates a session; it does not connect yet.
    ///
    /// - Parameters:
    ///   - configuration: The server and protocol settings.
    ///   - eventLoopGroup: Where the connection's I/O runs.
    ///   - logger: Where the session logs; nowhere by default (``Logging/Logger/smtpNoOp``).
    ///     The protocol trail goes to `trace` level (credentials masked, never
    ///     message content).
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = .smtpNoOp
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: SMTPLoggingMetadataKey.server] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        self.machine = SMTPClientStateMachine(configuration: configuration.stateMachineConfiguration)
    }

    deinit {
        self.connection?.channel.close(promise: nil)
        self.broadcaster.finish()
    }

    /// Whether the session is open: connected, greeted and past `EHLO`/`HELO` (the PSMTP reference's
    /// `Connected`).
    public var isConnected: Bool {
        self.connection != nil && self.machine.capabilities != nil
    }

    /// Whether an operation is running (the opposite of the PSMTP reference's `Idle`).
    public var isIdle: Bool {
        !self.isBusy
    }

    /// The extensions the server announced in reply to `EHLO` (empty after a fall-back to
    /// `HELO`); `nil` while not connected.
    public var capabilities: SMTPCapabilities? {
        self.machine.capabilities
    }

    /// A new stream of the session's events from now on.
    ///
    /// Every call returns an independent stream that receives every event published after
    /// the call. Each stream keeps at most `limit` undelivered events and drops the oldest
    /// when a subscriber falls behind, so a slow subscriber never slows the session down.
    /// The streams finish when the session is shut down or deinitialised.
    ///
    /// - Parameter limit: How many undelivered events the stream keeps.
    public nonisolated func events(bufferingNewest limit: Int = 1024) -> AsyncStream<SMTPEvent> {
        self.broadcaster.makeStream(bufferingNewest: limit)
    }

    func publish(_ event: SMTPEvent) {
        self.broadcaster.publish(event)
    }

    /// Records one line of the protocol trail (event and trace log).
    func trail(_ direction: SMTPEvent.Direction, _ line: String) {
        self.logger.trace("\(direction == .clientToServer ? "C" : "S"): \(line)")
        self.publish(.protocolTrail(direction, line: line))
    }
}
