import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SMTPProxy {
    /// Adds a ``ProxyHandshakeHandler`` for a tunnel to `targetHost`:`targetPort` at the
    /// front of `pipeline` (nearest the socket, so in front of TLS and the SMTP handler
    /// whatever order they are added in). Call it from the `channelInitializer` of the
    /// `ClientBootstrap` that connects to the *proxy's* ``host`` and ``port``.
    ///
    /// The handshake starts when the channel is active. The returned future (also
    /// ``ProxyHandshakeHandler/tunnelEstablished``) succeeds once the tunnel is up and the
    /// handler has left the pipeline; bytes the server sent right after the proxy's reply
    /// have then reached the next handler. It fails with ``SMTPError/Code/proxyFailed``
    /// (refusal, bad credentials, garbage, the proxy closed the connection),
    /// ``SMTPError/Code/connectionClosed`` (the handler was removed), or
    /// ``SMTPError/Code/connectionFailed`` (a SOCKS4 target's name could not be resolved to
    /// an IPv4 address), and the channel is closed. It has no timeout: race it against the
    /// connect timeout and close the channel when that expires (which fails the future).
    ///
    /// Plain SOCKS4 cannot carry a host name: a target that is not an IP literal is
    /// resolved here, with `getaddrinfo` on `NIOThreadPool.singleton` (never on the event
    /// loop), to its first IPv4 address. SOCKS4A, SOCKS5 and HTTP pass the name to the proxy.
    ///
    /// - Parameters:
    ///   - pipeline: The channel's pipeline (so this runs on the channel's event loop).
    ///   - targetHost: The SMTP server's host name or IP address (IPv6 with or without brackets).
    ///   - targetPort: The SMTP server's port.
    ///   - eventLoop: The channel's event loop.
    /// - Throws: ``SMTPError/Code/invalidInput`` for a configuration the protocol cannot
    ///   carry (a SOCKS5 user name over 255 bytes, an IPv6 target with SOCKS4, a port out of
    ///   range, an invalid HTTP ``extraHeaders`` line, …), before anything is added; ``SMTPError/Code/connectionClosed`` when the
    ///   handler cannot be added.
    func addHandshake(
        to pipeline: ChannelPipeline.SynchronousOperations, targetHost: String, targetPort: Int,
        eventLoop: any EventLoop
    ) throws(SMTPError) -> EventLoopFuture<Void> {
        let handshake = try self.makeHandshake(targetHost: targetHost, targetPort: targetPort, eventLoop: eventLoop)
        let promise = eventLoop.makePromise(of: Void.self)
        do {
            try pipeline.addHandler(ProxyHandshakeHandler(handshake: handshake, promise: promise), position: .first)
        } catch {
            let failure = SMTPError(
                .connectionClosed, "cannot add the proxy handshake to the channel: \(error)", underlyingError: error)
            promise.fail(failure)
            throw failure
        }
        return promise.futureResult
    }

    /// The state machine for a tunnel to `targetHost`:`targetPort`, checked now; for SOCKS4
    /// with a host name, ready once the name is resolved.
    ///
    /// - Throws: ``SMTPError/Code/invalidInput``.
    func makeHandshake(
        targetHost: String, targetPort: Int, eventLoop: any EventLoop
    ) throws(SMTPError) -> EventLoopFuture<ProxyHandshake> {
        guard (1...65535).contains(self.port) else {
            throw SMTPError(.invalidInput, "the proxy port \(self.port) is not from 1 to 65535")
        }
        let target = try ProxyTarget(host: targetHost, port: targetPort)
        let handshake: ProxyHandshake
        switch self.kind {
        case .socks4, .socks4a:
            if self.kind == .socks4, case .hostName(let name) = target.address {
                try SOCKS4Handshake.validate(userID: self.username)
                let userID = self.username
                let port = target.port
                return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
                    let address = try Self.resolveIPv4(name)
                    return ProxyHandshake.socks4(
                        try SOCKS4Handshake(
                            target: ProxyTarget(address: .ipv4(address), port: port), userID: userID,
                            allowsHostName: false))
                }
            }
            handshake = .socks4(
                try SOCKS4Handshake(target: target, userID: self.username, allowsHostName: self.kind == .socks4a))
        case .socks5:
            handshake = .socks5(try SOCKS5Handshake(target: target, username: self.username, password: self.password))
        default:
            handshake = .httpConnect(
                try HTTPConnectHandshake(
                    target: target, username: self.username, password: self.password,
                    extraHeaders: self.extraHeaders))
        }
        return eventLoop.makeSucceededFuture(handshake)
    }

    /// The first IPv4 address of `name` (blocking: call it off the event loop).
    ///
    /// - Throws: ``SMTPError/Code/connectionFailed``.
    static func resolveIPv4(_ name: String) throws(SMTPError) -> [UInt8] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        defer {
            if let list {
                freeaddrinfo(list)
            }
        }
        guard status == 0 else {
            let reason = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw SMTPError(.connectionFailed, "cannot resolve \(name) for the SOCKS4 proxy: \(reason)")
        }
        var entry = list
        while let info = entry {
            if info.pointee.ai_family == AF_INET, let address = info.pointee.ai_addr {
                let ipv4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
                return withUnsafeBytes(of: ipv4.sin_addr) { Array($0) }
            }
            entry = info.pointee.ai_next
        }
        throw SMTPError(.connectionFailed, "\(name) has no IPv4 address for the SOCKS4 proxy")
    }
}
