// Single commands outside transactions: NOOP, RSET, VRFY, EXPN, HELP and raw lines.
extension SMTPClientStateMachine {
    /// The user wants to send one command and get its reply.
    ///
    /// A `2yz` reply succeeds with the reply; a `3yz` reply too for a raw command (the
    /// caller continues that dialogue, for example an `AUTH` challenge) and is a protocol
    /// violation otherwise. `4yz`/`5yz` replies fail with ``SMTPError/Code/commandRejected``
    /// and `421` closes the connection.
    mutating func startCommand(_ command: SMTPCommand) -> Action {
        guard case .ready = self.state else {
            return .fail(self.unavailableError, closeConnection: false)
        }
        do {
            try command.validate()
        } catch {
            return .fail(error, closeConnection: false)
        }
        self.state = .command(command)
        return .sendCommands([command])
    }

    mutating func commandReplyReceived(_ reply: SMTPReply, command: SMTPCommand) -> Action {
        let name = command.trailLine.prefix { $0 != " " }.uppercased()
        if reply.isServiceClosing {
            return self.close(
                failing: SMTPError(.commandRejected, "the server is closing the connection", reply: reply))
        }
        let isRaw = command.isOpenDialogue
        if reply.isPositiveCompletion || (isRaw && reply.isPositiveIntermediate) {
            self.state = .ready
            self.noteServerState(after: command, reply: reply)
            return .succeed(.reply(reply), closeConnection: false)
        }
        if reply.isPositiveIntermediate {
            return self.close(
                failing: SMTPError(.protocolViolation, "unexpected intermediate reply to \(name)", reply: reply))
        }
        self.state = .ready
        if isRaw {
            // The server's state after a refused unknown command is unknown.
            self.serverStateIsReset = false
        }
        return .fail(SMTPError(.commandRejected, "the server rejected \(name)", reply: reply), closeConnection: false)
    }

    private mutating func noteServerState(after command: SMTPCommand, reply: SMTPReply) {
        switch command {
        case .rset:
            self.serverStateIsReset = true
        case .noop, .vrfy, .expn, .help:
            break
        case .raw, .auth, .authContinuation, .authCancel, .ehlo, .helo, .mailFrom, .rcptTo, .data, .bdat, .quit,
            .startTLS:
            self.serverStateIsReset = false
        }
    }
}

extension SMTPCommand {
    /// Whether the command may start or continue a dialogue the caller leads (raw lines and
    /// `AUTH`): a `3yz` reply is then an answer, not a protocol violation.
    fileprivate var isOpenDialogue: Bool {
        switch self {
        case .raw, .auth, .authContinuation, .authCancel:
            return true
        case .ehlo, .helo, .mailFrom, .rcptTo, .data, .bdat, .rset, .noop, .vrfy, .expn, .help, .quit, .startTLS:
            return false
        }
    }
}
