import NIOCore

// The public operations (the PSMTP class's methods).
extension SMTPSession {
    /// Connects to the server, reads its greeting and opens the session with `EHLO` (or
    /// `HELO`, see ``Configuration/useExtensions``). The PSMTP reference's `Connect`.
    ///
    /// - Throws: ``SMTPError`` — ``SMTPError/Code/alreadyConnected``,
    ///   ``SMTPError/Code/connectionFailed``, ``SMTPError/Code/timeout``,
    ///   ``SMTPError/Code/greetingRejected``, ``SMTPError/Code/commandRejected`` (`EHLO`
    ///   and `HELO` refused), ``SMTPError/Code/invalidInput`` (bad local host name), … On
    ///   failure the connection is closed.
    public func connect() async throws(SMTPError) {
        try self.beginOperation()
        defer { self.isBusy = false }
        guard self.connection == nil else {
            throw SMTPError(.alreadyConnected, "the session is already connected")
        }
        guard !self.configuration.host.isEmpty, (1...65535).contains(self.configuration.port) else {
            // The PSMTP errors 163 (no MailServer) and 116 (RemotePort zero).
            throw SMTPError(.invalidInput, "specify a mail server and a port from 1 to 65535")
        }
        guard !["0.0.0.0", "::", "[::]"].contains(self.configuration.host) else {
            // The PSMTP error 102: the unspecified address names no server.
            throw SMTPError(.invalidInput, "\(self.configuration.host) is not a server address")
        }
        self.logger.debug("Connecting to SMTP server")
        let connection: SMTPConnection
        var proxy: SMTPProxy?
        do {
            if self.machine.configuration.tls != .none {
                // A CA file, client key or PKCS#12 bundle that cannot be used fails here,
                // before anything goes on the network.
                _ = try await self.tlsClientFactory()
            }
            proxy = try self.configuration.effectiveProxy()
            let endpoint = SMTPConnection.Endpoint(
                host: self.configuration.host, port: self.configuration.port, proxy: proxy,
                localAddress: self.configuration.localAddress, localPort: self.configuration.localPort,
                addressFamily: self.configuration.addressFamily, keepAlive: self.configuration.tcpKeepAlive,
                connectTimeout: self.configuration.connectTimeout)
            connection = try await SMTPConnection.connect(endpoint, group: self.eventLoopGroup)
        } catch {
            self.publish(.error(error))
            throw error
        }
        guard !self.isShutDown else {
            await connection.close()
            throw SMTPError(.sessionShutDown, "the session was shut down while connecting")
        }
        self.adopt(connection)
        if let proxy {
            self.publish(
                .connectionStatus(
                    .proxyTunnelEstablished,
                    description: "\(proxy.kind) proxy \(proxy.host):\(proxy.port) opened a tunnel to \(self.serverName)"
                ))
        }
        if self.machine.configuration.tls == .implicit {
            do {
                try await self.startTLS(on: connection, viaSTARTTLS: false)
            } catch {
                await self.close(connection, reason: "TLS failed: \(error.message)")
                self.publish(.error(error))
                throw error
            }
        }
        let deadline = self.absoluteDeadline(on: connection)
        defer { deadline?.cancel() }
        let outcome = try await self.run(self.machine.connectionEstablished(), on: connection)
        guard case .connected(let capabilities) = outcome else {
            await self.close(connection, reason: "Unexpected connection outcome")
            throw SMTPError(.protocolViolation, "the session did not open")
        }
        if let mechanism = self.machine.authenticatedMechanism {
            self.publish(.connectionStatus(.authenticated, description: "Authenticated with \(mechanism.name)"))
        }
        self.logger.debug(
            "SMTP session open",
            metadata: [
                SMTPLoggingMetadataKey.extended: "\(capabilities.isExtended)",
                SMTPLoggingMetadataKey.extensions: "\(capabilities.keywords.keys.sorted())",
            ])
    }

    /// Sends a message held in memory. The PSMTP reference's `Send`.
    ///
    /// The content is encoded (CRLF line endings, dot-stuffing, final CRLF) before any
    /// command is sent, so an invalid message — a line over 998 octets — fails with
    /// ``SMTPError/Code/lineTooLong`` without touching the connection. Its size is declared
    /// with `SIZE=` when the server offers `SIZE`, and a message over the server's limit
    /// fails with ``SMTPError/Code/messageTooLarge`` before anything is sent; 8-bit content
    /// is declared `BODY=8BITMIME` when the server offers it.
    ///
    /// - Parameters:
    ///   - envelope: The sender and recipients.
    ///   - body: The complete message (headers and body) in any line-ending convention.
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``: ``SMTPError/Code/allRecipientsRefused``,
    ///   ``SMTPError/Code/recipientRefused`` (see ``Configuration/stopOnRecipientErrors``),
    ///   ``SMTPError/Code/commandRejected`` (`MAIL FROM`), ``SMTPError/Code/dataRejected``,
    ///   ``SMTPError/Code/noRecipients``, ``SMTPError/Code/invalidInput``, and the
    ///   connection errors.
    public func send(envelope: SMTPEnvelope, body: [UInt8]) async throws(SMTPError) -> SMTPDeliveryResult {
        try self.checkCanStart()
        // BINARYMIME content goes exactly as given (in BDAT chunks); anything else is checked
        // and encoded for DATA now, so that a bad line fails before a command is sent.
        let isBinary = envelope.bodyType == .binaryMIME
        let (encoded, messageSize) =
            isBinary ? (ByteBuffer(), body.count) : try SMTPDataEncoder.encodeMessageMeasuring(body)
        let facts = SMTPClientStateMachine.ContentFacts(
            size: messageSize, hasEightBitOctets: body.contains { $0 >= 0x80 })
        let outcome = try await self.perform(
            { $0.startTransaction(envelope, content: facts) },
            body: { connection, framing throws(SMTPError) in
                try await self.writeMessage(encoded: encoded, content: body, framing: framing, to: connection)
            })
        return try Self.deliveryResult(from: outcome)
    }

    /// Sends a message whose content arrives as a sequence of chunks, for example read from
    /// a file or produced by an encryption pipeline.
    ///
    /// Each chunk is encoded and written as it arrives; the next chunk is requested only
    /// once the connection can take more data, so a slow server slows the source down and
    /// memory use stays around the chunk size plus the channel's write buffer.
    ///
    /// A problem found in the middle of the content — a line over 998 octets
    /// (``SMTPError/Code/lineTooLong``), an error thrown by the sequence
    /// (``SMTPError/Code/contentSourceFailed``), cancellation — cannot be reported to the
    /// server without delivering a truncated message, so the connection is closed instead
    /// (the server discards unterminated message data).
    ///
    /// - Parameters:
    ///   - envelope: The sender and recipients.
    ///   - body: The message content in chunks of bytes.
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError`` as `send(envelope:body:)` does, plus the
    ///   mid-content failures above.
    public func send<Content: AsyncSequence>(
        envelope: SMTPEnvelope, body: sending Content
    ) async throws(SMTPError) -> SMTPDeliveryResult where Content.Element: Sequence<UInt8> {
        let outcome = try await self.perform(
            { $0.startTransaction(envelope) },
            body: { connection, framing throws(SMTPError) in
                try await self.writeStreamedMessage(body, framing: framing, to: connection)
            })
        return try Self.deliveryResult(from: outcome)
    }

    /// Asks the server to verify a user name or mailbox (`VRFY`). The PSMTP reference's `Verify`.
    ///
    /// - Parameter address: The user name or mailbox.
    /// - Returns: The server's positive reply (`250`, `251` or `252`).
    /// - Throws: ``SMTPError/Code/commandRejected`` with the reply for `4yz`/`5yz`
    ///   (many servers disable `VRFY` with `502`), and the connection errors.
    public func verify(_ address: String) async throws(SMTPError) -> SMTPReply {
        try await self.reply(to: .vrfy(address))
    }

    /// Asks the server to expand a mailing list (`EXPN`). The PSMTP reference's `Expand`.
    ///
    /// - Parameter list: The list's name or address.
    /// - Returns: One entry per line of the reply, as the server wrote it (a mailbox in
    ///   angle brackets, often preceded by a name), without enhanced status codes.
    /// - Throws: ``SMTPError/Code/commandRejected`` with the reply for `4yz`/`5yz`, and the
    ///   connection errors.
    public func expand(_ list: String) async throws(SMTPError) -> [String] {
        let reply = try await self.reply(to: .expn(list))
        return reply.linesWithoutEnhancedStatusCode
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
    }

    /// Sends one command line exactly as given (a CRLF is appended) and returns the reply.
    /// The PSMTP reference's `SendCommand`.
    ///
    /// The session does not interpret the command: a command that changes the server's
    /// state (for example `MAIL FROM`) is the caller's business. A `3yz` reply is returned
    /// like a `2yz` one so that a multi-step dialogue can be continued with further calls.
    ///
    /// - Parameter command: The command line, without CRLF.
    /// - Returns: The server's `2yz` or `3yz` reply.
    /// - Throws: ``SMTPError/Code/invalidInput`` if the line contains CR, LF, NUL or another
    ///   control character, ``SMTPError/Code/commandRejected`` with the reply for
    ///   `4yz`/`5yz`, and the connection errors.
    public func sendCommand(_ command: String) async throws(SMTPError) -> SMTPReply {
        try await self.reply(to: .raw(command))
    }

    /// Sends `NOOP`.
    ///
    /// - Returns: The server's reply.
    /// - Throws: ``SMTPError`` (see ``sendCommand(_:)``).
    @discardableResult
    public func noop() async throws(SMTPError) -> SMTPReply {
        try await self.reply(to: .noop)
    }

    /// Sends `RSET`, abandoning whatever transaction the server holds.
    ///
    /// - Returns: The server's reply.
    /// - Throws: ``SMTPError`` (see ``sendCommand(_:)``).
    @discardableResult
    public func reset() async throws(SMTPError) -> SMTPReply {
        try await self.reply(to: .rset)
    }

    /// Ends the session: sends `QUIT`, waits up to ``Configuration/disconnectTimeout`` for
    /// the reply and closes the connection. The PSMTP reference's `Disconnect`.
    ///
    /// Does nothing when not connected. The connection is closed whatever the server
    /// answers, so the only error is ``SMTPError/Code/busy``.
    public func disconnect() async throws(SMTPError) {
        if self.isBusy {
            throw SMTPError(.busy, "another operation is in progress on this session")
        }
        await self.quitAndClose()
    }

    /// Disconnects (as ``disconnect()``; an operation in progress is interrupted by
    /// closing the connection) and finishes every event stream. The session cannot be used
    /// afterwards; further operations fail with ``SMTPError/Code/sessionShutDown``.
    public func shutdown() async {
        guard !self.isShutDown else {
            return
        }
        self.isShutDown = true
        if self.isBusy {
            // The running operation sees the closed channel and cleans up.
            self.connection?.channel.close(promise: nil)
        } else {
            await self.quitAndClose()
        }
        self.broadcaster.finish()
    }

    // MARK: - Helpers

    private func quitAndClose() async {
        guard let connection = self.connection else {
            return
        }
        self.isBusy = true
        defer { self.isBusy = false }
        do {
            _ = try await self.run(
                self.machine.quitRequested(), on: connection,
                replyTimeout: self.configuration.disconnectTimeout)
        } catch {
            self.logger.debug("QUIT failed; closing anyway", metadata: [SMTPLoggingMetadataKey.error: "\(error)"])
        }
        await self.close(connection, reason: "Disconnected from \(self.serverName)")
    }

    private func reply(to command: SMTPCommand) async throws(SMTPError) -> SMTPReply {
        let outcome = try await self.perform { $0.startCommand(command) }
        guard case .reply(let reply) = outcome else {
            throw SMTPError(.protocolViolation, "unexpected outcome of \(command.trailLine)")
        }
        return reply
    }

    /// The checks of ``perform(_:body:)`` made early, before work that is wasted if the
    /// operation cannot start.
    private func checkCanStart() throws(SMTPError) {
        if self.isShutDown {
            throw SMTPError(.sessionShutDown, "the session has been shut down")
        }
        if self.isBusy {
            throw SMTPError(.busy, "another operation is in progress on this session")
        }
        if self.connection == nil || !self.machine.isReady {
            throw SMTPError(.notConnected, "the session is not connected")
        }
    }

    private static func deliveryResult(from outcome: Outcome) throws(SMTPError) -> SMTPDeliveryResult {
        guard case .delivered(let result) = outcome else {
            throw SMTPError(.protocolViolation, "the transaction ended without a delivery result")
        }
        return result
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = self.unicodeScalars
        let start = scalars.firstIndex { $0 != " " && $0 != "\t" } ?? scalars.endIndex
        let end = scalars.lastIndex { $0 != " " && $0 != "\t" }.map(scalars.index(after:)) ?? start
        return start < end ? String(scalars[start..<end]) : ""
    }
}
