import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand {
    /// `pgpmail send`: composes one message, optionally signs and/or encrypts it as
    /// PGP/MIME and delivers it over SMTP.
    ///
    /// Exit status: 0 sent, 2 usage, 3 connection or TLS, 4 authentication, 5 recipients
    /// refused, 6 message refused, 1 anything else (see ``SendFailure``).
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compose, optionally sign and encrypt, and deliver one message over SMTP.",
            discussion: """
                Exit status: 0 sent, 2 usage error, 3 connection or TLS failure, 4 authentication \
                failure, 5 recipients refused, 6 message refused, 1 any other error.
                """)

        @OptionGroup(title: "Message")
        var message: MessageContentOptions

        @OptionGroup
        var recipients: ToOptions

        @OptionGroup(title: "OpenPGP")
        var openPGP: OpenPGPOptions

        @OptionGroup(title: "DKIM")
        var dkim: DKIMOptions

        @OptionGroup(title: "Server")
        var server: ServerOptions

        /// What to send: the message the options describe, signed and/or encrypted as PGP/MIME
        /// when `--sign-key`/`--encrypt-to`/`--recipient` are given (one copy per Bcc
        /// recipient more when encrypting for them). A single copy is streamed while it is
        /// rendered, unless DKIM needs its final bytes first.
        func contents() throws -> [SendDelivery.Content] {
            let preparation = try MessagePreparation(content: message, openPGP: openPGP, dkim: dkim)
            let copies = try preparation.deliveries(to: recipients.to)
            if copies.count == 1, let only = copies.first, preparation.dkim == nil {
                return [.streamed(only.message)]
            }
            return try copies.map { .rendered(try preparation.finish($0)) }
        }

        func run() async throws {
            do {
                let contents = try contents()
                let configuration = try server.sessionConfiguration()
                let summary = try await SendDelivery(
                    configuration: configuration, notify: server.dsnNotify, printsTrail: server.trail
                ).deliver(contents)
                print(summary)
            } catch let failure as SendFailure {
                failure.report()
                throw ExitCode(failure.exitCode)
            } catch {
                let failure = SendFailure(error, phase: .preparation)
                failure.report()
                throw ExitCode(failure.exitCode)
            }
        }
    }
}
