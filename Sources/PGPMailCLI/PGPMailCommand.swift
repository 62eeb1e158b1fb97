import ArgumentParser
import Foundation
import PGPMail

@main
struct PGPMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgpmail",
        abstract: "Compose, sign, encrypt and deliver email with OpenPGP and SMTP.",
        version: PGPMailVersion.version,
        subcommands: [Demo.self, Compose.self, Send.self, Bulk.self, Queue.self, Keys.self])

    /// Runs the command as ArgumentParser's own `main()` does, except that usage errors
    /// (unknown or missing options, failed `validate()`) exit with 2 instead of 64.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode(usageExitCode))
            }
            exit(withError: error)
        }
    }

    /// The exit status for a command line that cannot be used (the Unix convention).
    static let usageExitCode: Int32 = 2
}

extension PGPMailCommand {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the end-to-end self-check: sign, encrypt and deliver a message over loopback, then read it back.")

        @Option(name: .long, help: "Also write message.eml, sender.pub.asc and recipient.sec.asc into this directory.")
        var output: String?

        func run() async throws {
            let report = try await PGPMailDemo.run(outputDirectory: output.map { URL(fileURLWithPath: $0) })
            print(report)
            if !report.succeeded { throw ExitCode.failure }
        }
    }
}
