import NIOCore

/// Establishes a proxy tunnel on a client channel, then leaves the pipeline.
///
/// It sits in front of (nearer the socket than) the SMTP handler, and TLS when there is
/// TLS. When the channel is active it waits for its ``ProxyHandshake`` (at once, or after a
/// SOCKS4 target's name was resolved), sends the greeting and feeds the proxy's bytes to
/// the state machine. Once the tunnel is up it writes what the handlers behind it wrote
/// meanwhile (they are held, with their promises, until then), passes on the bytes that
/// followed the proxy's reply in the same read (the SMTP server's `220` may come with it),
/// removes itself and succeeds ``tunnelEstablished``.
///
/// On failure (refusal, garbage, bad credentials, more than 64 KiB from the proxy before it
/// answered, a connection error) ``tunnelEstablished`` fails with the ``SMTPError`` and the
/// channel closes; when the channel closes, or the handler is removed, before the tunnel is
/// up it fails with ``SMTPError/Code/proxyFailed`` or ``SMTPError/Code/connectionClosed``.
/// There is no timeout here: the caller races ``tunnelEstablished`` against its own.
///
/// The handler lives on its channel's event loop and must only be used there.
final class ProxyHandshakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The most bytes held from the proxy while the handshake cannot consume them.
    static let maximumBufferedBytes = 64 * 1024

    private enum State {
        /// Added; the channel is not active yet.
        case idle
        /// Active; waiting for the state machine (SOCKS4 name resolution).
        case preparing
        /// The greeting was sent.
        case handshaking(ProxyHandshake)
        /// The tunnel is up (the handler is leaving the pipeline).
        case established
        /// The handshake failed or the channel closed first.
        case failed(SMTPError)
    }

    private var state = State.idle
    private let handshake: EventLoopFuture<ProxyHandshake>
    private let promise: EventLoopPromise<Void>
    private var inbound = ByteBuffer()
    private var pendingWrites: [(data: NIOAny, promise: EventLoopPromise<Void>?)] = []
    private var pendingFlush = false
    private var context: ChannelHandlerContext?

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - handshake: The state machine, when it is ready (a future on the channel's loop).
    ///   - promise: Completed when the tunnel is up or failed (on the channel's loop).
    init(handshake: EventLoopFuture<ProxyHandshake>, promise: EventLoopPromise<Void>) {
        self.handshake = handshake
        self.promise = promise
    }

    /// Succeeds when the tunnel is up; fails with an ``SMTPError``.
    var tunnelEstablished: EventLoopFuture<Void> {
        self.promise.futureResult
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            self.begin(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(
            SMTPError(.connectionClosed, "the proxy handshake handler was removed before the tunnel was up"),
            context: nil)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.begin(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(SMTPError(.proxyFailed, "the proxy closed the connection before the tunnel was up"), context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .established = self.state {
            context.fireErrorCaught(error)
            return
        }
        var failure = SMTPError(.proxyFailed, "connection error during the proxy handshake: \(error)")
        failure.underlyingError = error
        self.fail(failure, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .established:
            context.fireChannelRead(data)
        case .failed:
            return
        case .idle, .preparing:
            var incoming = self.unwrapInboundIn(data)
            self.inbound.writeBuffer(&incoming)
            if self.inbound.readableBytes > Self.maximumBufferedBytes {
                self.fail(SMTPError(.proxyFailed, "the proxy sent data before the client's request"), context: context)
            }
        case .handshaking:
            var incoming = self.unwrapInboundIn(data)
            self.inbound.writeBuffer(&incoming)
            self.process(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .established = self.state {
            context.fireChannelReadComplete()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.state {
        case .established:
            context.write(data, promise: promise)
        case .failed(let error):
            promise?.fail(error)
        case .idle, .preparing, .handshaking:
            self.pendingWrites.append((data, promise))
        }
    }

    func flush(context: ChannelHandlerContext) {
        if case .established = self.state {
            context.flush()
        } else {
            self.pendingFlush = true
        }
    }

    // MARK: - Handshake

    private func begin(context: ChannelHandlerContext) {
        guard case .idle = self.state else {
            return
        }
        self.state = .preparing
        self.handshake.assumeIsolated().whenComplete { result in
            self.handshakeReady(result)
        }
    }

    private func handshakeReady(_ result: Result<ProxyHandshake, any Error>) {
        guard case .preparing = self.state, let context = self.context else {
            return
        }
        switch result {
        case .failure(let error):
            self.fail(
                error as? SMTPError ?? SMTPError(.proxyFailed, "the proxy handshake cannot start: \(error)"),
                context: context)
        case .success(var machine):
            let greeting = machine.start()
            self.state = .handshaking(machine)
            context.writeAndFlush(self.wrapOutboundOut(greeting), promise: nil)
            if self.inbound.readableBytes > 0 {
                self.process(context: context)
            }
        }
    }

    /// Feeds the buffered bytes to the state machine until it needs more or is done.
    private func process(context: ChannelHandlerContext) {
        while case .handshaking(var machine) = self.state {
            let step: ProxyHandshakeStep
            do {
                step = try machine.receive(&self.inbound)
            } catch {
                self.fail(error, context: context)
                return
            }
            switch step {
            case .send(let bytes):
                self.state = .handshaking(machine)
                context.writeAndFlush(self.wrapOutboundOut(bytes), promise: nil)
            case .needMoreBytes:
                self.state = .handshaking(machine)
                self.inbound.discardReadBytes()
                if self.inbound.readableBytes > Self.maximumBufferedBytes {
                    self.fail(SMTPError(.proxyFailed, "the proxy's reply is too long"), context: context)
                }
                return
            case .established:
                self.established(context: context)
                return
            }
        }
    }

    private func established(context: ChannelHandlerContext) {
        self.state = .established
        let writes = self.pendingWrites
        self.pendingWrites = []
        for write in writes {
            context.write(write.data, promise: write.promise)
        }
        if self.pendingFlush {
            self.pendingFlush = false
            context.flush()
        }
        let leftover = self.inbound
        self.inbound = ByteBuffer()
        if leftover.readableBytes > 0 {
            context.fireChannelRead(self.wrapInboundOut(leftover))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        self.promise.succeed(())
    }

    /// Records the failure (unless the handshake already finished), fails the held writes
    /// and the promise, and closes the channel when `context` is given.
    private func fail(_ error: SMTPError, context: ChannelHandlerContext?) {
        switch self.state {
        case .established, .failed:
            return
        case .idle, .preparing, .handshaking:
            break
        }
        self.state = .failed(error)
        self.inbound = ByteBuffer()
        let writes = self.pendingWrites
        self.pendingWrites = []
        for write in writes {
            write.promise?.fail(error)
        }
        self.promise.fail(error)
        context?.close(promise: nil)
    }
}
