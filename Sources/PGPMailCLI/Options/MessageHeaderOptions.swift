import ArgumentParser
import Foundation
import PGPMail

/// The header options of every command that builds a message (`compose`, `send`, `bulk`,
/// `queue add`): the PSMTP `ReplyTo`, `OtherHeaders`, `Importance`, `Priority`,
/// `Sensitivity`, `ReadReceiptTo` and `DeliveryNotificationTo`.
struct MessageHeaderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A Reply-To address; repeatable.", valueName: "addr"))
    var replyTo: [String] = []

    @Option(
        help: ArgumentHelp(
            "An extra header field, 'Name: value' (non-ASCII text is encoded); repeatable.", valueName: "field"))
    var header: [String] = []

    @Option(help: "The Importance header: high, normal or low.")
    var importance: ImportanceOption?

    @Option(help: "The Priority and X-Priority headers: urgent, normal or non-urgent.")
    var priority: PriorityOption?

    @Option(help: "The Sensitivity header: personal, private or company-confidential.")
    var sensitivity: SensitivityOption?

    @Option(
        help: ArgumentHelp("Ask for a read receipt at this address (Disposition-Notification-To).", valueName: "addr"))
    var readReceiptTo: String?

    @Option(
        help: ArgumentHelp(
            "Ask for a delivery notification at this address (Return-Receipt-To; see also --dsn-notify).",
            valueName: "addr"))
    var deliveryNotificationTo: String?

    /// `message` with these headers.
    func apply(to message: MailMessage) throws -> MailMessage {
        var message = message
        if !replyTo.isEmpty {
            message = message.withReplyTo(try replyTo.map(MailAddress.init))
        }
        for field in header {
            message = try message.addingHeaders(parsing: field)
        }
        if let importance { message = message.withImportance(importance.value) }
        if let priority { message = message.withPriority(priority.value) }
        if let sensitivity { message = message.withSensitivity(sensitivity.value) }
        if let readReceiptTo { message = message.withReadReceiptTo(try MailAddress(readReceiptTo)) }
        if let deliveryNotificationTo {
            message = message.withDeliveryNotificationTo(try MailAddress(deliveryNotificationTo))
        }
        return message
    }
}

/// The values of `--importance`.
enum ImportanceOption: String, CaseIterable, ExpressibleByArgument {
    case high, normal, low

    var value: Importance {
        switch self {
        case .high: .high
        case .normal: .normal
        case .low: .low
        }
    }
}

/// The values of `--priority`.
enum PriorityOption: String, CaseIterable, ExpressibleByArgument {
    case urgent, normal
    case nonUrgent = "non-urgent"

    var value: Priority {
        switch self {
        case .urgent: .urgent
        case .normal: .normal
        case .nonUrgent: .nonUrgent
        }
    }
}

/// The values of `--sensitivity`.
enum SensitivityOption: String, CaseIterable, ExpressibleByArgument {
    case personal
    case `private`
    case companyConfidential = "company-confidential"

    var value: Sensitivity {
        switch self {
        case .personal: .personal
        case .private: .private
        case .companyConfidential: .companyConfidential
        }
    }
}
