import Foundation

@testable import SMTPTestServer

/// Drives an `SMTPServerStateMachine` with text, without sockets, and collects what it does.
struct StateMachineHarness {
    typealias Action = SMTPServerStateMachine.Action

    static let fixedDate = Date(timeIntervalSince1970: 1_700_000_000)

    var machine: SMTPServerStateMachine
    /// The greeting action returned by `connected()`.
    let greeting: Action
    /// Every message the machine delivered, in order.
    private(set) var delivered: [SMTPTestServer.ReceivedMessage] = []
    /// Every transcript line the machine produced, in order (reply lines included).
    private(set) var transcript: [SMTPTestServer.Transcript.Line] = []

    init(_ configuration: SMTPTestServer.Configuration = .init(), connectionNumber: Int = 1) {
        machine = SMTPServerStateMachine(
            configuration: configuration, connectionNumber: connectionNumber, now: { Self.fixedDate })
        greeting = machine.connected()
    }

    /// Feeds `input` as one read: split after each LF, every line but the last marked as
    /// having more input behind it. Returns the actions, one per line.
    @discardableResult
    mutating func feed(_ input: String) -> [Action] {
        let lines = Self.splitLines(input)
        return lines.enumerated().map { index, text in
            feed(
                InboundLine(
                    text, isComplete: text.unicodeScalars.last == "\n", moreInputBuffered: index < lines.count - 1))
        }
    }

    @discardableResult
    mutating func feed(_ line: InboundLine) -> Action {
        let output = machine.receivedLine(line)
        if let entry = output.transcript { transcript.append(entry) }
        note(output.action)
        return output.action
    }

    /// Notes what `action` delivers and replies; a delayed action as if its time had come.
    private mutating func note(_ action: Action) {
        switch action {
        case .send(let reply, _):
            transcript += reply.wireLines.map { .reply($0) }
        case .deliver(let message, let reply, _):
            delivered.append(message)
            transcript += reply.wireLines.map { .reply($0) }
        case .deliverWithoutReply(let message):
            delivered.append(message)
        case .delayed(_, let action):
            note(action)
        case .none, .disconnect:
            break
        }
    }

    /// Feeds `input` and returns the reply lines sent for it, in order.
    mutating func replies(_ input: String) -> [String] {
        feed(input).flatMap(Self.replyLines)
    }

    /// Feeds one command line (CRLF added) and returns its reply lines.
    mutating func command(_ line: String) -> [String] {
        replies(line + "\r\n")
    }

    /// Starts a session with `EHLO client.test`.
    mutating func ehlo() {
        _ = command("EHLO client.test")
    }

    static func replyLines(_ action: Action) -> [String] {
        switch action {
        case .send(let reply, _), .deliver(_, let reply, _): reply.wireLines
        case .delayed(_, let action): replyLines(action)
        case .none, .disconnect, .deliverWithoutReply: []
        }
    }

    static func splitLines(_ input: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for scalar in input.unicodeScalars {
            current.unicodeScalars.append(scalar)
            if scalar == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
