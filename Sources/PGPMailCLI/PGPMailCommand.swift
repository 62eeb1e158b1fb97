import ArgumentParser
import Foundation
import PGPMail

@main
struct PGPMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgpmail",
        abstract: "Compose, sign, encrypt and deliver email with OpenPGP and SMTP.",
        subcommands: [Demo.self])
}

extension PGPMailCommand {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the end-to-end self-check: sign, encrypt and deliver a message over loopback, then read it back.")

        @Option(name: .long, help: "Also write message.eml, sender.pub.asc and recipient.sec.asc into this directory.")
        var output: String?

        func run() async throws {
            let report = try await PGPMailDemo.run(outputDirectory: output.map { URL(fileURLWithPath: $0) })
            print(report)
            if !report.succeeded { throw ExitCode.failure }
        }
    }
}
