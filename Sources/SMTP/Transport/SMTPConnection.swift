import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TCP connection to an SMTP server: the NIO channel and its
/// ``SMTPClientChannelHandler``, behind async methods the session calls.
///
/// This is the seam where transport layers go: TLS handlers and proxy handshakes are added
/// to this channel's pipeline in front of the SMTP handler.
final class SMTPConnection: Sendable {
    /// The channel.
    let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientChannelHandler>

    private init(channel: any Channel, handler: NIOLoopBound<SMTPClientChannelHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Where and how to open the TCP connection.
    struct Endpoint: Sendable {
        /// The SMTP server's name or address.
        var host: String
        /// The SMTP server's port.
        var port: Int
        /// The proxy to tunnel through, if any: the TCP connection goes to the proxy, which is
        /// asked to connect onwards to `host`:`port` (by name, except SOCKS4).
        var proxy: SMTPProxy?
        /// The local address and port to connect from (`nil`/0: the system chooses).
        var localAddress: String?
        var localPort = 0
        /// Which IP versions to use for the first hop.
        var addressFamily: SMTPAddressFamily = .any
        /// TCP keep-alive probes; `nil` is off.
        var keepAlive: SMTPTCPKeepAlive?
        /// The limit for name resolution, the TCP handshake and the proxy's handshake together.
        var connectTimeout: Duration

        /// The host and port the socket connects to: the proxy's, or the server's.
        var firstHop: (host: String, port: Int) {
            self.proxy.map { ($0.host, $0.port) } ?? (self.host, self.port)
        }

        /// Whether NIO's own resolver (both families raced) cannot be used.
        var needsOwnResolution: Bool {
            self.addressFamily != .any || self.localAddress != nil || self.localPort != 0
        }
    }

    /// Opens a TCP connection, directly or through a proxy tunnel.
    ///
    /// - Parameters:
    ///   - endpoint: The server, proxy, local binding, address family and time limit.
    ///   - group: The event loop group to run the channel on.
    /// - Throws: ``SMTPError/Code/timeout``, ``SMTPError/Code/connectionFailed``,
    ///   ``SMTPError/Code/proxyFailed``, ``SMTPError/Code/invalidInput`` (a target the proxy
    ///   protocol cannot carry, a bad local address) or ``SMTPError/Code/cancelled``.
    static func connect(_ endpoint: Endpoint, group: any EventLoopGroup) async throws(SMTPError) -> SMTPConnection {
        let deadline = ContinuousClock.now + endpoint.connectTimeout
        let tunnel = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let hop = endpoint.firstHop
        let peer = endpoint.proxy == nil ? "\(hop.host):\(hop.port)" : "proxy \(hop.host):\(hop.port)"
        let channel: any Channel
        do {
            if endpoint.needsOwnResolution {
                channel = try await Self.connectResolvingOurselves(endpoint, group: group, tunnel: tunnel)
            } else {
                channel = try await Self.bootstrap(endpoint, group: group, tunnel: tunnel)
                    .connect(host: hop.host, port: hop.port).get()
            }
        } catch ChannelError.connectTimeout {
            throw SMTPError(.timeout, "connecting to \(peer) timed out after \(endpoint.connectTimeout)")
        } catch let error as SMTPError {
            throw error
        } catch {
            if Task.isCancelled {
                throw SMTPError(.cancelled, "connecting to \(peer) was cancelled")
            }
            throw SMTPError(.connectionFailed, "cannot connect to \(peer): \(error)", underlyingError: error)
        }
        do {
            if let future = tunnel.withLockedValue({ $0 }) {
                try await Self.waitForTunnel(future, channel: channel, until: deadline, proxy: peer)
            }
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: SMTPClientChannelHandler.self),
                    eventLoop: channel.eventLoop)
            }.get()
            return SMTPConnection(channel: channel, handler: handler)
        } catch let error as SMTPError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw SMTPError(.connectionClosed, "the connection closed while it was set up: \(error)")
        }
    }

    /// A bootstrap whose channels get the SMTP handler and, with a proxy, the proxy's
    /// handshake (whose future is put in `tunnel`).
    private static func bootstrap(
        _ endpoint: Endpoint, group: any EventLoopGroup, tunnel: NIOLockedValueBox<EventLoopFuture<Void>?>
    ) throws(SMTPError) -> ClientBootstrap {
        guard let bootstrap = ClientBootstrap(validatingGroup: group) else {
            throw SMTPError(.connectionFailed, "the event loop group cannot run POSIX sockets")
        }
        let proxy = endpoint.proxy
        let host = endpoint.host
        let port = endpoint.port
        var configured =
            bootstrap
            .connectTimeout(TimeAmount(endpoint.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let keepAlive = endpoint.keepAlive {
            configured = Self.applying(keepAlive, to: configured)
        }
        return
            configured
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(SMTPClientChannelHandler(eventLoop: channel.eventLoop))
                    if let proxy {
                        let future = try proxy.addHandshake(
                            to: operations, targetHost: host, targetPort: port, eventLoop: channel.eventLoop)
                        tunnel.withLockedValue { $0 = future }
                    }
                }
            }
    }

    /// Turns on TCP keep-alive with `settings` (idle time and interval in whole seconds, at
    /// least one).
    private static func applying(_ settings: SMTPTCPKeepAlive, to bootstrap: ClientBootstrap) -> ClientBootstrap {
        func seconds(_ duration: Duration) -> SocketOptionValue {
            SocketOptionValue(clamping: max(1, duration.components.seconds))
        }
        let tcp = SocketOptionLevel(IPPROTO_TCP)
        #if canImport(Darwin)
            let idle = SocketOptionName(TCP_KEEPALIVE)
        #else
            let idle = SocketOptionName(TCP_KEEPIDLE)
        #endif
        return
            bootstrap
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(ChannelOptions.Types.SocketOption(level: tcp, name: idle), value: seconds(settings.idleTime))
            .channelOption(
                ChannelOptions.Types.SocketOption(level: tcp, name: SocketOptionName(TCP_KEEPINTVL)),
                value: seconds(settings.interval)
            )
            .channelOption(
                ChannelOptions.Types.SocketOption(level: tcp, name: SocketOptionName(TCP_KEEPCNT)),
                value: SocketOptionValue(clamping: max(1, settings.probeCount)))
    }

    /// Resolves the first hop for the configured address family and tries its addresses in
    /// order, each from the configured local address and port.
    private static func connectResolvingOurselves(
        _ endpoint: Endpoint, group: any EventLoopGroup, tunnel: NIOLockedValueBox<EventLoopFuture<Void>?>
    ) async throws -> any Channel {
        let hop = endpoint.firstHop
        var family = endpoint.addressFamily
        var local: SocketAddress?
        if let localAddress = endpoint.localAddress {
            do {
                local = try SocketAddress(ipAddress: localAddress, port: endpoint.localPort)
            } catch {
                throw SMTPError(.invalidInput, "the local address \(localAddress) is not an IP address")
            }
            // A socket bound to an IPv4 address can only reach IPv4 servers, and so on.
            family = local?.protocol == .inet6 ? .ipv6Only : .ipv4Only
        }
        let addresses = try await HostResolver.resolve(host: hop.host, port: hop.port, family: family)
        var lastError: any Error = SMTPError(.connectionFailed, "\(hop.host) has no address")
        for address in addresses {
            let bind =
                try local
                ?? SocketAddress(ipAddress: address.protocol == .inet6 ? "::" : "0.0.0.0", port: endpoint.localPort)
            do {
                return try await Self.bootstrap(endpoint, group: group, tunnel: tunnel)
                    .bind(to: bind)
                    .connect(to: address).get()
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Waits for the proxy's tunnel, closing the channel at the deadline or on cancellation.
    private static func waitForTunnel(
        _ future: EventLoopFuture<Void>, channel: any Channel, until deadline: ContinuousClock.Instant, proxy: String
    ) async throws(SMTPError) {
        let timedOut = NIOLockedValueBox(false)
        let timeout = channel.eventLoop.scheduleTask(deadline: .now() + TimeAmount(deadline - ContinuousClock.now)) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await future.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            if timedOut.withLockedValue({ $0 }) {
                throw SMTPError(.timeout, "the \(proxy) did not open its tunnel in time")
            }
            if Task.isCancelled {
                throw SMTPError(.cancelled, "connecting through the \(proxy) was cancelled")
            }
            if let error = error as? SMTPError {
                throw error
            }
            throw SMTPError(.proxyFailed, "the \(proxy) failed: \(error)", underlyingError: error)
        }
    }

    /// Writes bytes (command lines, message data or its terminator) and flushes them,
    /// unless replies nobody asked for are waiting: then the connection fails with
    /// ``SMTPError/Code/protocolViolation`` (the next ``nextReply(timeout:)`` reports it) and
    /// closes (``SMTPClientChannelHandler/writeCommands(_:expectingReplies:)``).
    ///
    /// - Parameters:
    ///   - buffer: The bytes.
    ///   - expectingReplies: How many replies the commands in `buffer` are owed (0 for
    ///     message data).
    func write(_ buffer: ByteBuffer, expectingReplies: Int) {
        let handler = self.handler
        self.channel.eventLoop.execute { handler.value.writeCommands(buffer, expectingReplies: expectingReplies) }
    }

    /// Writes and flushes message data, then waits (up to `timeout`) while the channel is
    /// not writable, so that a slow reader slows the writer down instead of letting data
    /// pile up in memory.
    ///
    /// - Parameters:
    ///   - buffer: The bytes.
    ///   - expectingReplies: How many replies the commands in `buffer` are owed (1 for a
    ///     `BDAT` chunk with its command, 0 for plain message data).
    ///   - timeout: How long the channel may stay unwritable.
    ///   - endsMessage: Whether `buffer` ends the message data (the final dot, or the last
    ///     `BDAT` chunk): if the connection was open when it was written and fails now, the
    ///     server may have received it all, and the error says
    ///     ``SMTPError/mayHaveBeenDelivered``.
    func writeData(
        _ buffer: ByteBuffer, expectingReplies: Int = 0, timeout: Duration, endsMessage: Bool = false
    ) async throws(SMTPError) {
        let wasOpen = self.channel.isActive
        self.write(buffer, expectingReplies: expectingReplies)
        if self.channel.isActive, self.channel.isWritable {
            return
        }
        let handler = self.handler
        let timeAmount = TimeAmount(timeout)
        do throws(SMTPError) {
            try await self.wait(
                for: self.channel.eventLoop.flatSubmit { handler.value.waitForWritability(timeout: timeAmount) })
        } catch {
            throw endsMessage && wasOpen ? error.markedMayHaveBeenDelivered() : error
        }
    }

    /// Starts TLS on the connection: adds a TLS client handler in front of the SMTP handler
    /// and waits for the handshake.
    ///
    /// Bytes that arrived and were not read yet — after the `220` reply to `STARTTLS` they
    /// can only come from someone injecting commands' answers in clear text — abort the
    /// session with ``SMTPError/Code/tlsHandshakeFailed`` before anything is sent.
    ///
    /// - Parameters:
    ///   - factory: Makes the TLS handler with the session's verification settings.
    ///   - host: The name the certificate must carry (and SNI sends).
    ///   - viaSTARTTLS: Whether this follows `STARTTLS` (for ``SMTPTLSInfo``).
    ///   - timeout: How long the handshake may take.
    /// - Returns: The negotiated version and the server's certificate.
    func startTLS(
        factory: TLSClientFactory, host: String, viaSTARTTLS: Bool, timeout: Duration
    ) async throws(SMTPError) -> SMTPTLSInfo {
        let handler = self.handler
        let channel = self.channel
        let observation = TLSObservation()
        let timeAmount = TimeAmount(timeout)
        let info = channel.eventLoop.flatSubmit { () -> EventLoopFuture<SMTPTLSInfo> in
            let smtpHandler = handler.value
            if smtpHandler.hasUnreadInput {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(
                    SMTPError(
                        .tlsHandshakeFailed,
                        "the server sent more data in clear text after agreeing to STARTTLS; it may have been injected"
                    ))
            }
            let tlsHandler: NIOSSLClientHandler
            let handshake = smtpHandler.waitForTLSHandshake(observation: observation, timeout: timeAmount)
            do {
                tlsHandler = try factory.makeHandler(host: host, observation: observation)
                try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .before(smtpHandler))
            } catch {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
            return
                handshake
                .assumeIsolated()
                .flatMapThrowing { () -> SMTPTLSInfo in
                    let version = tlsHandler.tlsVersion.map(Self.describe) ?? "unknown"
                    let peer = try tlsHandler.peerCertificate.map { try SMTPCertificate(derBytes: $0.toDERBytes()) }
                    // The whole chain is known only when our verification callback saw it.
                    let observed = observation.chain
                    let chain = observed.isEmpty ? (peer.map { [$0] } ?? []) : observed
                    return SMTPTLSInfo(
                        protocolVersion: version, peerCertificate: peer, peerCertificateChain: chain,
                        viaSTARTTLS: viaSTARTTLS)
                }
                .nonisolated()
        }
        return try await self.wait(for: info)
    }

    private static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1:
            return "TLS 1.0"
        case .tlsv11:
            return "TLS 1.1"
        case .tlsv12:
            return "TLS 1.2"
        case .tlsv13:
            return "TLS 1.3"
        }
    }

    /// Fails whatever the connection is waiting for with `error` and closes it once
    /// `duration` has passed, unless the returned timer is cancelled first.
    func abort(after duration: Duration, with error: SMTPError) -> Scheduled<Void> {
        let handler = self.handler
        return self.channel.eventLoop.scheduleTask(in: TimeAmount(duration)) {
            handler.value.abort(error)
        }
    }

    /// Waits up to `timeout` for the next reply.
    func nextReply(timeout: Duration) async throws(SMTPError) -> SMTPReply {
        let handler = self.handler
        let timeAmount = TimeAmount(timeout)
        return try await self.wait(
            for: self.channel.eventLoop.flatSubmit { handler.value.nextReply(timeout: timeAmount) })
    }

    /// A reply that already arrived and was not read yet, if any.
    func bufferedReply() async -> SMTPReply? {
        let handler = self.handler
        return try? await self.channel.eventLoop.submit { handler.value.takeBufferedReply() }.get()
    }

    /// Closes the channel; returns when it is closed.
    func close() async {
        do {
            try await self.channel.close()
        } catch {
            // Already closed: nothing left to do.
        }
    }

    /// Waits for `future`; cancelling the task closes the connection, whose protocol state
    /// is unknown from then on.
    private func wait<Value: Sendable>(for future: EventLoopFuture<Value>) async throws(SMTPError) -> Value {
        let channel = self.channel
        do {
            return try await withTaskCancellationHandler {
                try await future.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            if Task.isCancelled {
                throw SMTPError(.cancelled, "the operation was cancelled")
            }
            if let error = error as? SMTPError {
                throw error
            }
            throw SMTPError(.connectionClosed, "connection error: \(error)")
        }
    }
}
