import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand {
    /// `pgpmail compose`: renders one message, signed and/or encrypted as asked, without
    /// sending it.
    struct Compose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a message (signed and/or encrypted as asked) to standard output or a file.",
            discussion: """
                Takes the message and OpenPGP options of 'send'. The output is the complete message \
                with CRLF line endings, exactly as 'send' would deliver it. Exit status: 0 written, \
                1 a file, key or message problem, 2 usage error.
                """)

        @OptionGroup(title: "Message")
        var message: MessageContentOptions

        @OptionGroup
        var recipients: ToOptions

        @OptionGroup(title: "OpenPGP")
        var openPGP: OpenPGPOptions

        @OptionGroup(title: "DKIM")
        var dkim: DKIMOptions

        @Option(help: ArgumentHelp("Write the message to this file instead of standard output.", valueName: "file"))
        var output: String?

        func run() async throws {
            do {
                let preparation = try MessagePreparation(content: message, openPGP: openPGP, dkim: dkim)
                let rendered = try preparation.rendered(to: recipients.to)
                if let output {
                    try Data(rendered.bytes).write(to: URL(fileURLWithPath: output))
                } else {
                    FileHandle.standardOutput.write(Data(rendered.bytes))
                }
            } catch {
                SendFailure(error, phase: .preparation).report(command: "compose")
                throw ExitCode.failure
            }
        }
    }
}
