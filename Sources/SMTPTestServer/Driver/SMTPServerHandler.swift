import Logging
import NIOCore

/// Drives an `SMTPServerStateMachine` on one connection: feeds it the lines `SMTPLineDecoder`
/// frames, writes its replies (flushing once per read, which answers a pipelined burst in one
/// write), records transcript and messages, and closes when told. While a scripted delay runs
/// it holds back further input, so that replies keep their order.
final class SMTPServerHandler: ChannelInboundHandler {
    typealias InboundIn = InboundLine
    typealias OutboundOut = ByteBuffer

    private var machine: SMTPServerStateMachine
    private let recorder: ServerRecorder
    private let logger: Logger
    /// The scripted delay in progress, if any.
    private var stall: Scheduled<Void>?
    /// Input that arrived during a delay, to be fed to the machine once it is over.
    private var heldBack = CircularBuffer<InboundLine>()

    init(machine: SMTPServerStateMachine, recorder: ServerRecorder, logger: Logger) {
        self.machine = machine
        self.recorder = recorder
        var logger = logger
        logger[metadataKey: "smtp.connection"] = "\(machine.connectionNumber)"
        self.logger = logger
    }

    private var connectionNumber: Int { machine.connectionNumber }

    func channelActive(context: ChannelHandlerContext) {
        logger.debug("SMTP connection opened", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        perform(machine.connected(), context: context)
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        if stall != nil {
            heldBack.append(line)
        } else {
            receive(line, context: context)
        }
    }

    private func receive(_ line: InboundLine, context: ChannelHandlerContext) {
        let output = machine.receivedLine(line)
        if let line = output.transcript {
            if case .command(let text, _) = line { logger.trace("C: \(text)") }
            recorder.append([line], toConnection: connectionNumber)
        }
        perform(output.action, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stall?.cancel()
        stall = nil
        heldBack.removeAll()
        if let line = machine.connectionClosed() {
            recorder.append([line], toConnection: connectionNumber)
        }
        recorder.closeConnection(connectionNumber)
        logger.debug("SMTP connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("SMTP connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func perform(_ action: SMTPServerStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .send(let reply, let after):
            send(reply, then: after, context: context)
        case .deliver(let message, let reply, let after):
            logger.debug("SMTP message accepted", metadata: ["queue-id": "\(message.queueID)"])
            recorder.record(message)
            send(reply, then: after, context: context)
        case .disconnect:
            logger.debug("SMTP connection dropped by script")
            context.close(promise: nil)
        case .deliverWithoutReply(let message):
            logger.debug(
                "SMTP message accepted, connection dropped by script", metadata: ["queue-id": "\(message.queueID)"])
            recorder.record(message)
            context.close(promise: nil)
        case .delayed(let duration, let action):
            logger.trace("SMTP reply delayed by script", metadata: ["delay": "\(duration)"])
            stall = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) { [self] in
                resume(with: action, context: context)
            }
        }
    }

    /// Ends a delay: performs the delayed action, then feeds the input held back meanwhile
    /// until it is used up or another delay begins. A closed connection cancels the delay.
    private func resume(with action: SMTPServerStateMachine.Action, context: ChannelHandlerContext) {
        stall = nil
        perform(action, context: context)
        while stall == nil, let line = heldBack.popFirst() {
            receive(line, context: context)
        }
        context.flush()
    }

    /// Records the reply in the transcript before writing it, so that a client that has read a
    /// reply always finds it (and the command before it) in the transcript.
    private func send(
        _ reply: Reply, then after: SMTPServerStateMachine.AfterReply, context: ChannelHandlerContext
    ) {
        let lines = reply.wireLines
        for line in lines { logger.trace("S: \(line)") }
        recorder.append(lines.map { .reply($0) }, toConnection: connectionNumber)
        var buffer = context.channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.utf8.count + 2 })
        reply.write(to: &buffer)
        switch after {
        case .keepOpen:
            context.write(wrapOutboundOut(buffer), promise: nil)
        case .close:
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
