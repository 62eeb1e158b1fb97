extension SMTPTestServer.FaultInjection {
    /// The kinds of fault, in the order their probabilities are laid out on `0..<1`.
    enum Fault: CaseIterable {
        case disconnect
        case serviceUnavailable
        case transientFailure
        case permanentFailure
        case dropDuringData
        case acceptThenDisconnect
    }

    /// The transient replies, drawn equally often.
    static let transientReplies: [(code: Int, text: String)] = [
        (451, "4.3.0 Local error in processing (injected fault)"),
        (452, "4.3.1 Insufficient system storage (injected fault)"),
        (454, "4.7.0 Temporary failure, try again later (injected fault)"),
    ]

    /// The planned answer to `command`, drawing from `generator`: the pure decision behind
    /// `responder(composedWith:)`. The same plan, command sequence and generator state give
    /// the same answers. `nil` keeps the server's default answer.
    public func response(
        to command: SMTPTestServer.Command, using generator: inout some RandomNumberGenerator
    ) -> SMTPTestServer.Response? {
        let chosen = fault(for: command, at: generator.nextUnitInterval())
        let response = chosen.map { self.response(for: $0, to: command, using: &generator) }
        guard generator.nextUnitInterval() < validated(stall) else { return response }
        return .delay(generator.nextDuration(in: stallDuration), then: response)
    }

    /// The fault whose share of `0..<1` contains `point`, if any. Probabilities of the faults
    /// that apply adding up to more than 1 are scaled down to add up to 1.
    func fault(for command: SMTPTestServer.Command, at point: Double) -> Fault? {
        let shares = Fault.allCases.map { ($0, applies($0, to: command) ? validated(probability(of: $0)) : 0) }
        let scaled = point * max(1, shares.reduce(0) { $0 + $1.1 })
        var end = 0.0
        for (fault, share) in shares where share > 0 {
            end += share
            if scaled < end { return fault }
        }
        return nil
    }

    func probability(of fault: Fault) -> Double {
        switch fault {
        case .disconnect: disconnect
        case .serviceUnavailable: serviceUnavailable
        case .transientFailure: transientFailure
        case .permanentFailure: permanentFailure
        case .dropDuringData: dropDuringData
        case .acceptThenDisconnect: acceptThenDisconnect
        }
    }

    /// Whether `fault` can happen at `command` (see the properties of the plan).
    func applies(_ fault: Fault, to command: SMTPTestServer.Command) -> Bool {
        switch fault {
        case .disconnect, .serviceUnavailable:
            return true
        case .transientFailure:
            switch command {
            case .mail, .rcpt, .data, .endOfData: return true
            default: return false
            }
        case .permanentFailure:
            switch command {
            case .rcpt, .endOfData: return true
            default: return false
            }
        case .dropDuringData:
            return command == .data
        case .acceptThenDisconnect:
            if case .endOfData = command { return true } else { return false }
        }
    }

    private func response(
        for fault: Fault, to command: SMTPTestServer.Command, using generator: inout some RandomNumberGenerator
    ) -> SMTPTestServer.Response {
        switch fault {
        case .disconnect:
            return .disconnect
        case .serviceUnavailable:
            return .replyAndClose(421, "4.3.2 Service not available, closing channel (injected fault)")
        case .transientFailure:
            let (code, text) = Self.transientReplies[
                generator.nextInt(in: 0...Self.transientReplies.count - 1)]
            return .reply(code, text)
        case .permanentFailure:
            if case .rcpt = command { return .reply(550, "5.1.1 Mailbox unavailable (injected fault)") }
            return .reply(550, "5.7.1 Message rejected (injected fault)")
        case .dropDuringData:
            return .dropDuringData(afterOctets: generator.nextInt(in: dropAfterOctets))
        case .acceptThenDisconnect:
            return .acceptThenDisconnect
        }
    }

    private func validated(_ probability: Double) -> Double {
        precondition((0...1).contains(probability), "fault probabilities must be in 0...1, not \(probability)")
        return probability
    }
}
