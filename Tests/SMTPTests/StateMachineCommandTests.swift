import Testing

@testable import SMTP

@Suite("State machine: single commands")
struct StateMachineCommandTests {
    @Test func verifyReturnsPositiveReply() {
        var machine = readyMachine()
        #expect(machine.startCommand(.vrfy("bob")).summary == .send(["VRFY bob"]))
        #expect(machine.replyReceived(reply(252, "cannot verify")).summary == .succeed("reply(252)", close: false))
        #expect(machine.isReady)
    }

    @Test func negativeReplyFailsButKeepsSession() {
        var machine = readyMachine()
        _ = machine.startCommand(.expn("staff"))
        let action = machine.replyReceived(reply(502, "not implemented"))
        #expect(action.summary == .fail(.commandRejected, close: false))
        #expect(action.error?.reply?.code == 502)
        #expect(machine.isReady)
    }

    @Test func rawCommandMayGetIntermediateReply() {
        var machine = readyMachine()
        #expect(machine.startCommand(.raw("AUTH LOGIN")).summary == .send(["AUTH LOGIN"]))
        #expect(machine.replyReceived(reply(334, "VXNlcm5hbWU6")).summary == .succeed("reply(334)", close: false))
    }

    @Test func intermediateReplyToKnownCommandIsAViolation() {
        var machine = readyMachine()
        _ = machine.startCommand(.noop)
        #expect(machine.replyReceived(reply(354)).summary == .fail(.protocolViolation, close: true))
    }

    @Test func serviceClosingReplyCloses() {
        var machine = readyMachine()
        _ = machine.startCommand(.noop)
        #expect(machine.replyReceived(reply(421, "bye")).summary == .fail(.commandRejected, close: true))
        #expect(!machine.isConnectionOpen)
    }

    @Test(arguments: ["NOOP\r\nRSET", "A\nB", "X\u{0}", ""])
    func injectedRawCommandIsRejected(line: String) {
        var machine = readyMachine()
        #expect(machine.startCommand(.raw(line)).summary == .fail(.invalidInput, close: false))
        #expect(machine.isReady)
    }

    @Test func commandWhileBusyFailsWithoutDisturbing() {
        var machine = readyMachine()
        _ = machine.startCommand(.noop)
        #expect(machine.startCommand(.noop).summary == .fail(.busy, close: false))
        #expect(machine.startTransaction(twoRecipients).summary == .fail(.busy, close: false))
        #expect(machine.quitRequested().summary == .fail(.busy, close: false))
        #expect(machine.replyReceived(reply(250)).summary == .succeed("reply(250)", close: false))
    }

    @Test func rsetMeansNoRSETBeforeNextTransaction() {
        var machine = readyMachine()
        _ = machine.startCommand(.raw("XFOO"))
        _ = machine.replyReceived(reply(250))
        _ = machine.startCommand(.rset)
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send(["MAIL FROM:<alice@example.com>"]))
    }

    @Test func rawCommandMeansRSETBeforeNextTransaction() {
        var machine = readyMachine()
        _ = machine.startCommand(.raw("XFOO"))
        _ = machine.replyReceived(reply(250))
        #expect(machine.startTransaction(twoRecipients).summary == .send(["RSET"]))
    }

    @Test func commandsNeedAConnection() {
        var machine = SMTPClientStateMachine(configuration: machineConfiguration())
        #expect(machine.startCommand(.noop).summary == .fail(.notConnected, close: false))
    }
}
