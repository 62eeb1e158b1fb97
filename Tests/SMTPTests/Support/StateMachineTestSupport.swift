@testable import SMTP

/// A comparable summary of a state machine action.
enum ActionSummary: Equatable, CustomStringConvertible {
    case send([String])
    case read
    case streamBody
    case sendDataTerminator
    case startTLS
    case streamBodyInChunks
    case succeed(String, close: Bool)
    case fail(SMTPError.Code, close: Bool)
    case none

    var description: String {
        switch self {
        case .send(let lines): return "send(\(lines))"
        case .read: return "read"
        case .streamBody: return "streamBody"
        case .sendDataTerminator: return "sendDataTerminator"
        case .startTLS: return "startTLS"
        case .streamBodyInChunks: return "streamBodyInChunks"
        case .succeed(let outcome, let close): return "succeed(\(outcome), close: \(close))"
        case .fail(let code, let close): return "fail(\(code), close: \(close))"
        case .none: return "none"
        }
    }
}

extension SMTPClientStateMachine.Outcome {
    var summary: String {
        switch self {
        case .connected(let capabilities): return capabilities.isExtended ? "connected(EHLO)" : "connected(HELO)"
        case .delivered: return "delivered"
        case .reply(let reply): return "reply(\(reply.code))"
        case .disconnected(let reply): return "disconnected(\(reply.map { String($0.code) } ?? "-"))"
        }
    }
}

extension SMTPClientStateMachine.Action {
    var summary: ActionSummary {
        switch self {
        case .sendCommands(let commands): return .send(commands.map(\.line))
        case .readReply: return .read
        case .streamBody: return .streamBody
        case .sendDataTerminator: return .sendDataTerminator
        case .startTLS: return .startTLS
        case .streamBodyInChunks: return .streamBodyInChunks
        case .succeed(let outcome, let close): return .succeed(outcome.summary, close: close)
        case .fail(let error, let close): return .fail(error.code, close: close)
        case .none: return .none
        }
    }

    var error: SMTPError? {
        if case .fail(let error, _) = self {
            return error
        }
        return nil
    }

    var deliveryResult: SMTPDeliveryResult? {
        if case .succeed(.delivered(let result), _) = self {
            return result
        }
        return nil
    }
}

func reply(_ code: Int, _ text: String = "OK") -> SMTPReply {
    SMTPReply(code: code, text: text)
}

func machineConfiguration(
    useExtensions: Bool = true, stopOnRecipientErrors: Bool = true, sendRSET: Bool = true,
    tls: ResolvedTLSMode = .none
) -> SMTPClientStateMachine.Configuration {
    SMTPClientStateMachine.Configuration(
        localHostname: "client.example", useExtensions: useExtensions,
        stopOnRecipientErrors: stopOnRecipientErrors, sendRSETBeforeTransaction: sendRSET, tls: tls)
}

/// A machine past greeting and EHLO whose server announced `extensions`.
func readyMachine(
    extensions: [String] = [], configuration: SMTPClientStateMachine.Configuration = machineConfiguration()
) -> SMTPClientStateMachine {
    var machine = SMTPClientStateMachine(configuration: configuration)
    _ = machine.connectionEstablished()
    _ = machine.replyReceived(reply(220, "mx.example ESMTP"))
    _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example"] + extensions))
    precondition(machine.isReady)
    return machine
}

/// Feeds replies one by one and returns the summary of every resulting action.
func feed(_ machine: inout SMTPClientStateMachine, _ replies: [SMTPReply]) -> [ActionSummary] {
    replies.map { machine.replyReceived($0).summary }
}

let twoRecipients = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org", "carol@example.net"])
