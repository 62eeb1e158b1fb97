// The connection phase: greeting, EHLO (with the fall-back to HELO), STARTTLS (RFC 3207)
// and QUIT.
//
// STARTTLS. After `220` to `STARTTLS` the driver checks that nothing else arrived in clear
// text (bytes an attacker injected would otherwise be read as replies after the handshake,
// CVE-2011-0411), runs the handshake and reports it with `tlsEstablished()`. Everything
// learnt before TLS is discarded: the capabilities are asked for again with a new `EHLO`.
extension SMTPClientStateMachine {
    /// The TCP connection is up; the server's greeting comes next.
    mutating func connectionEstablished() -> Action {
        guard case .idle = self.state else {
            return .fail(SMTPError(.alreadyConnected, "the session is already connected"), closeConnection: false)
        }
        do {
            try SMTPInputValidation.checkHostname(self.configuration.localHostname)
        } catch {
            return self.close(failing: error)
        }
        self.isSecure = self.configuration.tls == .implicit
        self.state = .awaitingGreeting
        return .readReply
    }

    mutating func greetingReceived(_ reply: SMTPReply) -> Action {
        if reply.code == 220 {
            let extended = self.configuration.useExtensions
            self.state = .awaitingHelloReply(extended: extended)
            return .sendCommands([self.helloCommand(extended: extended)])
        }
        let error = SMTPError(.greetingRejected, "the server refused the session", reply: reply)
        if reply.isServiceClosing || !(reply.isTransientFailure || reply.isPermanentFailure) {
            return self.close(failing: error)
        }
        // RFC 5321 section 3.1: after a 554 greeting the client should send QUIT.
        self.state = .quittingAfterFailure(error)
        return .sendCommands([.quit])
    }

    mutating func helloReplyReceived(_ reply: SMTPReply, extended: Bool) -> Action {
        if reply.isPositiveCompletion {
            let capabilities =
                extended
                ? SMTPCapabilities(ehloReply: reply)
                : SMTPCapabilities(basicSessionGreeting: reply.lines[0])
            self.serverStateIsReset = true
            return self.helloCompleted(capabilities: capabilities)
        }
        if extended, reply.isPermanentFailure {
            // RFC 5321 section 3.2: a server that does not know EHLO answers 5xx; retry with HELO.
            self.state = .awaitingHelloReply(extended: false)
            return .sendCommands([self.helloCommand(extended: false)])
        }
        let command = extended ? "EHLO" : "HELO"
        return self.close(
            failing: SMTPError(.commandRejected, "the server rejected \(command)", reply: reply))
    }

    /// `EHLO`/`HELO` succeeded: start TLS if the configuration asks for it and it has not
    /// started yet, else the session is open.
    private mutating func helloCompleted(capabilities: SMTPCapabilities) -> Action {
        if case .startTLS(let required) = self.configuration.tls, !self.isSecure {
            if capabilities.supportsStartTLS {
                self.state = .awaitingStartTLSReply
                return .sendCommands([.startTLS])
            }
            if required {
                return self.close(
                    failing: SMTPError(
                        .tlsUnavailable,
                        "the server does not offer STARTTLS, which the session requires (it may have been removed in transit)"
                    ))
            }
        }
        return self.startAuthentication(capabilities: capabilities)
    }

    mutating func startTLSReplyReceived(_ reply: SMTPReply) -> Action {
        if reply.code == 220 {
            self.state = .awaitingTLSHandshake
            return .startTLS
        }
        if reply.isServiceClosing {
            return self.close(
                failing: SMTPError(.tlsUnavailable, "the server closed the session at STARTTLS", reply: reply))
        }
        guard case .startTLS(required: false) = self.configuration.tls, !reply.isPositiveIntermediate else {
            return self.close(failing: SMTPError(.tlsUnavailable, "the server refused STARTTLS", reply: reply))
        }
        // Opportunistic TLS: go on in clear text with what the first EHLO announced.
        self.state = .awaitingHelloReply(extended: true)
        return .sendCommands([self.helloCommand(extended: true)])
    }

    /// The TLS handshake after `STARTTLS` succeeded: forget what was learnt in clear text and
    /// say `EHLO` again (RFC 3207 section 4.2).
    mutating func tlsEstablished() -> Action {
        guard case .awaitingTLSHandshake = self.state else {
            return self.close(failing: SMTPError(.protocolViolation, "a TLS handshake completed outside STARTTLS"))
        }
        self.isSecure = true
        self.state = .awaitingHelloReply(extended: true)
        return .sendCommands([self.helloCommand(extended: true)])
    }

    private func helloCommand(extended: Bool) -> SMTPCommand {
        extended ? .ehlo(self.configuration.localHostname) : .helo(self.configuration.localHostname)
    }

    /// The user wants to end the session with `QUIT`.
    mutating func quitRequested() -> Action {
        switch self.state {
        case .ready:
            self.state = .quitting
            return .sendCommands([.quit])
        case .idle, .closed:
            self.enterClosed()
            return .succeed(.disconnected(nil), closeConnection: true)
        case .awaitingGreeting, .awaitingHelloReply, .awaitingStartTLSReply, .awaitingTLSHandshake, .authenticating,
            .cancellingAuthentication,
            .quittingAfterFailure, .transaction, .command, .quitting, .modifying:
            return .fail(self.unavailableError, closeConnection: false)
        }
    }
}
