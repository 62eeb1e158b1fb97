import NIOCore

/// Entry points for the libFuzzer targets in `Fuzz/` (`FuzzProxyReply`, `FuzzSASL`,
/// `FuzzSMTPClient`), which can only see public API.
///
/// **For fuzzing only; not API.** Hidden behind `@_spi(Fuzzing)`, it may change or go away
/// in any release. Each entry point runs internal parsers and state machines on hostile
/// bytes and discards what they produce: a thrown error is the expected answer to bad input.
/// It traps (a `precondition`) only when an invariant of the code under test is broken,
/// which is what the fuzzer looks for.
///
/// Inputs are split the same way everywhere: the caller passes the first byte of the fuzz
/// input as the variant selector and the rest as `input`. Where the input is fed in pieces,
/// it is a sequence of chunks, each a length byte `n` and then `n` bytes; `n == 0` takes
/// everything that is left as one chunk (so a seed can be one whole exchange after a `0`).
@_spi(Fuzzing) public enum SMTPFuzzing {
    /// The chunks of `input`: a length byte, then that many bytes (0: the rest).
    static func chunks(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var index = input.startIndex
        while index < input.endIndex {
            let length = Int(input[index])
            index += 1
            let end = length == 0 ? input.endIndex : min(index + length, input.endIndex)
            result.append(input[index..<end])
            index = end
        }
        return result
    }

    // MARK: - Proxy handshakes

    /// The number of proxy handshake variants ``proxyHandshake(kind:input:)`` chooses from.
    @_spi(Fuzzing) public static let proxyKinds = 7

    /// Runs one proxy handshake state machine on `input` as the proxy's bytes, in chunks.
    ///
    /// `kind % 7`: 0 SOCKS4 to an IPv4 address, 1 SOCKS4A to a host name, 2 SOCKS5 without
    /// authentication, 3 SOCKS5 with user name and password, 4 HTTP `CONNECT`, 5 HTTP
    /// `CONNECT` with `Basic` credentials to an IPv6 address, 6 HTTP `CONNECT` with a
    /// response head limit of 64 bytes.
    @_spi(Fuzzing) public static func proxyHandshake(kind: UInt8, input: [UInt8]) {
        guard var handshake = try? Self.makeProxyHandshake(kind: Int(kind) % Self.proxyKinds) else {
            preconditionFailure("the fixed proxy configuration is invalid")
        }
        _ = handshake.start()
        var buffer = ByteBuffer()
        var failed = false
        var established = false
        chunks: for chunk in Self.chunks(input) {
            buffer.writeBytes(chunk)
            while true {
                let before = buffer.readableBytes
                do {
                    switch try handshake.receive(&buffer) {
                    case .needMoreBytes:
                        precondition(!established, "a handshake went back to reading after it was established")
                        continue chunks
                    case .send(let bytes):
                        precondition(!established, "a handshake sent bytes after it was established")
                        precondition(bytes.readableBytes > 0, "a handshake asked to send nothing")
                        precondition(buffer.readableBytes < before, "a handshake step consumed no bytes")
                    case .established:
                        precondition(buffer.readableBytes <= before)
                        if established {
                            // Asked again: it must not read the target server's bytes.
                            precondition(buffer.readableBytes == before, "an established handshake read bytes")
                            continue chunks
                        }
                        established = true
                    }
                } catch {
                    precondition(!established, "an established handshake threw")
                    precondition(error.code == .proxyFailed, "a proxy handshake threw \(error.code)")
                    failed = true
                    break chunks
                }
            }
        }
        if failed {
            // A failed handshake stays failed.
            var more = ByteBuffer(bytes: [0, 0x5A, 5, 0])
            do {
                _ = try handshake.receive(&more)
                preconditionFailure("a failed proxy handshake accepted more bytes")
            } catch {
                precondition(error.code == .proxyFailed)
            }
        }
    }

    private static func makeProxyHandshake(kind: Int) throws(SMTPError) -> ProxyHandshake {
        let ipv4 = try ProxyTarget(host: "192.0.2.25", port: 25)
        let ipv6 = try ProxyTarget(host: "[2001:db8::25]", port: 465)
        let name = try ProxyTarget(host: "mail.example.org", port: 587)
        switch kind {
        case 0:
            return .socks4(try SOCKS4Handshake(target: ipv4, userID: "fuzz", allowsHostName: false))
        case 1:
            return .socks4(try SOCKS4Handshake(target: name, userID: nil, allowsHostName: true))
        case 2:
            return .socks5(try SOCKS5Handshake(target: name, username: nil, password: nil))
        case 3:
            return .socks5(try SOCKS5Handshake(target: ipv6, username: "fuzz", password: "secret"))
        case 4:
            return .httpConnect(try HTTPConnectHandshake(target: name, username: nil, password: nil))
        case 5:
            return .httpConnect(try HTTPConnectHandshake(target: ipv6, username: "fuzz", password: "secret"))
        default:
            return .httpConnect(
                try HTTPConnectHandshake(target: ipv4, username: nil, password: nil, maximumResponseLength: 64))
        }
    }

    // MARK: - SASL

    /// The SCRAM client nonce ``sasl(mechanism:input:)`` uses: the one of RFC 7677's
    /// example exchange (user `user`, password `pencil`), so seeds can complete it.
    @_spi(Fuzzing) public static let scramNonce = "rOprNGfwEbeRWgbNEkqO"

    /// The largest SCRAM iteration count ``sasl(mechanism:input:)`` lets through to PBKDF2.
    /// The client accepts up to 1,000,000, which takes seconds under AddressSanitizer; a
    /// server-first message with a count above this (and at most the client's maximum) is
    /// not answered, so the fuzzer spends its time on parsing.
    static let fuzzingMaximumIterations = 8192

    /// Runs one SASL client exchange with the challenges in `input`.
    ///
    /// `mechanism % 6` picks `PLAIN`, `LOGIN`, `CRAM-MD5`, `XOAUTH2`, `OAUTHBEARER` or
    /// `SCRAM-SHA-256` (password `pencil` for user `user`, or a bearer token). Bit 3 (`0x08`)
    /// set: the initial response is not sent, so the server must ask for it with an empty
    /// challenge. Bit 4 (`0x10`) set: each chunk of `input` is the text of a `334` reply
    /// (lines split at LF), decoded with ``SASLBase64/challenge(in:)``; clear: each chunk is
    /// a decoded challenge (and is also run through ``SASLBase64/decode(_:)``). Finally
    /// ``SASLClient/finish()`` runs as on a `235` reply.
    @_spi(Fuzzing) public static func sasl(mechanism selector: UInt8, input: [UInt8]) {
        let mechanism = SMTPAuthMechanism.all[Int(selector & 0x07) % SMTPAuthMechanism.all.count]
        let credentials =
            mechanism.usesBearerToken
            ? SMTPCredentials(username: "user", bearerToken: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")
            : SMTPCredentials(username: "user", password: "pencil")
        let skipsInitialResponse = selector & 0x08 != 0
        let encoded = selector & 0x10 != 0
        guard
            var client = try? SASLClient(
                mechanism: mechanism, credentials: credentials, host: "mail.example.org", port: 587,
                nonce: Self.scramNonce)
        else {
            preconditionFailure("the fixed SASL configuration is invalid")
        }
        var failed = false
        if !skipsInitialResponse {
            do {
                let response = try client.initialResponse()
                precondition((response != nil) == mechanism.hasInitialResponse)
            } catch {
                failed = true
            }
        }
        for chunk in Self.chunks(input) where !failed {
            let challenge: [UInt8]
            if encoded {
                let text = String(decoding: chunk, as: UTF8.self)
                let reply = SMTPReply(code: 334, lines: text.split(separator: "\n").map(String.init))
                do {
                    challenge = try SASLBase64.challenge(in: reply)
                } catch {
                    precondition(error.code == .protocolViolation)
                    continue
                }
            } else {
                challenge = Array(chunk)
                if let decoded = SASLBase64.decode(String(decoding: chunk, as: UTF8.self)) {
                    // What decodes re-encodes to the same bytes.
                    precondition(SASLBase64.decode(SASLBase64.encode(decoded)) == decoded)
                }
                precondition(SASLBase64.decode(SASLBase64.encode(challenge)) == challenge, "base64 does not round-trip")
            }
            if mechanism == .scramSHA256, let count = Self.scramIterationCount(challenge),
                count > Self.fuzzingMaximumIterations, count <= SASLClient.scramMaximumIterations
            {
                continue
            }
            do {
                let response = try client.respond(to: challenge)
                _ = SASLBase64.encode(response)
            } catch {
                failed = true
            }
        }
        if failed {
            // A failed client stays failed.
            do {
                _ = try client.respond(to: [])
                preconditionFailure("a failed SASL client answered another challenge")
            } catch {}
        }
        _ = try? client.finish()
        _ = client.serverError
    }

    /// The value of the `i=` attribute of a SCRAM server-first message, if it has one that
    /// is all digits.
    static func scramIterationCount(_ challenge: [UInt8]) -> Int? {
        for part in challenge.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard part.starts(with: Array("i=".utf8)) else {
                continue
            }
            let digits = part.dropFirst(2)
            guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return nil
            }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        return nil
    }

    // MARK: - The SMTP client state machine

    /// Runs a whole session of the SMTP client state machine against `input`.
    ///
    /// `input[0]` and `input[1]` configure the session; the rest is the server's byte
    /// stream, read with ``SMTPReplyParser`` one reply at a time as the machine asks for
    /// replies. When the session is ready the driver runs a fixed script: a pipelined
    /// transaction with three recipients, `NOOP`, a transaction with one recipient, a raw
    /// command, `VRFY`, `RSET`, a transaction with two recipients and `QUIT`. When the
    /// stream ends (or cannot be parsed) the connection closes (or fails).
    ///
    /// `input[0]`: bits 0–1 TLS (none, STARTTLS required, STARTTLS opportunistic,
    /// implicit); bits 2–3 credentials (none, a password, a bearer token, a password with
    /// an explicit mechanism); bit 4 `HELO` instead of `EHLO`; bit 5 stop on recipient
    /// errors; bit 6 `RSET` before transactions; bit 7 authentication allowed without TLS.
    /// `input[1]`: bit 0 the TLS handshake fails; bits 1–3 the explicit mechanism; bit 4 a
    /// non-ASCII recipient; bit 5 the message needs SMTPUTF8; bits 6–7 the body size.
    ///
    /// Checked after every step: the machine never traps, a request that closes the
    /// connection leaves it closed, a request that finishes without closing leaves the
    /// session ready, and a request made while another runs is refused without effect.
    @_spi(Fuzzing) public static func clientStateMachine(input: [UInt8]) {
        guard input.count >= 2 else {
            return
        }
        let options = input[0]
        let more = input[1]
        var configuration = SMTPClientStateMachine.Configuration(
            localHostname: "client.example.org", useExtensions: options & 0x10 == 0,
            stopOnRecipientErrors: options & 0x20 != 0, sendRSETBeforeTransaction: options & 0x40 != 0)
        let tlsModes: [ResolvedTLSMode] = [.none, .startTLS(required: true), .startTLS(required: false), .implicit]
        configuration.tls = tlsModes[Int(options & 0x03)]
        switch options >> 2 & 0x03 {
        case 1:
            configuration.credentials = SMTPCredentials(username: "user", password: "pencil")
        case 2:
            configuration.credentials = SMTPCredentials(username: "user", bearerToken: "token")
        case 3:
            configuration.credentials = SMTPCredentials(username: "user", password: "pencil")
            configuration.authentication = .mechanism(SMTPAuthMechanism.all[Int(more >> 1 & 0x07) % 6])
        default:
            break
        }
        configuration.allowsAuthenticationWithoutTLS = options & 0x80 != 0
        configuration.serverHost = "mail.example.org"
        configuration.serverPort = 587
        var driver = ClientDriver(
            machine: SMTPClientStateMachine(configuration: configuration),
            stream: ByteBuffer(bytes: input.dropFirst(2)),
            tlsFails: more & 0x01 != 0,
            nonASCIIRecipient: more & 0x10 != 0,
            requiresSMTPUTF8: more & 0x20 != 0,
            bodySize: [0, 1, 1000, 100_000][Int(more >> 6 & 0x03)])
        driver.run()
    }

    /// Drives ``SMTPClientStateMachine`` like ``SMTPSession`` does, checking its actions.
    private struct ClientDriver {
        var machine: SMTPClientStateMachine
        var stream: ByteBuffer
        var parser = SMTPReplyParser(maximumLineLength: 1000, maximumLineCount: 200)
        let tlsFails: Bool
        let nonASCIIRecipient: Bool
        let requiresSMTPUTF8: Bool
        let bodySize: Int
        var script = 0
        /// The number of steps, against a machine that loops.
        var steps = 0

        init(
            machine: SMTPClientStateMachine, stream: ByteBuffer, tlsFails: Bool, nonASCIIRecipient: Bool,
            requiresSMTPUTF8: Bool, bodySize: Int
        ) {
            self.machine = machine
            self.stream = stream
            self.tlsFails = tlsFails
            self.nonASCIIRecipient = nonASCIIRecipient
            self.requiresSMTPUTF8 = requiresSMTPUTF8
            self.bodySize = bodySize
        }

        /// What the driver does after an action.
        private enum Next {
            case readReply
            case nextRequest
            case stop
        }

        mutating func run() {
            precondition(!self.machine.isConnectionOpen)
            var next = self.handle(self.machine.connectionEstablished())
            while true {
                self.steps += 1
                precondition(self.steps < 100_000, "the session does not end")
                switch next {
                case .stop:
                    return
                case .nextRequest:
                    next = self.nextRequest()
                case .readReply:
                    self.checkBusy()
                    let reply: SMTPReply?
                    do {
                        reply = try self.parser.parse(&self.stream)
                    } catch {
                        let action = self.machine.errorCaught(error)
                        self.checkClosed(action)
                        return
                    }
                    guard let reply else {
                        // The stream ended: the server closed the connection.
                        let action = self.machine.channelClosed()
                        self.checkClosed(action)
                        return
                    }
                    next = self.handle(self.machine.replyReceived(reply))
                }
            }
        }

        /// A request made while the machine is busy must fail without changing anything.
        private mutating func checkBusy() {
            let open = self.machine.isConnectionOpen
            let ready = self.machine.isReady
            let envelope = SMTPEnvelope(reversePath: "a@example.org", recipients: ["b@example.org"])
            for action in [
                self.machine.startCommand(.noop), self.machine.quitRequested(), self.machine.startTransaction(envelope),
            ] {
                guard case .fail(let error, closeConnection: false) = action else {
                    preconditionFailure("a request while busy did not fail: \(action)")
                }
                precondition(error.code == .busy, "a request while busy failed with \(error.code)")
            }
            precondition(self.machine.isConnectionOpen == open && self.machine.isReady == ready)
        }

        private func checkClosed(_ action: SMTPClientStateMachine.Action) {
            precondition(!self.machine.isConnectionOpen, "the connection is still open after it closed")
            precondition(self.machine.authenticatedMechanism == nil && !self.machine.isSecure)
            switch action {
            case .fail(_, closeConnection: true), .succeed(_, closeConnection: true):
                break
            default:
                preconditionFailure("unexpected action after the connection closed: \(action)")
            }
        }

        /// Checks `action` and says what comes next.
        private mutating func handle(_ action: SMTPClientStateMachine.Action) -> Next {
            switch action {
            case .sendCommands(let commands):
                precondition(!commands.isEmpty, "no commands to send")
                precondition(self.machine.isConnectionOpen && !self.machine.isReady)
                for command in commands {
                    _ = command.line
                }
                return .readReply
            case .readReply, .sendDataTerminator:
                precondition(self.machine.isConnectionOpen && !self.machine.isReady)
                return .readReply
            case .streamBody:
                precondition(self.machine.isConnectionOpen && !self.machine.isReady)
                return self.handle(self.machine.dataBodyFinished(byteCount: self.bodySize))
            case .streamBodyInChunks:
                // As many BDAT chunks as the body has started kilobytes, at least one.
                precondition(self.machine.isConnectionOpen && !self.machine.isReady)
                let chunks = max(1, (self.bodySize + 1023) / 1024)
                return self.handle(self.machine.dataBodyFinished(byteCount: self.bodySize, chunkCount: chunks))
            case .startTLS:
                precondition(self.machine.isConnectionOpen && !self.machine.isReady && !self.machine.isSecure)
                if self.tlsFails {
                    let action = self.machine.errorCaught(SMTPError(.tlsHandshakeFailed, "the fuzzer's TLS failed"))
                    self.checkClosed(action)
                    return .stop
                }
                let action = self.machine.tlsEstablished()
                precondition(self.machine.isSecure || !self.machine.isConnectionOpen)
                return self.handle(action)
            case .succeed(let outcome, let closeConnection):
                if closeConnection {
                    self.checkClosed(action)
                    return .stop
                }
                precondition(self.machine.isReady, "a request succeeded but the session is not ready")
                switch outcome {
                case .connected(let capabilities):
                    precondition(self.machine.capabilities == capabilities)
                    if self.machine.configuration.credentials == nil {
                        precondition(self.machine.authenticatedMechanism == nil)
                    } else {
                        precondition(self.machine.authenticatedMechanism != nil)
                    }
                case .delivered(let result):
                    precondition(!result.acceptedRecipients.isEmpty, "delivered to no recipient")
                case .reply, .disconnected:
                    break
                }
                return .nextRequest
            case .fail(_, let closeConnection):
                if closeConnection {
                    self.checkClosed(action)
                    return .stop
                }
                guard self.machine.isReady else {
                    // Only a refused request of the driver's own leaves a busy or closed
                    // machine alone; none is made here while the machine is not ready.
                    preconditionFailure("a request failed without closing but the session is not ready")
                }
                return .nextRequest
            case .none:
                precondition(!self.machine.isConnectionOpen)
                return .stop
            }
        }

        /// The next request of the script, once the session is ready.
        private mutating func nextRequest() -> Next {
            precondition(self.machine.isReady)
            let step = self.script
            self.script += 1
            let action: SMTPClientStateMachine.Action
            switch step {
            case 0:
                var recipients: [SMTPEnvelope.Recipient] = [
                    "one@example.org", "two@example.net", "three@example.com",
                ]
                if self.nonASCIIRecipient {
                    recipients.append("grüße@example.de")
                }
                var envelope = SMTPEnvelope(reversePath: "sender@example.org", recipients: recipients)
                envelope.requiresSMTPUTF8 = self.requiresSMTPUTF8
                action = self.machine.startTransaction(envelope)
            case 1:
                action = self.machine.startCommand(.noop)
            case 2:
                action = self.machine.startTransaction(
                    SMTPEnvelope(reversePath: "", recipients: ["postmaster@example.org"]))
            case 3:
                action = self.machine.startCommand(.raw("XCLIENT NAME=fuzz"))
            case 4:
                action = self.machine.startCommand(.vrfy("postmaster"))
            case 5:
                action = self.machine.startCommand(.rset)
            case 6:
                action = self.machine.startTransaction(
                    SMTPEnvelope(reversePath: "sender@example.org", recipients: ["a@example.org", "b@example.org"]))
            default:
                action = self.machine.quitRequested()
            }
            return self.handle(action)
        }
    }
}
