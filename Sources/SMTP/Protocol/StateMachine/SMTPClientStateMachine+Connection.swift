// The connection phase: greeting, EHLO (with the fall-back to HELO) and QUIT.
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
        self.state = .quittingAfterRejectedGreeting(error)
        return .sendCommands([.quit])
    }

    mutating func helloReplyReceived(_ reply: SMTPReply, extended: Bool) -> Action {
        if reply.isPositiveCompletion {
            let capabilities =
                extended
                ? SMTPCapabilities(ehloReply: reply)
                : SMTPCapabilities(basicSessionGreeting: reply.lines[0])
            self.serverStateIsReset = true
            self.enterReady(capabilities: capabilities)
            return .succeed(.connected(capabilities), closeConnection: false)
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
        case .awaitingGreeting, .awaitingHelloReply, .quittingAfterRejectedGreeting, .transaction,
            .command, .quitting:
            return .fail(self.unavailableError, closeConnection: false)
        }
    }
}
