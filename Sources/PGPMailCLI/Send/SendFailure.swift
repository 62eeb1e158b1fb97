import Foundation
import PGPMail

/// Why `pgpmail send` failed: the exit status and the one line printed on standard error.
///
/// | status | failure |
/// |---|---|
/// | 3 | connection or TLS (including `STARTTLS` not offered when required) |
/// | 4 | authentication |
/// | 5 | recipients refused |
/// | 6 | message refused (`MAIL FROM`, `DATA`, size) |
/// | 1 | anything else (keys, message composition, files) |
struct SendFailure: Error {
    /// Where the error happened: decides what a rejected command means.
    enum Phase {
        /// Reading files, keys and composing; nothing was sent.
        case preparation
        /// Connecting: greeting, `EHLO`, TLS, `AUTH`.
        case connection
        /// The mail transaction: `MAIL FROM`, `RCPT TO`, `DATA`.
        case transaction
    }

    let exitCode: Int32
    let line: String

    init(_ error: any Error, phase: Phase) {
        if let error = error as? SendFailure {
            self = error
        } else if let error = error as? SMTPError {
            let described = Self.describe(error, phase: phase)
            exitCode = described.status
            line = described.line
        } else {
            exitCode = 1
            line = Self.oneLine(String(describing: error))
        }
    }

    private static func describe(_ error: SMTPError, phase: Phase) -> (status: Int32, line: String) {
        let (status, area): (Int32, String) =
            switch error.code {
            case .tlsUnavailable, .tlsHandshakeFailed, .certificateRejected, .tlsConfigurationInvalid: (3, "TLS")
            case .connectionFailed, .connectionClosed, .timeout, .greetingRejected, .proxyFailed: (3, "connection")
            case .authenticationFailed, .authenticationUnavailable: (4, "authentication")
            case .allRecipientsRefused, .recipientRefused: (5, "recipients")
            case .dataRejected, .messageTooLarge: (6, "message refused")
            // In the transaction only MAIL FROM (or RSET before it) is a bare rejected command.
            case .commandRejected where phase == .transaction: (6, "message refused")
            case .commandRejected where phase == .connection: (3, "connection")
            default: (1, "SMTP")
            }
        var text = error.message
        let refused = error.refusedRecipients.map { "\($0.recipient) (\(oneLine($0.reply.description)))" }
        if !refused.isEmpty {
            text += ": " + refused.joined(separator: ", ")
        } else if let reply = error.reply {
            text += " (server replied: \(oneLine(reply.description)))"
        }
        return (status, "\(area): \(oneLine(text)) (SMTPError.\(error.code))")
    }

    /// `text` with line breaks folded into spaces.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Prints the failure line on standard error, naming the command (`send`, `bulk`, …).
    func report(command: String = "send") {
        Self.printError(line, command: command)
    }

    /// The failure line for `error` met while sending a message.
    static func describe(_ error: any Error) -> String {
        SendFailure(error, phase: .transaction).line
    }

    /// Prints a warning line on standard error.
    static func warn(_ text: String) {
        printError("warning: " + text)
    }

    private static func printError(_ text: String, command: String = "send") {
        FileHandle.standardError.write(Data("pgpmail \(command): \(text)\n".utf8))
    }
}
