/// The default answer to each client command, without side effects: the state machine
/// applies the outcome, or the responder's override of it.
extension SMTPServerStateMachine {
    /// The default handling of a command: a positive reply with the state it leads to, or a
    /// negative reply that changes nothing.
    enum Outcome {
        case accept(Reply, next: State, message: SMTPTestServer.ReceivedMessage? = nil)
        case reject(Reply)
    }

    var session: Session? {
        switch state {
        case .ready(let session), .transaction(let session, _), .receivingData(let session, _):
            session
        case .idle, .refusing, .awaitingHello, .closed, .modifying:
            nil
        }
    }

    var transaction: Transaction? {
        if case .transaction(_, let transaction) = state { transaction } else { nil }
    }

    /// The state after `RSET` (and the resting state after a message).
    var resetState: State {
        session.map { .ready($0) } ?? .awaitingHello
    }

    func defaultOutcome(for command: Command) -> Outcome {
        switch command {
        case .greeting, .endOfData:
            preconditionFailure("\(command) is not a client command")
        case .helo(let name):
            return .accept(
                Reply(code: 250, configuration.hostname), next: .ready(Session(heloName: name, usedEHLO: false)))
        case .ehlo(let name):
            guard capabilities.supportsEHLO else {
                return .reject(replies(502, "5.5.1", "EHLO not supported; use HELO"))
            }
            let first = "\(configuration.hostname) greets \(name)"
            return .accept(
                Reply(code: 250, lines: [first] + capabilities.ehloLines),
                next: .ready(Session(heloName: name, usedEHLO: true)))
        case .mail(let from, let parameters):
            return mailOutcome(from: from, parameters: parameters)
        case .rcpt(let to, let parameters):
            return rcptOutcome(to: to, parameters: parameters)
        case .data:
            guard let session, let transaction else {
                return .reject(replies(503, "5.5.1", "Need MAIL command"))
            }
            guard !transaction.recipients.isEmpty else {
                return .reject(replies(503, "5.5.1", "Need RCPT command"))
            }
            let reception = DataReception(
                transaction: transaction, maximumSize: configuration.maximumMessageSize, dropAfterOctets: nil)
            return .accept(
                Reply(code: 354, "End data with <CR><LF>.<CR><LF>"), next: .receivingData(session, reception))
        case .rset:
            return .accept(replies(250, "2.0.0", "Reset state"), next: resetState)
        case .noop:
            return .accept(replies(250, "2.0.0", "OK"), next: state)
        case .vrfy(let query):
            return .accept(vrfyReply(query), next: state)
        case .expn(let name):
            return expnOutcome(name)
        case .help(let topic):
            return helpOutcome(topic)
        case .quit:
            return .accept(replies(221, "2.0.0", "\(configuration.hostname) closing connection"), next: .closed)
        case .other(let verb, _):
            if CommandParser.unimplementedVerbs.contains(verb) {
                return .reject(replies(502, "5.5.1", "\(verb) not implemented"))
            }
            return .reject(replies(500, "5.5.2", "Command unrecognized: \(verb)"))
        }
    }

    private func mailOutcome(from: String, parameters: [Parameter]) -> Outcome {
        guard let session else { return .reject(replies(503, "5.5.1", "Send HELO or EHLO first")) }
        guard transaction == nil else { return .reject(replies(503, "5.5.1", "Nested MAIL command")) }
        if let rejection = ParameterRules.check(
            parameters, of: .mail, capabilities: capabilities, usedEHLO: session.usedEHLO)
        {
            return .reject(reply(rejection))
        }
        let declaredSize = parameters.first(keyword: "SIZE")?.value.flatMap { Int($0) }
        if let limit = configuration.maximumMessageSize, let declaredSize, declaredSize > limit {
            return .reject(replies(552, "5.3.4", "Message size exceeds fixed maximum message size"))
        }
        let transaction = Transaction(mailFrom: from, mailParameters: parameters)
        if !from.allSatisfy(\.isASCII) && !transaction.isSMTPUTF8 {
            return .reject(replies(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"))
        }
        return .accept(replies(250, "2.1.0", "Sender <\(from)> OK"), next: .transaction(session, transaction))
    }

    private func rcptOutcome(to: String, parameters: [Parameter]) -> Outcome {
        guard let session else { return .reject(replies(503, "5.5.1", "Send HELO or EHLO first")) }
        guard var transaction else { return .reject(replies(503, "5.5.1", "Need MAIL before RCPT")) }
        if let rejection = ParameterRules.check(
            parameters, of: .rcpt, capabilities: capabilities, usedEHLO: session.usedEHLO)
        {
            return .reject(reply(rejection))
        }
        if !to.allSatisfy(\.isASCII) && !transaction.isSMTPUTF8 {
            return .reject(replies(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"))
        }
        if let limit = configuration.maximumRecipients, transaction.recipients.count >= limit {
            return .reject(replies(452, "4.5.3", "Too many recipients"))
        }
        transaction.recipients.append(to)
        transaction.recipientParameters.append(parameters)
        return .accept(replies(250, "2.1.5", "Recipient <\(to)> OK"), next: .transaction(session, transaction))
    }

    private func vrfyReply(_ query: String) -> Reply {
        guard !configuration.users.isEmpty else {
            return replies(252, "2.1.5", "Cannot VRFY user, but will accept message and attempt delivery")
        }
        let matches = configuration.users.filter { $0.matches(query) }
        switch matches.count {
        case 0:
            return replies(550, "5.1.1", "User unknown: \(query)")
        case 1:
            return replies(250, "2.1.5", matches[0].description)
        default:
            return replies(553, "5.1.4", lines: ["Ambiguous; possibilities are"] + matches.map(\.description))
        }
    }

    private func expnOutcome(_ name: String) -> Outcome {
        guard !configuration.mailingLists.isEmpty else {
            return .reject(replies(502, "5.5.1", "EXPN not available"))
        }
        guard let members = configuration.mailingLists.first(where: { $0.key.caseInsensitiveEquals(name) })?.value
        else {
            return .reject(replies(550, "5.1.1", "No such list: \(name)"))
        }
        let lines = members.isEmpty ? ["List \(name) has no members"] : members.map(\.description)
        return .accept(replies(250, "2.1.5", lines: lines), next: state)
    }

    private static let helpTopics: [String: String] = [
        "HELO": "HELO <domain>", "EHLO": "EHLO <domain>",
        "MAIL": "MAIL FROM:<address> [parameters]", "RCPT": "RCPT TO:<address> [parameters]",
        "DATA": "DATA", "RSET": "RSET", "NOOP": "NOOP [string]", "QUIT": "QUIT",
        "VRFY": "VRFY <string>", "EXPN": "EXPN <list>", "HELP": "HELP [command]",
    ]

    private func helpOutcome(_ topic: String?) -> Outcome {
        guard let topic else {
            let verbs = ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP"]
            return .accept(
                replies(214, "2.0.0", lines: ["Commands: " + verbs.joined(separator: " "), "End of HELP info"]),
                next: state)
        }
        guard let syntax = Self.helpTopics[topic.uppercased()] else {
            return .reject(replies(504, "5.5.1", "HELP topic unknown: \(topic)"))
        }
        return .accept(replies(214, "2.0.0", "Syntax: \(syntax)"), next: state)
    }
}
