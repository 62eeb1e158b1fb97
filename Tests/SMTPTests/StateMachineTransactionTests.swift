import Testing

@testable import SMTP

@Suite("State machine: mail transactions")
struct StateMachineTransactionTests {
    let mail = "MAIL FROM:<alice@example.com>"
    let rcptBob = "RCPT TO:<bob@example.org>"
    let rcptCarol = "RCPT TO:<carol@example.net>"

    @Test func sequentialTransactionSendsOneCommandAtATime() throws {
        var machine = readyMachine()
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail]))
        #expect(machine.replyReceived(reply(250)).summary == .send([rcptBob]))
        #expect(machine.replyReceived(reply(250)).summary == .send([rcptCarol]))
        #expect(machine.replyReceived(reply(250)).summary == .send(["DATA"]))
        #expect(machine.replyReceived(reply(354, "go ahead")).summary == .streamBody)
        #expect(machine.dataBodyFinished(byteCount: 100).summary == .read)
        let action = machine.replyReceived(reply(250, "queued as 42"))
        #expect(action.summary == .succeed("delivered", close: false))
        let result = try #require(action.deliveryResult)
        #expect(result.acceptedRecipients.map(\.recipient) == ["bob@example.org", "carol@example.net"])
        #expect(result.refusedRecipients.isEmpty)
        #expect(result.reply.text == "queued as 42")
        #expect(result.bytesSent == 100)
        #expect(machine.isReady)
    }

    @Test func secondTransactionStartsWithRSET() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250), reply(354)])
        _ = machine.dataBodyFinished(byteCount: 3)
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send(["RSET"]))
        #expect(machine.replyReceived(reply(250)).summary == .send([mail]))
    }

    @Test func rsetCanBeSwitchedOff() {
        var machine = readyMachine(configuration: machineConfiguration(sendRSET: false))
        _ = machine.startCommand(.raw("XFOO"))
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail]))
    }

    @Test func pipeliningSendsEnvelopeAndDataInOneGroupWhenContinuingOnRefusals() {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail, rcptBob, rcptCarol, "DATA"]))
        #expect(feed(&machine, [reply(250), reply(250), reply(250)]) == [.read, .read, .read])
        #expect(machine.replyReceived(reply(354)).summary == .streamBody)
    }

    @Test func pipeliningHoldsDataBackWhenRefusalsMustStopTheMessage() {
        var machine = readyMachine(extensions: ["PIPELINING"])
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail, rcptBob, rcptCarol]))
        #expect(feed(&machine, [reply(250), reply(250), reply(250)]) == [.read, .read, .send(["DATA"])])
        #expect(machine.replyReceived(reply(354)).summary == .streamBody)
    }

    @Test func pipeliningWithOneRecipientIncludesData() {
        var machine = readyMachine(extensions: ["PIPELINING"])
        let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
        #expect(machine.startTransaction(envelope).summary == .send([mail, rcptBob, "DATA"]))
    }

    @Test func pipelinedGroupIncludesRSETWhenNeeded() {
        var machine = readyMachine(extensions: ["PIPELINING"])
        _ = machine.startCommand(.noop)
        _ = machine.replyReceived(reply(250))
        _ = machine.startCommand(.raw("XFOO"))
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send(["RSET", mail, rcptBob, rcptCarol]))
    }

    @Test func pipeliningIsIgnoredWithoutEHLO() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220))
        _ = machine.replyReceived(reply(500))
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail]))
    }

    @Test func partialRefusalStopsTheMessageWithRSET() throws {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(550, "5.1.1 no such user"), reply(250)])
                == [.send([rcptBob]), .send([rcptCarol]), .send(["RSET"])])
        let action = machine.replyReceived(reply(250))
        #expect(action.summary == .fail(.recipientRefused, close: false))
        let error = try #require(action.error)
        #expect(error.refusedRecipients.map(\.recipient) == ["bob@example.org"])
        #expect(error.refusedRecipients.first?.reply.enhancedStatusCode == EnhancedStatusCode("5.1.1"))
        #expect(error.psmtpErrorCode == 161)
        #expect(machine.isReady)
        // RSET left the server clean: no second RSET before the next message.
        #expect(machine.startTransaction(twoRecipients).summary == .send([mail]))
    }

    @Test func partialRefusalContinuesWhenConfigured() throws {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(550), reply(250), reply(354)]) == [.read, .read, .read, .streamBody])
        _ = machine.dataBodyFinished(byteCount: 10)
        let action = machine.replyReceived(reply(250))
        let result = try #require(action.deliveryResult)
        #expect(result.acceptedRecipients.map(\.recipient) == ["carol@example.net"])
        #expect(result.refusedRecipients.map(\.recipient) == ["bob@example.org"])
        #expect(result.refusedRecipients.first?.reply.code == 550)
    }

    @Test(arguments: [true, false])
    func totalRefusalFailsWithRSETWithoutPipelining(stopOnRecipientErrors: Bool) throws {
        var machine = readyMachine(configuration: machineConfiguration(stopOnRecipientErrors: stopOnRecipientErrors))
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(550), reply(551)])
                == [.send([rcptBob]), .send([rcptCarol]), .send(["RSET"])])
        let action = machine.replyReceived(reply(250))
        #expect(action.summary == .fail(.allRecipientsRefused, close: false))
        let error = try #require(action.error)
        #expect(error.refusedRecipients.map(\.reply.code) == [550, 551])
        #expect(error.psmtpErrorCode == 165)
    }

    @Test func totalRefusalWithPipelinedDataRefusedSendsRSET() {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(550), reply(550), reply(554, "no valid recipients")])
                == [.read, .read, .read, .send(["RSET"])])
        #expect(machine.replyReceived(reply(250)).summary == .fail(.allRecipientsRefused, close: false))
    }

    @Test func totalRefusalWithPipelinedDataAcceptedSendsOnlyTheTerminator() {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(550), reply(550), reply(354)])
                == [.read, .read, .read, .sendDataTerminator])
        #expect(
            machine.replyReceived(reply(554, "no recipients")).summary == .fail(.allRecipientsRefused, close: false))
        #expect(machine.isReady)
    }

    @Test func singleRecipientRefusedWithPipelinedDataAccepted() {
        var machine = readyMachine(extensions: ["PIPELINING"])
        let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
        _ = machine.startTransaction(envelope)
        #expect(feed(&machine, [reply(250), reply(550), reply(354)]) == [.read, .read, .sendDataTerminator])
        #expect(machine.replyReceived(reply(250)).summary == .fail(.allRecipientsRefused, close: false))
    }

    @Test func acceptedDataThatMustBeAbandonedClosesTheConnection() {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startCommand(.raw("XFOO"))
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send(["RSET", mail, rcptBob, rcptCarol, "DATA"]))
        let actions = feed(&machine, [reply(500, "RSET broken"), reply(250), reply(250), reply(250), reply(354)])
        #expect(actions == [.read, .read, .read, .read, .fail(.commandRejected, close: true)])
        #expect(!machine.isConnectionOpen)
    }

    @Test func rejectedSenderFailsWithoutRSET() throws {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        let action = machine.replyReceived(reply(553, "5.7.1 sender rejected"))
        #expect(action.summary == .fail(.commandRejected, close: false))
        #expect(action.error?.reply?.code == 553)
        #expect(machine.isReady)
    }

    @Test func rejectedSenderInPipelinedGroupConsumesAllReplies() {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startTransaction(twoRecipients)
        let actions = feed(&machine, [reply(553), reply(503), reply(503), reply(503)])
        #expect(actions == [.read, .read, .read, .fail(.commandRejected, close: false)])
        #expect(machine.isReady)
    }

    @Test func contentRejectedAfterTheDot() throws {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250), reply(354)])
        _ = machine.dataBodyFinished(byteCount: 5)
        let action = machine.replyReceived(reply(554, "5.7.1 spam"))
        #expect(action.summary == .fail(.dataRejected, close: false))
        #expect(action.error?.reply?.enhancedStatusCode == EnhancedStatusCode(statusClass: 5, subject: 7, detail: 1))
        #expect(machine.isReady)
        #expect(machine.startTransaction(twoRecipients).summary == .send(["RSET"]))
    }

    @Test func dataCommandRefusedResetsTheTransaction() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        #expect(
            feed(&machine, [reply(250), reply(250), reply(250), reply(451)])
                == [.send([rcptBob]), .send([rcptCarol]), .send(["DATA"]), .send(["RSET"])])
        #expect(machine.replyReceived(reply(250)).summary == .fail(.dataRejected, close: false))
    }

    @Test func positiveCompletionToDataIsAViolation() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250)])
        #expect(machine.replyReceived(reply(250)).summary == .fail(.protocolViolation, close: true))
    }

    @Test func failedRSETAfterRefusalClosesTheConnection() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(550), reply(550)])
        #expect(machine.replyReceived(reply(500)).summary == .fail(.allRecipientsRefused, close: true))
        #expect(!machine.isConnectionOpen)
    }

    /// A `421` at any point of a pipelined transaction fails it and closes the connection.
    @Test(arguments: 0...4)
    func serviceClosingReplyAnywhereCloses(position: Int) {
        var machine = readyMachine(
            extensions: ["PIPELINING"], configuration: machineConfiguration(stopOnRecipientErrors: false))
        _ = machine.startTransaction(twoRecipients)
        let normal = [reply(250), reply(250), reply(250), reply(354)]
        _ = feed(&machine, Array(normal.prefix(position)))
        if position == 4 {
            _ = machine.dataBodyFinished(byteCount: 1)
        }
        let action = machine.replyReceived(reply(421, "4.3.2 shutting down"))
        #expect(action.summary == .fail(.commandRejected, close: true))
        #expect(action.error?.reply?.code == 421)
        #expect(!machine.isConnectionOpen)
        #expect(machine.capabilities == nil)
    }

    @Test func serviceClosingReplyWhileResettingCloses() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(550), reply(550)])
        #expect(machine.replyReceived(reply(421)).summary == .fail(.commandRejected, close: true))
    }

    @Test func connectionLostMidDataFails() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250), reply(354)])
        #expect(machine.channelClosed().summary == .fail(.connectionClosed, close: true))
    }

    @Test func failingContentClosesTheConnection() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250), reply(354)])
        let action = machine.dataBodyFailed(SMTPError(.lineTooLong, "long"))
        #expect(action.summary == .fail(.lineTooLong, close: true))
        #expect(!machine.isConnectionOpen)
    }

    @Test func timeoutWaitingForFinalReplyFails() {
        var machine = readyMachine()
        _ = machine.startTransaction(twoRecipients)
        _ = feed(&machine, [reply(250), reply(250), reply(250), reply(354)])
        _ = machine.dataBodyFinished(byteCount: 1)
        #expect(machine.errorCaught(SMTPError(.timeout, "slow")).summary == .fail(.timeout, close: true))
    }

    @Test func envelopeWithoutRecipientsIsRejected() {
        var machine = readyMachine()
        let envelope = SMTPEnvelope(from: "alice@example.com", to: [])
        let action = machine.startTransaction(envelope)
        #expect(action.summary == .fail(.noRecipients, close: false))
        #expect(action.error?.psmtpErrorCode == 165)
        #expect(machine.isReady)
    }

    @Test(arguments: [
        SMTPEnvelope(from: "alice@example.com\r\nRCPT TO:<eve@evil>", to: ["bob@example.org"]),
        SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org\nDATA"]),
        SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org\u{0}"]),
        SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org> NOTIFY=NEVER"]),
        SMTPEnvelope(from: "alice@example.com", to: [""]),
        SMTPEnvelope(
            from: "alice@example.com", to: ["bob@example.org"], mailParameters: [SMTPParameter("SIZE", "1\r\nQUIT")]),
        SMTPEnvelope(
            from: "alice@example.com", to: ["bob@example.org"], recipientParameters: [SMTPParameter("NOTIFY", "A B")]),
    ])
    func injectionInTheEnvelopeIsRejectedBeforeSending(envelope: SMTPEnvelope) {
        var machine = readyMachine(extensions: ["PIPELINING"])
        #expect(machine.startTransaction(envelope).summary == .fail(.invalidInput, close: false))
        #expect(machine.isReady)
    }

    @Test func nonASCIIAddressNeedsSMTPUTF8() {
        let envelope = SMTPEnvelope(from: "jörg@example.de", to: ["bob@example.org"])
        var plain = readyMachine()
        #expect(plain.startTransaction(envelope).summary == .fail(.invalidInput, close: false))

        var utf8 = readyMachine(extensions: ["SMTPUTF8"])
        #expect(utf8.startTransaction(envelope).summary == .send(["MAIL FROM:<jörg@example.de> SMTPUTF8"]))
    }

    @Test func contentThatNeedsSMTPUTF8IsDecidedInOnePlace() {
        var envelope = SMTPEnvelope(from: "alice@example.org", to: ["bob@example.org"])
        envelope.requiresSMTPUTF8 = true
        var plain = readyMachine()
        #expect(plain.startTransaction(envelope).summary == .fail(.invalidInput, close: false))

        envelope.mailParameters = [.smtpUTF8]
        var utf8 = readyMachine(extensions: ["SMTPUTF8"])
        #expect(utf8.startTransaction(envelope).summary == .send(["MAIL FROM:<alice@example.org> SMTPUTF8"]))
    }

    @Test func parametersAreRendered() {
        var machine = readyMachine(extensions: ["PIPELINING", "SIZE 1000000", "DSN"])
        let envelope = SMTPEnvelope(
            reversePath: "",
            recipients: [SMTPEnvelope.Recipient("bob@example.org", parameters: [SMTPParameter("NOTIFY", "FAILURE")])],
            mailParameters: [.size(512), .body8BitMIME])
        #expect(
            machine.startTransaction(envelope).summary
                == .send(["MAIL FROM:<> SIZE=512 BODY=8BITMIME", "RCPT TO:<bob@example.org> NOTIFY=FAILURE", "DATA"]))
    }

    @Test func transactionNeedsAnOpenSession() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        #expect(machine.startTransaction(twoRecipients).summary == .fail(.notConnected, close: false))
        _ = machine.connectionEstablished()
        #expect(machine.startTransaction(twoRecipients).summary == .fail(.busy, close: false))
    }

    @Test func bodyFinishedOutsideDataIsAViolation() {
        var machine = readyMachine()
        #expect(machine.dataBodyFinished(byteCount: 1).summary == .fail(.protocolViolation, close: true))
    }
}
