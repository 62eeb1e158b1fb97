import Foundation
import Testing

@testable import SMTPTestServer

@Suite("Fault injection plans")
struct FaultInjectionTests {
    typealias FaultInjection = SMTPTestServer.FaultInjection
    typealias Command = SMTPTestServer.Command
    typealias Response = SMTPTestServer.Response

    static let message = SMTPTestServer.ReceivedMessage(
        connectionNumber: 1, queueID: "1.1", heloName: "c.test", usedEHLO: true, mailFrom: "a@example.org",
        mailParameters: [], recipients: ["b@example.org"], recipientParameters: [[]], data: Array("x\r\n".utf8),
        receivedAt: Date(timeIntervalSince1970: 0), hadBareLineEndings: false, hadOverlongLines: false,
        containsEightBitData: false)

    /// One session's commands, as the server asks the responder about them.
    static let session: [Command] = [
        .greeting, .ehlo("c.test"), .mail(from: "a@example.org", parameters: []),
        .rcpt(to: "b@example.org", parameters: []), .data, .endOfData(message), .rset, .noop, .quit,
    ]

    /// `rounds` sessions' commands, back to back.
    static func commands(rounds: Int) -> [Command] {
        Array(repeating: session, count: rounds).flatMap { $0 }
    }

    private func decisions(_ plan: FaultInjection, seed: UInt64, rounds: Int = 200) -> [Response?] {
        var generator = SeededGenerator(seed: seed)
        return Self.commands(rounds: rounds).map { plan.response(to: $0, using: &generator) }
    }

    @Test func generatorIsSplitMix64() {
        var generator = SeededGenerator(seed: 0)
        #expect(
            [generator.next(), generator.next(), generator.next()] == [
                0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F,
            ])
    }

    @Test func sameSeedGivesTheSameDecisions() {
        let plan = FaultInjection.mixed(seed: 1)
        let first = decisions(plan, seed: 42)
        #expect(first == decisions(plan, seed: 42))
        #expect(first.contains { $0 != nil })
        #expect(first != decisions(plan, seed: 43))
    }

    @Test func respondersOfOnePlanAgreePerConnection() {
        let plan = FaultInjection(seed: 9, disconnect: 0.1, transientFailure: 0.2, stall: 0.2)
        func run(_ responder: SMTPTestServer.Responder, connections: [Int]) -> [Int: [Response?]] {
            var results: [Int: [Response?]] = [:]
            // Interleave the connections' commands: each connection still sees its own stream.
            for command in Self.commands(rounds: 20) {
                for number in connections {
                    let context = SMTPTestServer.ConnectionContext(connectionNumber: number, acceptedMessages: 0)
                    results[number, default: []].append(responder(command, context))
                }
            }
            return results
        }
        let forwards = run(plan.responder(), connections: [1, 2, 3])
        let backwards = run(plan.responder(), connections: [3, 2, 1])
        #expect(forwards == backwards)
        #expect(forwards[1] != forwards[2])
        var reseeded = plan
        reseeded.seed = 10
        #expect(run(reseeded.responder(), connections: [1, 2, 3]) != forwards)
    }

    @Test func zeroProbabilitiesNeverFault() {
        var plan = FaultInjection(seed: 5)
        #expect(decisions(plan, seed: 5).allSatisfy { $0 == nil })
        plan.stallDuration = .seconds(1) ... .seconds(2)
        #expect(decisions(plan, seed: 6).allSatisfy { $0 == nil })
    }

    @Test(arguments: [
        ("disconnect", FaultInjection(seed: 0, disconnect: 1)),
        ("serviceUnavailable", FaultInjection(seed: 0, serviceUnavailable: 1)),
        ("transientFailure", FaultInjection(seed: 0, transientFailure: 1)),
        ("permanentFailure", FaultInjection(seed: 0, permanentFailure: 1)),
        ("dropDuringData", FaultInjection(seed: 0, dropDuringData: 1, dropAfterOctets: 3...9)),
        ("acceptThenDisconnect", FaultInjection(seed: 0, acceptThenDisconnect: 1)),
    ])
    func probabilityOneAlwaysFaultsWhereItApplies(kind: String, plan: FaultInjection) {
        var generator = SeededGenerator(seed: 77)
        var transientCodes: Set<Int> = []
        for command in Self.commands(rounds: 50) {
            let response = plan.response(to: command, using: &generator)
            switch (kind, command) {
            case ("disconnect", _):
                #expect(response == .disconnect)
            case ("serviceUnavailable", _):
                #expect(
                    response == .replyAndClose(421, "4.3.2 Service not available, closing channel (injected fault)"))
            case ("transientFailure", .mail), ("transientFailure", .rcpt), ("transientFailure", .data),
                ("transientFailure", .endOfData):
                guard case .reply(let reply, thenClose: false)? = response?.kind else {
                    Issue.record("\(command): \(String(describing: response))")
                    continue
                }
                transientCodes.insert(reply.code)
            case ("permanentFailure", .rcpt):
                #expect(response == .reply(550, "5.1.1 Mailbox unavailable (injected fault)"))
            case ("permanentFailure", .endOfData):
                #expect(response == .reply(550, "5.7.1 Message rejected (injected fault)"))
            case ("dropDuringData", .data):
                guard case .dropDuringData(let octets)? = response?.kind else {
                    Issue.record("\(command): \(String(describing: response))")
                    continue
                }
                #expect((3...9).contains(octets))
            case ("acceptThenDisconnect", .endOfData):
                #expect(response == .acceptThenDisconnect)
            default:
                #expect(response == nil, "\(kind) at \(command)")
            }
        }
        if kind == "transientFailure" { #expect(transientCodes == [451, 452, 454]) }
    }

    @Test func stallAlwaysWrapsTheChosenFault() {
        let plan = FaultInjection(
            seed: 0, permanentFailure: 1, stall: 1, stallDuration: .milliseconds(10) ... .milliseconds(20))
        var generator = SeededGenerator(seed: 3)
        for command in Self.commands(rounds: 20) {
            let response = plan.response(to: command, using: &generator)
            guard case .delay(let duration, let then)? = response?.kind else {
                Issue.record("\(command): \(String(describing: response))")
                continue
            }
            #expect(duration >= .milliseconds(10) && duration <= .milliseconds(20))
            switch command {
            case .rcpt, .endOfData: #expect(then != nil)
            default: #expect(then == nil)
            }
        }
    }

    @Test func probabilitiesAddingUpToMoreThanOneShareTheCommands() {
        let plan = FaultInjection(seed: 0, disconnect: 1, serviceUnavailable: 1)
        let responses = decisions(plan, seed: 8, rounds: 20)
        #expect(responses.allSatisfy { $0 != nil })
        let disconnects = responses.filter { $0 == .disconnect }.count
        #expect(disconnects > 20 && disconnects < responses.count - 20)
    }

    @Test func composedResponderAsksTheBaseFirst() {
        let plan = FaultInjection(seed: 0, transientFailure: 1)
        let responder = plan.responder(composedWith: { command, _ in
            if case .rcpt = command { .reply(250, "2.1.5 Fine") } else { nil }
        })
        let context = SMTPTestServer.ConnectionContext(connectionNumber: 1, acceptedMessages: 0)
        #expect(responder(.rcpt(to: "b@example.org", parameters: []), context) == .reply(250, "2.1.5 Fine"))
        #expect(responder(.mail(from: "a@example.org", parameters: []), context)?.kind != nil)
        #expect(responder(.noop, context) == nil)
    }
}
