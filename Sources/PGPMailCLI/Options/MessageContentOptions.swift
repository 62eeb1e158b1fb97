import ArgumentParser
import Foundation
import PGPMail

/// The message options shared by `compose`, `send`, `bulk` and `queue add` (`--to` is declared by each
/// command: `bulk` takes its recipients from a CSV file).
struct MessageContentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The author (From and MAIL FROM).", valueName: "addr"))
    var from: String

    @Option(help: ArgumentHelp("A Cc recipient; repeatable.", valueName: "addr"))
    var cc: [String] = []

    @Option(help: ArgumentHelp("A Bcc recipient (envelope only); repeatable.", valueName: "addr"))
    var bcc: [String] = []

    @Option(help: ArgumentHelp("The subject.", valueName: "text"))
    var subject: String = ""

    @Option(help: ArgumentHelp("The UTF-8 text body; '-' reads standard input. Empty if not given.", valueName: "file"))
    var bodyFile: String?

    @Option(help: ArgumentHelp("A UTF-8 HTML body; with a text body the two are alternatives.", valueName: "file"))
    var htmlFile: String?

    @Option(help: ArgumentHelp("A file to attach (read while sending); repeatable.", valueName: "file"))
    var attach: [String] = []

    @OptionGroup(title: "Headers")
    var headers: MessageHeaderOptions

    /// The text and HTML bodies, read once (standard input cannot be read twice). Without
    /// either file the text body is empty.
    func bodies() throws -> MessageBodies {
        let text = try bodyFile.map { try SendFiles.text(of: $0, what: "body file") }
        let html = try htmlFile.map { try SendFiles.text(of: $0, what: "HTML file") }
        return MessageBodies(text: text ?? (html == nil ? "" : nil), html: html)
    }

    /// The unprotected message to `to`: addresses, subject, bodies, headers and attachments.
    func compose(to: [String], bodies: MessageBodies) throws -> MailMessage {
        var message = try MailMessage(
            from: MailAddress(from), to: to.map(MailAddress.init), subject: subject, body: bodies.text ?? ""
        )
        .withText(bodies.text)
        .withHTML(bodies.html)
        message = try headers.apply(to: message)
        if !cc.isEmpty {
            message = message.withCc(try cc.map(MailAddress.init))
        }
        if !bcc.isEmpty {
            message = message.withBcc(try bcc.map(MailAddress.init))
        }
        for path in attach {
            try SendFiles.checkReadable(path, what: "attachment")
            message = message.addingAttachment(try Attachment(fileURL: URL(fileURLWithPath: path)))
        }
        return message
    }
}

/// The bodies of `--body-file` and `--html-file`.
struct MessageBodies: Sendable {
    /// The text body; nil when only an HTML body was given.
    let text: String?
    /// The HTML body.
    let html: String?
}

/// `--to`, for `send` and `queue add` (`bulk` reads its recipients from a file).
struct ToOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A To recipient; repeatable, at least one.", valueName: "addr"))
    var to: [String] = []

    func validate() throws {
        guard !to.isEmpty else {
            throw ValidationError("give at least one recipient with --to")
        }
    }
}
