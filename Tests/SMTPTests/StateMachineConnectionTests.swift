import Testing

@testable import SMTP

@Suite("State machine: connection phase")
struct StateMachineConnectionTests {
    @Test func greetingThenEHLOOpensExtendedSession() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        #expect(machine.connectionEstablished().summary == .read)
        #expect(machine.replyReceived(reply(220, "mx ESMTP")).summary == .send(["EHLO client.example"]))
        let ehlo = SMTPReply(code: 250, lines: ["mx.example", "PIPELINING", "SIZE 1000", "8BITMIME"])
        #expect(machine.replyReceived(ehlo).summary == .succeed("connected(EHLO)", close: false))
        #expect(machine.isReady)
        #expect(machine.capabilities?.supportsPipelining == true)
        #expect(machine.capabilities?.maximumMessageSize == 1000)
    }

    @Test func rejectedGreetingSendsQuitThenFails() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        #expect(machine.replyReceived(reply(554, "go away")).summary == .send(["QUIT"]))
        let action = machine.replyReceived(reply(221, "bye"))
        #expect(action.summary == .fail(.greetingRejected, close: true))
        #expect(action.error?.reply?.code == 554)
        #expect(!machine.isConnectionOpen)
    }

    @Test func greetingRejectedConnectionLostDuringQuitKeepsGreetingError() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(554, "go away"))
        let action = machine.channelClosed()
        #expect(action.summary == .fail(.greetingRejected, close: true))
    }

    @Test(arguments: [421, 250, 354])
    func unusableGreetingClosesAtOnce(code: Int) {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        #expect(machine.replyReceived(reply(code)).summary == .fail(.greetingRejected, close: true))
    }

    @Test(arguments: [500, 502, 550])
    func ehloRefusedWithPermanentErrorFallsBackToHELO(code: Int) {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220))
        #expect(machine.replyReceived(reply(code, "what?")).summary == .send(["HELO client.example"]))
        #expect(machine.replyReceived(reply(250, "mx.example")).summary == .succeed("connected(HELO)", close: false))
        #expect(machine.capabilities?.isExtended == false)
        #expect(machine.capabilities?.supportsPipelining == false)
    }

    @Test func ehloTransientFailureDoesNotFallBack() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220))
        let action = machine.replyReceived(reply(451, "try later"))
        #expect(action.summary == .fail(.commandRejected, close: true))
        #expect(action.error?.reply?.code == 451)
    }

    @Test func extensionsDisabledSendsHELOStraightAway() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration(useExtensions: false))
        _ = machine.connectionEstablished()
        #expect(machine.replyReceived(reply(220)).summary == .send(["HELO client.example"]))
        #expect(machine.replyReceived(reply(250)).summary == .succeed("connected(HELO)", close: false))
    }

    @Test func heloRefusedFailsAndCloses() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220))
        _ = machine.replyReceived(reply(502))
        #expect(machine.replyReceived(reply(550, "no")).summary == .fail(.commandRejected, close: true))
        #expect(machine.capabilities == nil)
    }

    @Test(arguments: ["", "bad host", "evil\r\nMAIL FROM:<x>", "nul\u{0}"])
    func invalidLocalHostnameIsRejectedBeforeAnythingIsSent(hostname: String) {
        var configuration = machineConfiguration()
        configuration.localHostname = hostname
        var machine = SMTPClientStateMachine(configuration: configuration)
        #expect(machine.connectionEstablished().summary == .fail(.invalidInput, close: true))
    }

    @Test func connectingTwiceFails() {
        var machine = readyMachine()
        #expect(machine.connectionEstablished().summary == .fail(.alreadyConnected, close: false))
        #expect(machine.isReady)
    }

    @Test func connectionLostDuringGreetingFails() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        #expect(machine.channelClosed().summary == .fail(.connectionClosed, close: true))
        #expect(!machine.isConnectionOpen)
    }

    @Test func timeoutDuringEHLOFailsWithTheTimeout() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220))
        let action = machine.errorCaught(SMTPError(.timeout, "slow"))
        #expect(action.summary == .fail(.timeout, close: true))
    }

    @Test func quitWaitsForReplyThenCloses() {
        var machine = readyMachine()
        #expect(machine.quitRequested().summary == .send(["QUIT"]))
        #expect(machine.replyReceived(reply(221, "bye")).summary == .succeed("disconnected(221)", close: true))
        #expect(!machine.isConnectionOpen)
        #expect(machine.capabilities == nil)
    }

    @Test func serverClosingBeforeQuitReplyIsASuccessfulQuit() {
        var machine = readyMachine()
        _ = machine.quitRequested()
        #expect(machine.channelClosed().summary == .succeed("disconnected(-)", close: true))
    }

    @Test func quitWhenNotConnectedJustCloses() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        #expect(machine.quitRequested().summary == .succeed("disconnected(-)", close: true))
    }

    @Test func closeWhileIdleNeedsNoAction() {
        var machine = readyMachine()
        #expect(machine.channelClosed().summary == .none)
        #expect(!machine.isConnectionOpen)
        #expect(machine.startTransaction(twoRecipients).summary == .fail(.notConnected, close: false))
    }

    @Test func unsolicitedReplyWhileReadyIsAProtocolViolation() {
        var machine = readyMachine()
        #expect(machine.replyReceived(reply(250)).summary == .fail(.protocolViolation, close: true))
    }
}
