import Foundation
import NIOCore

/// The server side of one SMTP connection (RFC 5321, with PIPELINING, SIZE, 8BITMIME,
/// SMTPUTF8 and ENHANCEDSTATUSCODES), as a pure state machine: the driver feeds it events
/// and performs the `Action`s it returns. It does no I/O, so it is tested without sockets.
///
/// STARTTLS and AUTH are meant to slot in as further states (a TLS-pending state in which
/// any buffered input aborts, an authentication exchange state) and actions (start TLS).
struct SMTPServerStateMachine {
    typealias Command = SMTPTestServer.Command
    typealias Parameter = SMTPTestServer.ESMTPParameter

    /// What the client said in `HELO` or `EHLO`.
    struct Session: Hashable {
        var heloName: String
        var usedEHLO: Bool
    }

    /// The envelope of the message in progress.
    struct Transaction: Hashable {
        var mailFrom: String
        var mailParameters: [Parameter]
        var recipients: [String] = []
        var recipientParameters: [[Parameter]] = []

        var isSMTPUTF8: Bool { mailParameters.contains(keyword: "SMTPUTF8") }
    }

    /// What the driver does after writing a reply.
    enum AfterReply: Hashable {
        case keepOpen
        case close
    }

    enum Action: Hashable {
        /// Nothing to do (message content, or part of an overlong line).
        case none
        /// Write the reply, then keep the connection open or close it.
        case send(Reply, AfterReply)
        /// Record the accepted message, then write the reply.
        case deliver(SMTPTestServer.ReceivedMessage, Reply, AfterReply)
        /// Close the connection without a reply.
        case disconnect
        /// Record the accepted message, then close the connection without a reply.
        case deliverWithoutReply(SMTPTestServer.ReceivedMessage)
        /// Wait, then perform the action (which is never itself `delayed`). Input that arrives
        /// meanwhile is fed to the machine only afterwards.
        indirect case delayed(Duration, Action)
    }

    /// The result of one line of input.
    struct Output: Hashable {
        /// What the line adds to the transcript, if anything.
        var transcript: SMTPTestServer.Transcript.Line?
        var action: Action
    }

    enum State {
        /// Before `connected()`.
        case idle
        /// A negative greeting was sent: only `QUIT` is served (RFC 5321 3.1).
        case refusing
        case awaitingHello
        case ready(Session)
        case transaction(Session, Transaction)
        case receivingData(Session, DataReception)
        case closed
        /// Only while mutating an associated value in place, so that buffers are not copied.
        case modifying
    }

    /// The start of a command line longer than allowed, while the rest of it arrives.
    private struct OverlongCommand {
        var start: String
        var octets: Int
    }

    /// The longest command line accepted, CRLF included. RFC 5321 4.5.3.1.4 sets 512 octets;
    /// this server allows the text-line limit of 1000 (long parameter lists pass) and answers
    /// longer lines with `500`.
    static let maximumCommandLength = 1000

    let configuration: SMTPTestServer.Configuration
    let capabilities: Capabilities
    let connectionNumber: Int
    let replies: ReplyFactory
    private let now: @Sendable () -> Date
    private(set) var state: State = .idle
    private var overlongCommand: OverlongCommand?
    private(set) var acceptedMessages = 0

    init(
        configuration: SMTPTestServer.Configuration, capabilities: Capabilities? = nil,
        connectionNumber: Int, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.capabilities = capabilities ?? Capabilities(configuration)
        self.connectionNumber = connectionNumber
        self.replies = ReplyFactory(enhancedStatusCodes: self.capabilities.enhancedStatusCodes)
        self.now = now
    }

    /// Whether input is message content rather than commands.
    var isReceivingData: Bool {
        if case .receivingData = state { true } else { false }
    }

    /// Whether the connection is over as far as the protocol is concerned.
    var isClosed: Bool {
        if case .closed = state { true } else { false }
    }

    private var context: SMTPTestServer.ConnectionContext {
        .init(connectionNumber: connectionNumber, acceptedMessages: acceptedMessages)
    }

    // MARK: Events

    /// The connection is open: returns the greeting.
    mutating func connected() -> Action {
        precondition(isIdle, "connected() called twice")
        state = .awaitingHello
        let protocolName = capabilities.supportsEHLO ? "ESMTP" : "SMTP"
        let greeting = Reply(code: 220, "\(configuration.hostname) \(protocolName) \(configuration.greeting)")
        return greet(greeting, response: configuration.responder?(.greeting, context)?.kind)
    }

    private mutating func greet(_ greeting: Reply, response: SMTPTestServer.Response.Kind?) -> Action {
        switch response {
        case nil:
            return .send(greeting, .keepOpen)
        case .disconnect?, .dropDuringData?, .acceptThenDisconnect?:
            state = .closed
            return .disconnect
        case .delay(let duration, let then)?:
            return .delayed(duration, greet(greeting, response: then))
        case .reply(let reply, let thenClose)?:
            if thenClose {
                state = .closed
                return .send(reply, .close)
            }
            if !reply.isPositive { state = .refusing }
            return .send(reply, .keepOpen)
        }
    }

    /// A line (or part of an overlong line) arrived.
    mutating func receivedLine(_ line: InboundLine) -> Output {
        switch state {
        case .idle, .modifying:
            preconditionFailure("input before connected(), or during a mutation")
        case .closed:
            return Output(transcript: nil, action: .none)
        case .receivingData(let session, var reception):
            state = .modifying
            switch reception.receive(line) {
            case .needMoreData:
                state = .receivingData(session, reception)
                return Output(transcript: nil, action: .none)
            case .drop:
                state = .closed
                return Output(
                    transcript: .messageContent(octets: reception.receivedOctets, complete: false),
                    action: .disconnect)
            case .complete:
                return Output(
                    transcript: .messageContent(octets: reception.receivedOctets, complete: true),
                    action: finishData(session, reception))
            }
        case .refusing, .awaitingHello, .ready, .transaction:
            return receivedCommandLine(line)
        }
    }

    /// The connection closed. Returns what the transcript should note about content in progress.
    mutating func connectionClosed() -> SMTPTestServer.Transcript.Line? {
        defer { state = .closed }
        if case .receivingData(_, let reception) = state {
            return .messageContent(octets: reception.receivedOctets, complete: false)
        }
        return nil
    }

    private var isIdle: Bool {
        if case .idle = state { true } else { false }
    }

    // MARK: Command lines

    private mutating func receivedCommandLine(_ line: InboundLine) -> Output {
        let octets = line.bytes.readableBytes
        guard line.isComplete else {
            if overlongCommand == nil {
                let start = line.bytes.getString(at: line.bytes.readerIndex, length: min(octets, 40)) ?? ""
                overlongCommand = OverlongCommand(start: start, octets: 0)
            }
            overlongCommand?.octets += octets
            return Output(transcript: nil, action: .none)
        }
        if overlongCommand != nil || octets > Self.maximumCommandLength {
            let start =
                overlongCommand?.start
                ?? line.bytes.getString(at: line.bytes.readerIndex, length: 40) ?? ""
            let total = (overlongCommand?.octets ?? 0) + octets
            overlongCommand = nil
            return Output(
                transcript: .command("\(start)… (\(total) octets)", pipelined: line.moreInputBuffered),
                action: .send(replies(500, "5.5.2", "Line too long"), .keepOpen))
        }

        let view = line.bytes.readableBytesView
        let endsWithCRLF = octets >= 2 && view[view.endIndex - 2] == ASCII.cr
        let body = view.prefix(octets - (endsWithCRLF ? 2 : 1))
        let text = String(decoding: body, as: UTF8.self)
        let transcript = SMTPTestServer.Transcript.Line.command(text, pipelined: line.moreInputBuffered)
        func reject(_ code: Int, _ enhanced: String, _ message: String) -> Output {
            Output(transcript: transcript, action: .send(replies(code, enhanced, message), .keepOpen))
        }

        guard endsWithCRLF else { return reject(500, "5.5.2", "Command lines must end with CRLF") }
        guard isValidUTF8(body) else { return reject(500, "5.5.2", "Command is not valid UTF-8") }
        guard !body.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            return reject(501, "5.5.2", "Control characters in command")
        }
        switch CommandParser.parse(text) {
        case .failure(let rejection):
            return Output(transcript: transcript, action: .send(reply(rejection), .keepOpen))
        case .success(let command):
            return Output(transcript: transcript, action: respond(to: command))
        }
    }

    private func isValidUTF8(_ bytes: some Sequence<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    func reply(_ rejection: Rejection) -> Reply {
        replies(rejection.code, rejection.enhancedCode, rejection.text)
    }

    // MARK: Answering

    private mutating func respond(to command: Command) -> Action {
        if case .refusing = state {
            if case .quit = command {
                state = .closed
                return .send(replies(221, "2.0.0", "\(configuration.hostname) closing connection"), .close)
            }
            return .send(replies(503, "5.5.1", "No service here; send QUIT"), .keepOpen)
        }
        let outcome = defaultOutcome(for: command)
        return resolve(outcome, for: command, response: configuration.responder?(command, context)?.kind)
    }

    /// Combines the default outcome with the responder's override (see `SMTPTestServer.Response`).
    private mutating func resolve(
        _ outcome: Outcome, for command: Command, response: SMTPTestServer.Response.Kind?
    ) -> Action {
        guard let response else { return apply(outcome, reply: nil, after: .keepOpen) }
        switch response {
        case .disconnect:
            state = .closed
            return .disconnect
        case .delay(let duration, let then):
            return .delayed(duration, resolve(outcome, for: command, response: then))
        case .acceptThenDisconnect:
            state = .closed
            guard case .accept(_, _, var message?) = outcome else { return .disconnect }
            acceptedMessages += 1
            message.wasAcknowledged = false
            return .deliverWithoutReply(message)
        case .dropDuringData(let octets):
            guard case .data = command else {
                state = .closed
                return .disconnect
            }
            guard case .accept(let reply, .receivingData(let session, let reception), _) = outcome else {
                return apply(outcome, reply: nil, after: .keepOpen)
            }
            if octets == 0 {
                state = .closed
                return .send(reply, .close)
            }
            let dropping = DataReception(
                transaction: reception.transaction, maximumSize: reception.maximumSize,
                dropAfterOctets: octets)
            return apply(.accept(reply, next: .receivingData(session, dropping)), reply: nil, after: .keepOpen)
        case .reply(let reply, let thenClose):
            let after: AfterReply = thenClose ? .close : .keepOpen
            if reply.isPositive, case .other = command {
                return apply(.reject(reply), reply: nil, after: after)
            }
            if !reply.isPositive {
                return apply(.reject(reply), reply: nil, after: after)
            }
            return apply(outcome, reply: reply, after: after)
        }
    }

    /// Performs an outcome: moves to its state, replacing the reply of an accepted outcome
    /// with `override` when given.
    private mutating func apply(_ outcome: Outcome, reply override: Reply?, after: AfterReply) -> Action {
        switch outcome {
        case .reject(let reply):
            if after == .close { state = .closed }
            return .send(reply, after)
        case .accept(let reply, let next, let message):
            let closes = after == .close || { if case .closed = next { true } else { false } }()
            state = closes ? .closed : next
            let sent = override ?? reply
            if let message {
                acceptedMessages += 1
                return .deliver(message, sent, closes ? .close : .keepOpen)
            }
            return .send(sent, closes ? .close : .keepOpen)
        }
    }

    // MARK: End of content

    private mutating func finishData(_ session: Session, _ reception: DataReception) -> Action {
        state = .ready(session)
        if reception.exceededMaximumSize {
            return .send(replies(552, "5.3.4", "Message size exceeds fixed maximum message size"), .keepOpen)
        }
        let queueID = "\(connectionNumber).\(acceptedMessages + 1)"
        let transaction = reception.transaction
        let message = SMTPTestServer.ReceivedMessage(
            connectionNumber: connectionNumber, queueID: queueID,
            heloName: session.heloName, usedEHLO: session.usedEHLO,
            mailFrom: transaction.mailFrom, mailParameters: transaction.mailParameters,
            recipients: transaction.recipients, recipientParameters: transaction.recipientParameters,
            data: Array(reception.content.readableBytesView), receivedAt: now(),
            hadBareLineEndings: reception.hadBareLineEndings, hadOverlongLines: reception.hadOverlongLines,
            containsEightBitData: reception.containsEightBitData)
        let outcome = Outcome.accept(
            replies(250, "2.0.0", "Ok: queued as \(queueID)"), next: .ready(session), message: message)
        return resolve(
            outcome, for: .endOfData(message), response: configuration.responder?(.endOfData(message), context)?.kind)
    }
}
