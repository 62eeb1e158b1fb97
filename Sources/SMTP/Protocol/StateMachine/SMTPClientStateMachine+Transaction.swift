// Mail transactions: MAIL FROM, RCPT TO, DATA, content (RFC 5321 section 3.3) with
// optional pipelining (RFC 2920).
//
// Recipient policy. Every recipient is tried and its reply recorded. Then:
// - all refused: the transaction fails with `allRecipientsRefused`;
// - some refused and `stopOnRecipientErrors`: it fails with `recipientRefused`;
// - otherwise the message goes to the accepted recipients and the result lists the refused.
// A failed transaction in which the server accepted `MAIL FROM` or a recipient ends with
// `RSET`; if that `RSET` fails too, the connection is closed.
//
// Pipelining and DATA. With PIPELINING, `DATA` is sent in the same group as the envelope
// only when no recipient refusal can require abandoning an accepted `DATA`: when the
// session continues on partial refusal, or when there is a single recipient (its refusal
// is a total refusal). Otherwise `DATA` is sent after the envelope replies have been read.
// If the server answers a pipelined `DATA` with `354` although every recipient was refused
// (RFC 2920 says it must not), only the terminating `.` line is sent: there is no accepted
// recipient to deliver the empty content to. The reply to that dot ends the transaction.
// Should a `354` ever arrive while some recipients were accepted but the transaction must
// be abandoned (for example because a pipelined `RSET` before it failed), the dot would
// deliver an empty message, so the connection is closed instead (a server discards a
// message whose data was not terminated).
extension SMTPClientStateMachine {
    /// The user wants to send a message with `envelope`. On ``Action/streamBody`` the
    /// driver writes the content.
    ///
    /// - Parameters:
    ///   - envelope: The sender, the recipients and their options.
    ///   - content: What is known of the content before it is sent: its encoded size (declared
    ///     with `SIZE=` and checked against the server's limit) and whether it has 8-bit
    ///     octets (declared `BODY=8BITMIME` when the server offers it).
    mutating func startTransaction(_ envelopeAsGiven: SMTPEnvelope, content: ContentFacts = ContentFacts()) -> Action {
        guard case .ready = self.state, let capabilities = self.capabilities else {
            return .fail(self.unavailableError, closeConnection: false)
        }
        guard !envelopeAsGiven.recipients.isEmpty else {
            return .fail(SMTPError(.noRecipients, "the envelope has no recipient"), closeConnection: false)
        }
        let envelope: SMTPEnvelope
        do {
            envelope = try Self.applyingExtensions(
                to: envelopeAsGiven, content: content, capabilities: capabilities,
                useChunking: self.configuration.useChunking)
        } catch {
            return .fail(error, closeConnection: false)
        }
        var mailParameters = envelope.mailParameters
        let addresses = [envelope.reversePath] + envelope.recipients.map(\.address)
        let hasNonASCIIAddress = addresses.contains(where: SMTPInputValidation.containsNonASCII)
        if hasNonASCIIAddress || envelope.requiresSMTPUTF8 {
            guard capabilities.supportsSMTPUTF8 else {
                let what = hasNonASCIIAddress ? "a non-ASCII address" : "the message (UTF-8 headers)"
                return .fail(
                    SMTPError(.invalidInput, "\(what) needs the server's SMTPUTF8 extension, which it does not offer"),
                    closeConnection: false)
            }
            if !mailParameters.contains(where: { $0.keyword.uppercased() == "SMTPUTF8" }) {
                mailParameters.append(.smtpUTF8)
            }
        }

        let usesChunking = self.configuration.useChunking && capabilities.isExtended && capabilities.supportsChunking
        var steps: [SMTPTransactionState.Step] = []
        if self.configuration.sendRSETBeforeTransaction, !self.serverStateIsReset {
            steps.append(.reset)
        }
        steps.append(.mail)
        steps.append(contentsOf: envelope.recipients.indices.map(SMTPTransactionState.Step.recipient))
        if !usesChunking {
            steps.append(.data)
        }
        var transaction = SMTPTransactionState(
            envelope: envelope, mailParameters: mailParameters, steps: steps, usesChunking: usesChunking)
        do {
            for step in steps {
                try transaction.command(for: step).validate()
            }
        } catch {
            return .fail(error, closeConnection: false)
        }

        let firstGroupEnd: Int
        if capabilities.isExtended, capabilities.supportsPipelining {
            let pipelineData =
                usesChunking || !self.configuration.stopOnRecipientErrors || envelope.recipients.count == 1
            firstGroupEnd = pipelineData ? steps.count : steps.count - 1
        } else {
            firstGroupEnd = 1
        }
        let commands = transaction.send(upTo: firstGroupEnd)
        self.serverStateIsReset = false
        self.state = .transaction(transaction)
        return .sendCommands(commands)
    }

    /// The driver has written the content and its terminating dot, or all its `BDAT` chunks.
    ///
    /// - Parameters:
    ///   - byteCount: The number of content octets written.
    ///   - chunkCount: The number of `BDAT` commands written (0 after `DATA`).
    mutating func dataBodyFinished(byteCount: Int, chunkCount: Int = 0) -> Action {
        guard case .transaction(var transaction) = self.state, case .sendingBody = transaction.phase else {
            return self.close(failing: SMTPError(.protocolViolation, "message data finished outside DATA"))
        }
        self.state = .modifying
        transaction.bytesSent = byteCount
        if transaction.usesChunking {
            guard chunkCount > 0 else {
                return self.close(failing: SMTPError(.protocolViolation, "no BDAT chunk was written"))
            }
            transaction.phase = .awaitingChunkReplies(remaining: chunkCount, refusal: nil)
            self.state = .transaction(transaction)
            return .readReply
        }
        transaction.phase = .awaitingDataReply
        self.state = .transaction(transaction)
        return .readReply
    }

    /// Writing the content failed (the content was invalid, the source threw, the task was
    /// cancelled). The data cannot be terminated safely, so the connection is closed.
    mutating func dataBodyFailed(_ error: SMTPError) -> Action {
        self.close(failing: error)
    }

    /// A reply arrived during a transaction. The caller has moved the state to `.modifying`,
    /// so `transaction` is the only reference to its arrays and records the reply in place;
    /// every path leaves a new state.
    mutating func transactionReplyReceived(_ reply: SMTPReply, transaction: inout SMTPTransactionState) -> Action {
        if reply.isServiceClosing {
            return self.close(
                failing: SMTPError(.commandRejected, "the server is closing the connection", reply: reply))
        }
        switch transaction.phase {
        case .envelope:
            guard transaction.nextToAnswer < transaction.nextToSend else {
                return self.close(failing: SMTPError(.protocolViolation, "more replies than commands", reply: reply))
            }
            let step = transaction.steps[transaction.nextToAnswer]
            transaction.nextToAnswer += 1
            Self.record(reply, for: step, in: &transaction)
            if transaction.nextToAnswer < transaction.nextToSend {
                self.state = .transaction(transaction)
                return .readReply
            }
            return self.advance(&transaction)

        case .sendingBody:
            return self.close(
                failing: SMTPError(.protocolViolation, "reply received while sending message data", reply: reply))

        case .awaitingChunkReplies(let remaining, let refusal):
            let refusal = refusal ?? (reply.isPositiveCompletion ? nil : reply)
            if remaining > 1 {
                transaction.phase = .awaitingChunkReplies(remaining: remaining - 1, refusal: refusal)
                self.state = .transaction(transaction)
                return .readReply
            }
            if let refusal {
                return self.abandon(
                    &transaction, with: SMTPError(.dataRejected, "the server rejected the message", reply: refusal))
            }
            self.state = .ready
            let result = SMTPDeliveryResult(
                acceptedRecipients: transaction.acceptedRecipients,
                refusedRecipients: transaction.refusedRecipients,
                reply: reply, bytesSent: transaction.bytesSent)
            return .succeed(.delivered(result), closeConnection: false)

        case .awaitingDataReply:
            self.state = .ready
            guard reply.isPositiveCompletion else {
                return .fail(
                    SMTPError(.dataRejected, "the server rejected the message", reply: reply),
                    closeConnection: false)
            }
            let result = SMTPDeliveryResult(
                acceptedRecipients: transaction.acceptedRecipients,
                refusedRecipients: transaction.refusedRecipients,
                reply: reply, bytesSent: transaction.bytesSent)
            return .succeed(.delivered(result), closeConnection: false)

        case .terminatingData(let error):
            self.state = .ready
            return .fail(error, closeConnection: false)

        case .resetting(let error):
            guard reply.isPositiveCompletion else {
                return self.close(failing: error)
            }
            self.serverStateIsReset = true
            self.state = .ready
            return .fail(error, closeConnection: false)
        }
    }

    private static func record(
        _ reply: SMTPReply, for step: SMTPTransactionState.Step, in transaction: inout SMTPTransactionState
    ) {
        switch step {
        case .reset:
            if !reply.isPositiveCompletion, transaction.envelopeError == nil {
                transaction.envelopeError = SMTPError(.commandRejected, "the server rejected RSET", reply: reply)
            }
        case .mail:
            if reply.isPositiveCompletion {
                transaction.mailAccepted = true
            } else if transaction.envelopeError == nil {
                transaction.envelopeError = SMTPError(
                    .commandRejected, "the server rejected the sender (MAIL FROM)", reply: reply)
            }
        case .recipient(let index):
            let address = transaction.envelope.recipients[index].address
            transaction.recipientResults.append(SMTPRecipientResult(recipient: address, reply: reply))
        case .data:
            transaction.dataReply = reply
        }
    }

    /// Every step sent so far has been answered: decide what comes next.
    private mutating func advance(_ transaction: inout SMTPTransactionState) -> Action {
        if let error = transaction.envelopeError {
            return self.abandon(&transaction, with: error)
        }
        // Without pipelining, the next envelope step goes out now.
        if transaction.nextToSend < transaction.steps.count, transaction.steps[transaction.nextToSend] != .data {
            let commands = transaction.send(upTo: transaction.nextToSend + 1)
            self.state = .transaction(transaction)
            return .sendCommands(commands)
        }

        let accepted = transaction.acceptedRecipients
        let refused = transaction.refusedRecipients
        if accepted.isEmpty {
            let error = SMTPError(
                .allRecipientsRefused, "the server refused every recipient",
                reply: refused.first?.reply, refusedRecipients: refused)
            return self.abandon(&transaction, with: error)
        }
        if !refused.isEmpty, self.configuration.stopOnRecipientErrors {
            let error = SMTPError(
                .recipientRefused,
                "the server refused \(refused.count) of \(transaction.recipientResults.count) recipients",
                reply: refused.first?.reply, refusedRecipients: refused)
            return self.abandon(&transaction, with: error)
        }

        if transaction.usesChunking {
            transaction.phase = .sendingBody
            let binary = transaction.envelope.bodyType == .binaryMIME
            self.state = .transaction(transaction)
            return .streamBodyInChunks(binary: binary)
        }
        guard let dataReply = transaction.dataReply else {
            let commands = transaction.send(upTo: transaction.steps.count)
            self.state = .transaction(transaction)
            return .sendCommands(commands)
        }
        if dataReply.code == 354 {
            transaction.phase = .sendingBody
            self.state = .transaction(transaction)
            return .streamBody
        }
        if dataReply.isTransientFailure || dataReply.isPermanentFailure {
            return self.abandon(
                &transaction, with: SMTPError(.dataRejected, "the server rejected DATA", reply: dataReply))
        }
        return self.close(failing: SMTPError(.protocolViolation, "unexpected reply to DATA", reply: dataReply))
    }

    /// Ends a failed transaction: terminates an accepted `DATA` (nothing can be delivered:
    /// see the file comment), or clears the server's transaction with `RSET`, or just fails.
    private mutating func abandon(_ transaction: inout SMTPTransactionState, with error: SMTPError) -> Action {
        if transaction.dataReply?.code == 354 {
            guard transaction.acceptedRecipients.isEmpty else {
                return self.close(failing: error)
            }
            transaction.phase = .terminatingData(error)
            self.state = .transaction(transaction)
            return .sendDataTerminator
        }
        if transaction.serverHoldsTransaction {
            transaction.phase = .resetting(error)
            self.state = .transaction(transaction)
            return .sendCommands([.rset])
        }
        self.state = .ready
        return .fail(error, closeConnection: false)
    }
}
