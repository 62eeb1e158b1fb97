import NIOCore
import NIOEmbedded
import Testing

@testable import SMTP

@Suite("Channel handler")
struct SMTPClientChannelHandlerTests {
    /// The result of `future` if it is already complete.
    private func poll<Value>(_ future: EventLoopFuture<Value>) -> Result<Value, any Error>? {
        var result: Result<Value, any Error>?
        future.assumeIsolated().whenComplete { result = $0 }
        return result
    }

    private let loop = EmbeddedEventLoop()

    private func makeHandler(
        maximumBufferedReplies: Int = SMTPClientChannelHandler.defaultMaximumBufferedReplies,
        maximumBufferedBytes: Int = SMTPClientChannelHandler.defaultMaximumBufferedBytes
    ) -> SMTPClientChannelHandler {
        SMTPClientChannelHandler(
            eventLoop: self.loop, maximumBufferedReplies: maximumBufferedReplies,
            maximumBufferedBytes: maximumBufferedBytes)
    }

    private func makeChannel(_ handler: SMTPClientChannelHandler) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: handler, loop: self.loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return channel
    }

    private func errorCode<Value>(_ result: Result<Value, any Error>?) -> SMTPError.Code? {
        guard case .failure(let error as SMTPError) = result else {
            return nil
        }
        return error.code
    }

    @Test func repliesAreDecodedAcrossFragmentsAndQueued() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        let first = handler.nextReply(timeout: nil)
        try channel.writeInbound(ByteBuffer(string: "250-mx.example\r\n25"))
        #expect(poll(first) == nil)
        try channel.writeInbound(ByteBuffer(string: "0 PIPELINING\r\n354 go\r\n221 bye\r\n"))
        let reply = try #require(try poll(first)?.get())
        #expect(reply.lines == ["mx.example", "PIPELINING"])
        #expect(handler.hasUnreadInput)
        #expect(try poll(handler.nextReply(timeout: nil))?.get().code == 354)
        #expect(handler.takeBufferedReply()?.code == 221)
        #expect(handler.takeBufferedReply() == nil)
        #expect(!handler.hasUnreadInput)
    }

    @Test func malformedReplyFailsTheWaiterAndCloses() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        let waiter = handler.nextReply(timeout: nil)
        try channel.writeInbound(ByteBuffer(string: "hello there\r\n"))
        #expect(errorCode(poll(waiter)) == .protocolViolation)
        #expect(!channel.isActive)
        #expect(errorCode(poll(handler.nextReply(timeout: nil))) == .protocolViolation)
    }

    @Test func repliesReceivedBeforeTheCloseAreStillDelivered() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        try channel.writeInbound(ByteBuffer(string: "554 5.3.4 message too big\r\n"))
        try channel.close().wait()
        #expect(try poll(handler.nextReply(timeout: nil))?.get().code == 554)
        #expect(errorCode(poll(handler.nextReply(timeout: nil))) == .connectionClosed)
        #expect(errorCode(poll(handler.waitForWritability(timeout: nil))) == .connectionClosed)
    }

    @Test func requestsAfterTheHandlerLeftThePipelineFail() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        try channel.writeInbound(ByteBuffer(string: "250 ok\r\n"))
        _ = try channel.finish()
        #expect(try poll(handler.nextReply(timeout: nil))?.get().code == 250)
        #expect(errorCode(poll(handler.nextReply(timeout: nil))) == .connectionClosed)
        #expect(errorCode(poll(handler.waitForWritability(timeout: nil))) == .connectionClosed)
    }

    @Test func closeFailsAPendingWaiter() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        let waiter = handler.nextReply(timeout: .seconds(30))
        try channel.close().wait()
        #expect(errorCode(poll(waiter)) == .connectionClosed)
    }

    @Test func silenceTimesOutAndCloses() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        let waiter = handler.nextReply(timeout: .seconds(5))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(poll(waiter) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(errorCode(poll(waiter)) == .timeout)
        #expect(!channel.isActive)
    }

    @Test func timeoutIsCancelledByTheReply() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        let waiter = handler.nextReply(timeout: .seconds(5))
        try channel.writeInbound(ByteBuffer(string: "250 ok\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try poll(waiter)?.get().code == 250)
        #expect(channel.isActive)
    }

    @Test func secondWaiterIsRefused() throws {
        let handler = makeHandler()
        _ = try makeChannel(handler)
        _ = handler.nextReply(timeout: nil)
        #expect(errorCode(poll(handler.nextReply(timeout: nil))) == .busy)
    }

    @Test func writabilityWaitEndsWhenWritableAgainOrTimesOut() throws {
        let handler = makeHandler()
        let channel = try makeChannel(handler)
        #expect(try poll(handler.waitForWritability(timeout: nil))?.get() != nil)

        channel.isWritable = false
        let waiter = handler.waitForWritability(timeout: .seconds(5))
        #expect(poll(waiter) == nil)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(try poll(waiter)?.get() != nil)

        channel.isWritable = false
        let stalled = handler.waitForWritability(timeout: .seconds(5))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(errorCode(poll(stalled)) == .timeout)
        #expect(!channel.isActive)
    }

    @Test func floodOfUnreadRepliesIsAProtocolViolation() throws {
        let handler = makeHandler(maximumBufferedReplies: 3)
        let channel = try makeChannel(handler)
        try channel.writeInbound(ByteBuffer(string: String(repeating: "250 ok\r\n", count: 4)))
        #expect(!channel.isActive)
        for _ in 0..<4 {
            #expect(try poll(handler.nextReply(timeout: nil))?.get().code == 250)
        }
        #expect(errorCode(poll(handler.nextReply(timeout: nil))) == .protocolViolation)
    }

    @Test func unreadReplyBytesAreBounded() throws {
        let handler = makeHandler(maximumBufferedBytes: 100)
        let channel = try makeChannel(handler)
        try channel.writeInbound(ByteBuffer(string: "250 " + String(repeating: "a", count: 80) + "\r\n"))
        #expect(channel.isActive)
        // Reading frees the budget.
        #expect(try poll(handler.nextReply(timeout: nil))?.get().code == 250)
        try channel.writeInbound(ByteBuffer(string: "250 " + String(repeating: "b", count: 80) + "\r\n"))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "250 " + String(repeating: "c", count: 80) + "\r\n"))
        #expect(!channel.isActive)
    }
}
