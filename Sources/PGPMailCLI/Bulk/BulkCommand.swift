import ArgumentParser
import Foundation
import Logging
import NIOPosix
import PGPMail

extension PGPMailCommand {
    /// `pgpmail bulk`: one personalised message per recipient of a CSV file, each signed
    /// and/or encrypted to its own recipient, delivered through a pool of connections.
    struct Bulk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one message per recipient of a CSV file through a pool of SMTP connections.",
            discussion: """
                --recipients names a CSV file whose first line is 'address,cert'; each further line \
                holds a recipient's address and the path of their certificate (may be empty). \
                With --encrypt each message is encrypted to its own recipient's certificate (a \
                recipient without one fails rather than get the message unencrypted); with \
                --sign-key every message is signed. Ends with the line \
                'sent N failed N seconds S rate R msg/s'. Exit status: 0 all sent, 1 some failed, \
                2 usage error.
                """)

        @OptionGroup(title: "Message")
        var message: MessageContentOptions

        @Option(help: ArgumentHelp("The CSV file of recipients: header 'address,cert'.", valueName: "file"))
        var recipients: String

        @Flag(help: "Encrypt each message to its own recipient's certificate.")
        var encrypt = false

        @OptionGroup(title: "OpenPGP")
        var openPGP: OpenPGPOptions

        @OptionGroup(title: "DKIM")
        var dkim: DKIMOptions

        @OptionGroup(title: "Server")
        var server: ServerOptions

        @OptionGroup(title: "Pool")
        var pool: PoolOptions

        func run() async throws {
            let list: RecipientList
            let preparation: MessagePreparation
            let configuration: SMTPClient.Configuration
            do {
                list = try RecipientList(
                    csv: try SendFiles.text(of: recipients, what: "recipients file"), name: recipients)
                preparation = try MessagePreparation(content: message, openPGP: openPGP, dkim: dkim)
                configuration = pool.clientConfiguration(session: try server.sessionConfiguration())
                // What every message shares (From, attachments) fails here, once; a bad recipient
                // address fails only that recipient's message.
                _ = try message.compose(to: [message.from], bodies: preparation.bodies)
            } catch {
                SendFailure(error, phase: .preparation).report(command: "bulk")
                throw ExitCode(PGPMailCommand.usageExitCode)
            }

            let progress = ProgressReporter(total: list.entries.count)
            let client = SMTPClient(configuration: configuration, logger: Self.logger(trail: server.trail))
            let compose = Composer(preparation: preparation, encrypt: encrypt, server: server)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                let reporter = Task { await progress.run() }
                let outcomes = client.send(contentsOf: AsyncArray(elements: list.entries)) { entry in
                    try await NIOThreadPool.singleton.runIfActive { try compose.outgoing(for: entry) }
                }
                for try await outcome in outcomes {
                    switch outcome.result {
                    case .success:
                        progress.recordSent()
                    case .failure(let error):
                        progress.recordFailed()
                        let entry = list.entries[outcome.index]
                        Self.reportFailure("\(entry.address) (line \(entry.line)): \(SendFailure.describe(error))")
                    }
                }
                reporter.cancel()
                await reporter.value
                client.beginGracefulShutdown()
                try await group.waitForAll()
            }
            print(progress.summary)
            if progress.failed > 0 {
                throw ExitCode.failure
            }
        }

        static func reportFailure(_ text: String) {
            FileHandle.standardError.write(Data("pgpmail bulk: failed: \(text)\n".utf8))
        }

        /// With `--trail`, the protocol trail of every connection (trace level) on standard error.
        static func logger(trail: Bool) -> Logger {
            guard trail else { return .smtpNoOp }
            var logger = Logger(label: "pgpmail.smtp") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .trace
            return logger
        }
    }
}

/// Builds each recipient's message; runs on NIO's blocking thread pool.
struct Composer: Sendable {
    let preparation: MessagePreparation
    let encrypt: Bool
    let server: ServerOptions

    struct MissingCertificate: Error, CustomStringConvertible {
        let address: String
        var description: String { "no certificate for \(address); not sent unencrypted" }
    }

    func outgoing(for entry: RecipientList.Entry) throws -> SMTPOutgoingMessage {
        var certificates: [Certificate] = []
        if encrypt {
            guard let path = entry.certificatePath else {
                throw MissingCertificate(address: entry.address)
            }
            certificates.append(try OpenPGPOptions.certificate(at: path))
        }
        let rendered = try preparation.rendered(to: [entry.address], extraRecipients: certificates)
        return SMTPOutgoingMessage(rendered, envelope: server.applyingNotify(to: SMTPEnvelope(rendered)))
    }
}
