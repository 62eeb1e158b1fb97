import NIOCore

// The driver: performs the state machine's actions on the connection.
extension SMTPSession {
    typealias Action = SMTPClientStateMachine.Action
    typealias Outcome = SMTPClientStateMachine.Outcome

    /// Writes the message content after `354` (``SMTPDataEncoder/Framing/data``) or in
    /// `BDAT` chunks (``SMTPDataEncoder/Framing/bdat``).
    typealias BodyWriter = (SMTPConnection, SMTPDataEncoder.Framing) async throws(SMTPError) -> BodyWritten

    /// What a ``BodyWriter`` wrote.
    struct BodyWritten: Sendable {
        /// Content octets, after encoding.
        var bytes: Int
        /// `BDAT` commands (0 after `DATA`).
        var chunks: Int
    }

    /// The size of the slices an in-memory message is written in; a progress event follows
    /// each slice.
    static let dataSliceSize = 64 * 1024

    /// Marks the session busy after checking it can start an operation. Callers reset
    /// `isBusy` when the operation ends.
    func beginOperation() throws(SMTPError) {
        if self.isShutDown {
            throw SMTPError(.sessionShutDown, "the session has been shut down")
        }
        if self.isBusy {
            throw SMTPError(.busy, "another operation is in progress on this session")
        }
        if Task.isCancelled {
            throw SMTPError(.cancelled, "the task was cancelled before the operation started")
        }
        self.isBusy = true
    }

    /// Runs one request on the open session: starts it on the state machine, then performs
    /// actions until it succeeds or fails.
    func perform(
        _ start: (inout SMTPClientStateMachine) -> Action,
        body: BodyWriter? = nil
    ) async throws(SMTPError) -> Outcome {
        try self.beginOperation()
        defer { self.isBusy = false }
        guard let connection = self.connection, self.machine.isReady else {
            throw SMTPError(.notConnected, "the session is not connected")
        }
        let deadline = self.absoluteDeadline(on: connection)
        defer { deadline?.cancel() }
        return try await self.run(start(&self.machine), on: connection, body: body)
    }

    /// With ``SMTPTimeoutMode/absolute``, a timer that fails the operation running on
    /// `connection` with ``SMTPError/Code/timeout`` (and closes it) when
    /// ``Configuration/commandTimeout`` has passed; `nil` otherwise. Cancel it when the
    /// operation ends.
    func absoluteDeadline(on connection: SMTPConnection) -> Scheduled<Void>? {
        guard self.configuration.timeoutMode == .absolute else {
            return nil
        }
        let timeout = self.configuration.commandTimeout
        return connection.abort(
            after: timeout, with: SMTPError(.timeout, "the operation did not complete within \(timeout)"))
    }

    /// Waits as long as ``Configuration/maximumTransferRate`` asks after `count` more octets
    /// of message data were written since `start`.
    private func pace(
        _ limiter: inout TransferRateLimiter?, wrote count: Int, since start: ContinuousClock.Instant
    ) async throws(SMTPError) {
        guard var current = limiter else {
            return
        }
        let delay = current.wrote(count, elapsed: ContinuousClock.now - start)
        limiter = current
        guard delay > .zero else {
            return
        }
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw SMTPError(.cancelled, "the operation was cancelled while sending message data")
        }
    }

    private var rateLimiter: TransferRateLimiter? {
        self.configuration.maximumTransferRate.map { TransferRateLimiter(bytesPerSecond: max(1, $0)) }
    }

    /// Performs `action` and those that follow until the request completes.
    func run(
        _ action: Action, on connection: SMTPConnection, body: BodyWriter? = nil,
        replyTimeout: Duration? = nil
    ) async throws(SMTPError) -> Outcome {
        let replyTimeout = replyTimeout ?? self.configuration.commandTimeout
        var action = action
        while true {
            switch action {
            case .sendCommands(let commands):
                var buffer = ByteBuffer()
                do {
                    for command in commands {
                        try command.encode(into: &buffer)
                    }
                } catch {
                    action = self.machine.close(failing: error)
                    continue
                }
                connection.write(buffer, expectingReplies: commands.count)
                for command in commands {
                    self.trail(.clientToServer, command.trailLine)
                }
                action = await self.readReply(from: connection, timeout: replyTimeout)

            case .readReply:
                action = await self.readReply(from: connection, timeout: replyTimeout)

            case .sendDataTerminator:
                connection.write(ByteBuffer(string: ".\r\n"), expectingReplies: 1)
                self.trail(.clientToServer, ".")
                action = await self.readReply(from: connection, timeout: replyTimeout)

            case .startTLS:
                do {
                    try await self.startTLS(on: connection, viaSTARTTLS: true)
                    action = self.machine.tlsEstablished()
                } catch {
                    action = self.machine.errorCaught(error)
                }

            case .streamBody, .streamBodyInChunks:
                guard let body else {
                    action = self.machine.dataBodyFailed(
                        SMTPError(.protocolViolation, "the server accepted DATA outside a transaction"))
                    continue
                }
                self.publish(.transferStarted)
                do {
                    let framing: SMTPDataEncoder.Framing =
                        if case .streamBodyInChunks(let binary) = action { binary ? .binary : .bdat } else { .data }
                    let written = try await body(connection, framing)
                    self.publish(.transferEnded(bytesSent: written.bytes))
                    action = self.machine.dataBodyFinished(byteCount: written.bytes, chunkCount: written.chunks)
                } catch {
                    action = self.machine.dataBodyFailed(await Self.attachingBufferedReply(to: error, from: connection))
                }

            case .succeed(let outcome, let closeConnection):
                if closeConnection {
                    await self.close(connection, reason: "Disconnected from \(self.serverName)")
                }
                return outcome

            case .fail(let error, let closeConnection):
                if closeConnection {
                    await self.close(connection, reason: "Connection closed: \(error.message)")
                }
                self.logger.debug("SMTP operation failed", metadata: [SMTPLoggingMetadataKey.error: "\(error)"])
                self.publish(.error(error))
                throw error

            case .none:
                action = self.machine.close(
                    failing: SMTPError(.protocolViolation, "the protocol state machine stopped unexpectedly"))
            }
        }
    }

    /// Reads the next reply and feeds it to the state machine (or the failure to read it).
    private func readReply(from connection: SMTPConnection, timeout: Duration) async -> Action {
        let reply: SMTPReply
        do {
            reply = try await connection.nextReply(timeout: timeout)
        } catch {
            let action = self.machine.errorCaught(error)
            if case .none = action {
                return .fail(error, closeConnection: true)
            }
            return action
        }
        guard self.connection === connection else {
            // The session was shut down while waiting.
            return self.machine.close(failing: SMTPError(.sessionShutDown, "the session has been shut down"))
        }
        self.lastReply = reply
        for line in reply.wireLines {
            self.trail(.serverToClient, line)
        }
        return self.machine.replyReceived(reply)
    }

    /// When writing data failed because the server closed the connection, the reason may
    /// be in a reply it sent first; attach that reply to the error.
    private static func attachingBufferedReply(to error: SMTPError, from connection: SMTPConnection) async -> SMTPError
    {
        guard error.reply == nil, error.code == .connectionClosed, let reply = await connection.bufferedReply() else {
            return error
        }
        var error = error
        error.reply = reply
        return error
    }

    /// Runs the TLS handshake on `connection` (after `STARTTLS`, or first thing for implicit
    /// TLS) and records ``SMTPSession/tlsInfo``.
    func startTLS(on connection: SMTPConnection, viaSTARTTLS: Bool) async throws(SMTPError) {
        let factory = try await self.tlsClientFactory()
        let info = try await connection.startTLS(
            factory: factory, host: self.configuration.host, viaSTARTTLS: viaSTARTTLS,
            timeout: self.configuration.commandTimeout)
        self.tlsInfo = info
        self.logger.debug(
            "TLS established",
            metadata: [
                SMTPLoggingMetadataKey.tls:
                    "\(info.protocolVersion), \(info.peerCertificate?.subject ?? "no certificate")"
            ])
        self.publish(
            .connectionStatus(
                .tlsEstablished,
                description: "\(info.protocolVersion) with \(info.peerCertificate?.description ?? "no certificate")"))
    }

    /// The TLS context of the session, built on first use (it reads the configured files).
    func tlsClientFactory() async throws(SMTPError) -> TLSClientFactory {
        if let existing = self.tlsFactory {
            return existing
        }
        let factory = try await TLSClientFactory.make(self.configuration.tlsConfiguration)
        self.tlsFactory = factory
        return factory
    }

    var serverName: String {
        "\(self.configuration.host):\(self.configuration.port)"
    }

    // MARK: - Connection lifecycle

    /// Starts using a freshly opened connection.
    func adopt(_ connection: SMTPConnection) {
        self.connectionGeneration += 1
        let generation = self.connectionGeneration
        self.connection = connection
        self.logger[metadataKey: SMTPLoggingMetadataKey.connectionID] = "\(SMTPConnectionID.next())"
        self.machine = SMTPClientStateMachine(configuration: self.configuration.stateMachineConfiguration)
        connection.channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else {
                return
            }
            Task {
                await self.connectionDidClose(generation: generation)
            }
        }
        self.publish(.connectionStatus(.connected, description: "Connected to \(self.serverName)"))
    }

    /// The channel closed by itself while no operation was running (an operation notices
    /// and handles a closed connection itself).
    private func connectionDidClose(generation: Int) {
        guard generation == self.connectionGeneration, !self.isBusy, self.connection != nil else {
            return
        }
        self.connection = nil
        self.tlsInfo = nil
        _ = self.machine.channelClosed()
        self.logger.debug("SMTP server closed the connection")
        self.publish(.connectionStatus(.disconnected, description: "The server closed the connection"))
    }

    /// Closes `connection` if it is still the session's connection.
    func close(_ connection: SMTPConnection, reason: String) async {
        guard self.connection === connection else {
            return
        }
        self.connection = nil
        self.tlsInfo = nil
        if self.machine.isConnectionOpen {
            _ = self.machine.channelClosed()
        }
        await connection.close()
        self.logger.debug("SMTP connection closed", metadata: [SMTPLoggingMetadataKey.reason: "\(reason)"])
        self.publish(.connectionStatus(.disconnected, description: reason))
    }

    // MARK: - Message content

    /// The largest `BDAT` chunk: content is gathered up to this size per command, so that a
    /// message needs few replies (the reply buffer holds at most 10,000) in bounded memory.
    static let bdatChunkSize = 1024 * 1024

    /// Writes an in-memory message: after `DATA`, the encoded bytes in slices (waiting for
    /// writability between them); in `BDAT` chunks, the content re-encoded without
    /// dot-stuffing.
    ///
    /// - Parameters:
    ///   - encoded: The content encoded for `DATA` (terminator included).
    ///   - content: The content as given, for `BDAT`.
    func writeMessage(
        encoded: ByteBuffer, content: [UInt8], framing: SMTPDataEncoder.Framing, to connection: SMTPConnection
    ) async throws(SMTPError) -> BodyWritten {
        switch framing {
        case .data:
            return BodyWritten(bytes: try await self.writeEncodedMessage(encoded, to: connection), chunks: 0)
        case .bdat, .binary:
            var remaining = try SMTPDataEncoder.encodeMessage(content, framing: framing)
            let total = remaining.readableBytes
            var chunks = 0
            var limiter = self.rateLimiter
            let start = ContinuousClock.now
            repeat {
                let size = min(Self.bdatChunkSize, remaining.readableBytes)
                let slice = remaining.readSlice(length: size) ?? ByteBuffer()
                try await self.writeChunk(slice, last: remaining.readableBytes == 0, to: connection)
                try await self.pace(&limiter, wrote: size, since: start)
                chunks += 1
                self.publish(.transferProgress(bytesSent: total - remaining.readableBytes, totalBytes: total))
            } while remaining.readableBytes > 0
            return BodyWritten(bytes: total, chunks: chunks)
        }
    }

    /// Writes one `BDAT` command with its chunk, without waiting for its reply.
    private func writeChunk(_ chunk: ByteBuffer, last: Bool, to connection: SMTPConnection) async throws(SMTPError) {
        let command = SMTPCommand.bdat(size: chunk.readableBytes, last: last)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(chunk.readableBytes + 24)
        try command.encode(into: &buffer)
        var chunk = chunk
        buffer.writeBuffer(&chunk)
        self.trail(.clientToServer, command.trailLine)
        try await connection.writeData(
            buffer, expectingReplies: 1, timeout: self.configuration.commandTimeout, endsMessage: last)
    }

    /// Writes an encoded in-memory message in slices, waiting for writability between them.
    func writeEncodedMessage(_ message: ByteBuffer, to connection: SMTPConnection) async throws(SMTPError) -> Int {
        var remaining = message
        let total = message.readableBytes
        var sent = 0
        var limiter = self.rateLimiter
        let start = ContinuousClock.now
        while remaining.readableBytes > 0 {
            let slice = remaining.readSlice(length: min(Self.dataSliceSize, remaining.readableBytes))!
            try await connection.writeData(
                slice, timeout: self.configuration.commandTimeout, endsMessage: remaining.readableBytes == 0)
            try await self.pace(&limiter, wrote: slice.readableBytes, since: start)
            sent += slice.readableBytes
            self.publish(.transferProgress(bytesSent: sent, totalBytes: total))
        }
        return sent
    }

    /// Encodes and writes streamed content chunk by chunk, waiting for writability after
    /// each write so that memory use stays bounded by the chunk size: after `DATA` every
    /// chunk as it comes; in `BDAT` chunks, gathered up to ``bdatChunkSize``.
    func writeStreamedMessage<Content: AsyncSequence>(
        _ content: Content, framing: SMTPDataEncoder.Framing, to connection: SMTPConnection
    ) async throws(SMTPError) -> BodyWritten where Content.Element: Sequence<UInt8> {
        var encoder = SMTPDataEncoder(framing: framing)
        var sent = 0
        var chunks = 0
        var pending = ByteBuffer()
        var limiter = self.rateLimiter
        let start = ContinuousClock.now
        do {
            for try await chunk in content {
                if Task.isCancelled {
                    throw SMTPError(.cancelled, "the operation was cancelled while sending message data")
                }
                try encoder.encode(chunk, into: &pending)
                switch framing {
                case .data:
                    guard pending.readableBytes > 0 else {
                        continue
                    }
                    sent += pending.readableBytes
                    try await connection.writeData(pending, timeout: self.configuration.commandTimeout)
                    try await self.pace(&limiter, wrote: pending.readableBytes, since: start)
                    pending.clear()
                case .bdat, .binary:
                    while pending.readableBytes >= Self.bdatChunkSize {
                        let slice = pending.readSlice(length: Self.bdatChunkSize) ?? ByteBuffer()
                        try await self.writeChunk(slice, last: false, to: connection)
                        try await self.pace(&limiter, wrote: slice.readableBytes, since: start)
                        sent += slice.readableBytes
                        chunks += 1
                    }
                    pending.discardReadBytes()
                }
                self.publish(.transferProgress(bytesSent: sent, totalBytes: nil))
            }
        } catch let error as SMTPError {
            throw error
        } catch is CancellationError {
            throw SMTPError(.cancelled, "the message content source was cancelled")
        } catch {
            throw SMTPError(
                .contentSourceFailed, "the message content source failed: \(error)", underlyingError: error)
        }
        encoder.finish(into: &pending)
        sent += pending.readableBytes
        switch framing {
        case .data:
            try await connection.writeData(pending, timeout: self.configuration.commandTimeout, endsMessage: true)
        case .bdat, .binary:
            try await self.writeChunk(pending, last: true, to: connection)
            chunks += 1
        }
        self.publish(.transferProgress(bytesSent: sent, totalBytes: nil))
        return BodyWritten(bytes: sent, chunks: chunks)
    }
}
