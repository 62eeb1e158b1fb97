extension SMTPTestServer {
    /// Every message accepted so far, in the order their final `250` was sent (or, for
    /// `Response.acceptThenDisconnect`, the connection was closed instead). A message rejected
    /// at the end of its content, or whose connection closed before the final reply, is not
    /// among them.
    public var receivedMessages: [ReceivedMessage] {
        recorder.messages
    }

    /// How many messages have been accepted so far: `receivedMessages.count` without copying.
    public var receivedMessageCount: Int {
        recorder.messageCount
    }

    /// The oldest accepted message not yet returned by this method, waiting up to `timeout`
    /// for one to arrive. Throws `SMTPTestServerError` (`.timedOut`, `.shutDown`) or
    /// `CancellationError`.
    public func nextMessage(timeout: Duration = .seconds(10)) async throws -> ReceivedMessage {
        let messages = try await recorder.wait(for: .nextMessage, timeout: timeout)
        return messages[0]
    }

    /// Waits up to `timeout` until at least `count` messages have been accepted in all, and
    /// returns all accepted so far (`count` or more). Independent of `nextMessage(timeout:)`.
    public func waitForMessages(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedMessage] {
        try await recorder.wait(for: .messageCount(count), timeout: timeout)
    }

    /// The transcript of every connection so far, in the order connections were accepted;
    /// `transcripts[n - 1]` is connection `n`.
    public var transcripts: [Transcript] {
        recorder.transcripts
    }

    /// How many connections the server has accepted.
    public var connectionCount: Int {
        recorder.connectionCount
    }

    /// How many connections are open now.
    public var openConnectionCount: Int {
        recorder.openConnectionCount
    }

    /// The most connections that were open at the same time.
    public var maximumConcurrentConnections: Int {
        recorder.maximumConcurrentConnections
    }
}
