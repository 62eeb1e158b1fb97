import NIOCore
import NIOSSL
import NIOTLS

/// The channel handler under an ``SMTPSession``: it decodes the server's bytes into replies,
/// keeps them in arrival order, and hands them out one at a time on request; it also lets
/// the session wait until the channel is writable again (back-pressure for message data).
///
/// Every waiting call has an inactivity timeout; when it expires the handler records a
/// ``SMTPError/Code/timeout`` failure and closes the channel. Once the channel failed or
/// closed, replies that arrived before still come out in order, then every call fails with
/// the recorded error.
///
/// The handler lives on its channel's event loop and must only be used there.
final class SMTPClientChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// How many complete replies may wait unread before the server is considered hostile.
    /// Far above what pipelining needs (one reply per command in a group).
    static let defaultMaximumBufferedReplies = 10_000

    /// How many octets of reply text may wait unread (the parser bounds a single reply to
    /// about 4 MiB; this bounds them all).
    static let defaultMaximumBufferedBytes = 8 * 1024 * 1024

    private struct Waiter<Value: Sendable> {
        var promise: EventLoopPromise<Value>
        var timeout: Scheduled<Void>?

        func succeed(_ value: Value) {
            self.timeout?.cancel()
            self.promise.succeed(value)
        }

        func fail(_ error: SMTPError) {
            self.timeout?.cancel()
            self.promise.fail(error)
        }
    }

    private let decoder: SMTPReplyDecoder
    private let processor: NIOSingleStepByteToMessageProcessor<SMTPReplyDecoder>
    private let maximumBufferedReplies: Int
    private let maximumBufferedBytes: Int
    private var replies = CircularBuffer<SMTPReply>()
    private var bufferedBytes = 0
    /// Replies owed for commands written and not yet handed out: replies up to this number
    /// may wait unread when the next bytes are written (pipelined `BDAT` chunks).
    private var outstandingReplies = 0
    private var replyWaiter: Waiter<SMTPReply>?
    private var writabilityWaiter: Waiter<Void>?
    private var handshakeWaiter: Waiter<Void>?
    /// Set while a TLS handshake runs: what the verifier saw, to explain a refusal.
    private var tlsObservation: TLSObservation?
    private var failure: SMTPError?
    private var context: ChannelHandlerContext?
    private let eventLoop: any EventLoop

    /// Creates a handler for a channel of `eventLoop`.
    ///
    /// - Parameters:
    ///   - eventLoop: The channel's event loop; requests made after the handler left the
    ///     pipeline are answered on it.
    ///   - parser: The reply parser (with its limits).
    ///   - maximumBufferedReplies: How many unread replies are tolerated.
    ///   - maximumBufferedBytes: How many octets of unread reply text are tolerated.
    init(
        eventLoop: any EventLoop,
        parser: SMTPReplyParser = SMTPReplyParser(),
        maximumBufferedReplies: Int = SMTPClientChannelHandler.defaultMaximumBufferedReplies,
        maximumBufferedBytes: Int = SMTPClientChannelHandler.defaultMaximumBufferedBytes
    ) {
        self.eventLoop = eventLoop
        self.decoder = SMTPReplyDecoder(parser: parser)
        // The parser refuses a line over its limit; the cap bounds what waits for the rest
        // of a line as well.
        self.processor = NIOSingleStepByteToMessageProcessor(
            self.decoder, maximumBufferSize: parser.maximumLineLength + 2)
        self.maximumBufferedReplies = maximumBufferedReplies
        self.maximumBufferedBytes = maximumBufferedBytes
    }

    /// Whether bytes or replies were received that nobody has asked for yet.
    var hasUnreadInput: Bool {
        !self.replies.isEmpty || self.hasPartialReply
    }

    /// Whether part of a reply arrived: bytes of a line, or lines of a multi-line reply.
    private var hasPartialReply: Bool {
        self.processor.unprocessedBytes > 0 || self.decoder.isInsideReply
    }

    // MARK: - Requests from the session

    /// Writes and flushes command lines or message data, unless input arrived that
    /// no command asked for: a server, or anyone in the path of a clear-text session, that
    /// sends replies ahead of the commands would have them read as the answers to the next
    /// ones. Then nothing is written, the unread replies are dropped, every request fails
    /// with ``SMTPError/Code/protocolViolation`` and the channel closes.
    ///
    /// - Parameters:
    ///   - buffer: The bytes.
    ///   - expectingReplies: How many replies the commands in `buffer` are owed (0 for
    ///     message data).
    func writeCommands(_ buffer: ByteBuffer, expectingReplies: Int) {
        guard let context = self.context, self.failure == nil else {
            return
        }
        let unread = self.replies.count + (self.hasPartialReply ? 1 : 0)
        guard unread <= self.outstandingReplies else {
            let unread = self.replies.first
            self.replies.removeAll()
            self.bufferedBytes = 0
            let shown = unread.map { "\"\($0.code) \($0.lines.first ?? "")\"" } ?? "unread input"
            self.fail(
                SMTPError(
                    .protocolViolation, "the server sent \(shown) before the client's next command", reply: unread))
            context.close(promise: nil)
            return
        }
        self.outstandingReplies += expectingReplies
        context.writeAndFlush(NIOAny(buffer), promise: nil)
    }

    /// The next reply: one that already arrived, or the next to arrive.
    ///
    /// - Parameter timeout: How long to wait for it; `nil` waits until the channel closes.
    func nextReply(timeout: TimeAmount?) -> EventLoopFuture<SMTPReply> {
        if let reply = self.takeBufferedReply() {
            return self.eventLoop.makeSucceededFuture(reply)
        }
        guard let context = self.context, self.failure == nil else {
            return self.eventLoop.makeFailedFuture(self.currentFailure)
        }
        guard self.replyWaiter == nil else {
            return context.eventLoop.makeFailedFuture(
                SMTPError(.busy, "a reply is already being waited for"))
        }
        let promise = context.eventLoop.makePromise(of: SMTPReply.self)
        self.replyWaiter = Waiter(promise: promise, timeout: self.scheduleTimeout(timeout, context: context, "a reply"))
        return promise.futureResult
    }

    /// A reply that already arrived, without waiting.
    func takeBufferedReply() -> SMTPReply? {
        guard !self.replies.isEmpty else {
            return nil
        }
        let reply = self.replies.removeFirst()
        self.bufferedBytes -= Self.size(of: reply)
        self.outstandingReplies = max(0, self.outstandingReplies - 1)
        return reply
    }

    /// Completes when the channel can take more writes, or fails when it closed or the
    /// timeout expired first.
    ///
    /// - Parameter timeout: How long the channel may stay unwritable.
    func waitForWritability(timeout: TimeAmount?) -> EventLoopFuture<Void> {
        guard let context = self.context, self.failure == nil else {
            return self.eventLoop.makeFailedFuture(self.currentFailure)
        }
        if context.channel.isWritable {
            return context.eventLoop.makeSucceededVoidFuture()
        }
        guard self.writabilityWaiter == nil else {
            return context.eventLoop.makeFailedFuture(
                SMTPError(.busy, "writability is already being waited for"))
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        self.writabilityWaiter = Waiter(
            promise: promise, timeout: self.scheduleTimeout(timeout, context: context, "the server to read data"))
        return promise.futureResult
    }

    /// Completes when the TLS handler in front of this one reports a finished handshake;
    /// fails with ``SMTPError/Code/tlsHandshakeFailed`` or
    /// ``SMTPError/Code/certificateRejected`` when it fails, or on timeout.
    ///
    /// - Parameters:
    ///   - observation: Where the verifier records the chain and its reasons for a refusal.
    ///   - timeout: How long the handshake may take.
    func waitForTLSHandshake(observation: TLSObservation, timeout: TimeAmount?) -> EventLoopFuture<Void> {
        guard let context = self.context, self.failure == nil else {
            return self.eventLoop.makeFailedFuture(self.currentFailure)
        }
        guard self.handshakeWaiter == nil else {
            return context.eventLoop.makeFailedFuture(SMTPError(.busy, "a TLS handshake is already running"))
        }
        self.tlsObservation = observation
        let promise = context.eventLoop.makePromise(of: Void.self)
        self.handshakeWaiter = Waiter(
            promise: promise, timeout: self.scheduleTimeout(timeout, context: context, "the TLS handshake"))
        return promise.futureResult
    }

    /// Fails every request with `error` and closes the channel (an absolute deadline).
    func abort(_ error: SMTPError) {
        self.fail(error)
        self.context?.close(promise: nil)
    }

    // MARK: - Channel events

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, let waiter = self.handshakeWaiter {
            self.handshakeWaiter = nil
            self.tlsObservation = nil
            waiter.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(SMTPError(.connectionClosed, "the connection handler was removed"))
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let incoming = self.unwrapInboundIn(data)
        guard self.failure == nil else {
            return
        }
        do {
            try self.processor.process(buffer: incoming) { reply in
                self.received(reply)
                if self.replies.count > self.maximumBufferedReplies || self.bufferedBytes > self.maximumBufferedBytes {
                    throw SMTPError(.protocolViolation, "the server sent too many unread replies")
                }
            }
        } catch let error as SMTPError {
            self.fail(error)
            context.close(promise: nil)
        } catch {
            // The processor's own limit: more bytes wait for the end of a line than a line may have.
            self.fail(SMTPError(.protocolViolation, "the server sent a reply line that does not end: \(error)"))
            context.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let waiter = self.writabilityWaiter {
            self.writabilityWaiter = nil
            waiter.succeed(())
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(SMTPError(.connectionClosed, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? SMTPError {
            self.fail(error)
        } else if let observation = self.tlsObservation {
            self.fail(TLSErrors.smtpError(forHandshakeError: error, observation: observation))
        } else if TLSErrors.isTLSError(error) {
            self.fail(SMTPError(.connectionClosed, "TLS error: \(error)", underlyingError: error))
        } else {
            self.fail(SMTPError(.connectionClosed, "connection error: \(error)", underlyingError: error))
        }
        context.close(promise: nil)
    }

    // MARK: - Internals

    /// The recorded failure, or "closed" for a handler that is not (or no longer) in a
    /// pipeline.
    private var currentFailure: SMTPError {
        self.failure ?? SMTPError(.connectionClosed, "the connection is closed")
    }

    private func received(_ reply: SMTPReply) {
        if let waiter = self.replyWaiter {
            self.replyWaiter = nil
            self.outstandingReplies = max(0, self.outstandingReplies - 1)
            waiter.succeed(reply)
        } else {
            self.replies.append(reply)
            self.bufferedBytes += Self.size(of: reply)
        }
    }

    private static func size(of reply: SMTPReply) -> Int {
        reply.lines.reduce(0) { $0 + $1.utf8.count + 6 }
    }

    /// Records the first failure and fails whoever waits. Replies already received stay
    /// available.
    private func fail(_ error: SMTPError) {
        if self.failure == nil {
            self.failure = error
        }
        let failure = self.failure ?? error
        if let waiter = self.replyWaiter {
            self.replyWaiter = nil
            waiter.fail(failure)
        }
        if let waiter = self.writabilityWaiter {
            self.writabilityWaiter = nil
            waiter.fail(failure)
        }
        if let waiter = self.handshakeWaiter {
            self.handshakeWaiter = nil
            let failure =
                failure.code == .connectionClosed
                ? SMTPError(.tlsHandshakeFailed, "the connection closed during the TLS handshake")
                : failure
            waiter.fail(failure)
        }
    }

    private func scheduleTimeout(
        _ timeout: TimeAmount?, context: ChannelHandlerContext, _ what: String
    ) -> Scheduled<Void>? {
        guard let timeout else {
            return nil
        }
        return context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(SMTPError(.timeout, "timed out after \(Duration(timeout)) waiting for \(what)"))
            self.context?.close(promise: nil)
        }
    }
}
