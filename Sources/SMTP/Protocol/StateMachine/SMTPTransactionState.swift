/// The progress of one mail transaction (RSET?, MAIL FROM, RCPT TO…, DATA, content).
///
/// The envelope commands are a list of steps. `nextToSend` and `nextToAnswer` are cursors
/// into it: the steps between them have been written and wait for their replies, which
/// arrive in the same order (RFC 2920 section 3.1). Without pipelining one step is in flight
/// at a time; with pipelining the whole envelope (and `DATA`, when allowed) goes in one
/// group.
struct SMTPTransactionState: Sendable {
    enum Step: Hashable, Sendable {
        case reset
        case mail
        case recipient(Int)
        case data
    }

    enum Phase: Sendable {
        /// Waiting for the replies to envelope steps.
        case envelope
        /// The server sent `354`; the driver writes the content.
        case sendingBody
        /// The content and its terminating dot were written; waiting for the final reply.
        case awaitingDataReply
        /// A `DATA` that must not deliver anything was answered with `354`; only the
        /// terminating dot was written. The transaction fails with the error afterwards.
        case terminatingData(SMTPError)
        /// The transaction failed after the server accepted part of the envelope; `RSET`
        /// was sent to clear it. The transaction fails with the error afterwards.
        case resetting(SMTPError)
        /// All `BDAT` chunks were written (pipelined, RFC 3030); `remaining` replies are
        /// still to come, and `refusal` is the first that was not `250`.
        case awaitingChunkReplies(remaining: Int, refusal: SMTPReply?)
    }

    let envelope: SMTPEnvelope
    let mailParameters: [SMTPParameter]
    let steps: [Step]
    /// Whether the content goes in `BDAT` chunks (the server offers `CHUNKING`) instead of
    /// after `DATA`; there is no `.data` step then.
    let usesChunking: Bool
    var nextToSend = 0
    var nextToAnswer = 0
    var phase: Phase = .envelope

    var mailAccepted = false
    /// The first failure of `RSET` or `MAIL FROM`.
    var envelopeError: SMTPError?
    var recipientResults: [SMTPRecipientResult] = []
    var dataReply: SMTPReply?
    var bytesSent = 0

    init(envelope: SMTPEnvelope, mailParameters: [SMTPParameter], steps: [Step], usesChunking: Bool = false) {
        self.envelope = envelope
        self.mailParameters = mailParameters
        self.steps = steps
        self.usesChunking = usesChunking
    }

    func command(for step: Step) -> SMTPCommand {
        switch step {
        case .reset:
            return .rset
        case .mail:
            return .mailFrom(reversePath: self.envelope.reversePath, parameters: self.mailParameters)
        case .recipient(let index):
            let recipient = self.envelope.recipients[index]
            return .rcptTo(forwardPath: recipient.address, parameters: recipient.parameters)
        case .data:
            return .data
        }
    }

    /// Marks the steps up to (not including) `end` as sent and returns their commands.
    mutating func send(upTo end: Int) -> [SMTPCommand] {
        let commands = self.steps[self.nextToSend..<end].map(self.command(for:))
        self.nextToSend = end
        return commands
    }

    /// The end of the message data was written and the final reply has not arrived: a lost
    /// connection now leaves open whether the server accepted the message.
    var awaitsFinalReply: Bool {
        switch self.phase {
        case .awaitingDataReply, .awaitingChunkReplies: true
        case .envelope, .sendingBody, .terminatingData, .resetting: false
        }
    }

    var acceptedRecipients: [SMTPRecipientResult] {
        self.recipientResults.filter(\.isAccepted)
    }

    var refusedRecipients: [SMTPRecipientResult] {
        self.recipientResults.filter { !$0.isAccepted }
    }

    /// Whether the server may hold transaction state that `RSET` must clear.
    var serverHoldsTransaction: Bool {
        self.mailAccepted || self.recipientResults.contains(where: \.isAccepted)
    }
}
