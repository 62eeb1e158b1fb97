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

        // MARK: Message

        @Option(help: ArgumentHelp("The author (From and MAIL FROM).", valueName: "addr"))
        var from: String

        @Option(help: ArgumentHelp("A To recipient; repeatable, at least one.", valueName: "addr"))
        var to: [String] = []

        @Option(help: ArgumentHelp("A Cc recipient; repeatable.", valueName: "addr"))
        var cc: [String] = []

        @Option(help: ArgumentHelp("A Bcc recipient (envelope only); repeatable.", valueName: "addr"))
        var bcc: [String] = []

        @Option(help: ArgumentHelp("The subject.", valueName: "text"))
        var subject: String = ""

        @Option(
            help: ArgumentHelp("The UTF-8 text body; '-' reads standard input. Empty if not given.", valueName: "file"))
        var bodyFile: String?

        @Option(help: ArgumentHelp("A file to attach (read while sending); repeatable.", valueName: "file"))
        var attach: [String] = []

        // MARK: OpenPGP

        @Option(help: ArgumentHelp("Sign with this secret key (armored or binary).", valueName: "file"))
        var signKey: String?

        @Option(help: ArgumentHelp("The passphrase of --sign-key (first line of the file).", valueName: "file"))
        var passphraseFile: String?

        @Option(help: ArgumentHelp("Encrypt for this certificate (armored or binary); repeatable.", valueName: "file"))
        var encryptTo: [String] = []

        // MARK: Server and TLS

        @Option(help: ArgumentHelp("The SMTP server's host name or address.", valueName: "host"))
        var server: String

        @Option(help: ArgumentHelp("The server's port; 465 with --tls implicit, else 25.", valueName: "n"))
        var port: Int?

        @Option(help: "How TLS protects the connection.")
        var tls: SendTLSOption = .starttls

        @Flag(help: "With --tls starttls: go on in clear text when the server does not offer STARTTLS.")
        var opportunisticTLS = false

        @Option(help: ArgumentHelp("Trust only the CA certificates in this PEM file.", valueName: "file"))
        var caFile: String?

        @Flag(help: "Do not verify the server's certificate (tests only).")
        var insecureSkipVerify = false

        @Option(help: ArgumentHelp("A PEM client certificate chain (with --client-key).", valueName: "file"))
        var clientCert: String?

        @Option(help: ArgumentHelp("The PEM private key of --client-cert.", valueName: "file"))
        var clientKey: String?

        // MARK: Authentication

        @Option(help: ArgumentHelp("Authenticate (AUTH) as this user.", valueName: "name"))
        var user: String?

        @Option(
            help: ArgumentHelp(
                "The password (first line of the file); or set PGPMAIL_PASSWORD. The bearer token for xoauth2/oauthbearer.",
                valueName: "file"))
        var passwordFile: String?

        @Option(help: "The SASL mechanism.")
        var auth: SendAuthOption = .auto

        @Flag(help: "Allow mechanisms that send the password itself on a connection without TLS.")
        var allowPlaintextAuth = false

        // MARK: Connection

        @Option(
            help: ArgumentHelp(
                "Connect through socks4://, socks4a://, socks5://[user:pass@]host:port or http://host:port.",
                valueName: "url"))
        var proxy: String?

        @Option(help: ArgumentHelp("The name sent with EHLO/HELO.", valueName: "name"))
        var hello: String?

        @Option(help: ArgumentHelp("Connection and reply timeout.", valueName: "seconds"))
        var timeout: Double?

        @Option(
            help: ArgumentHelp(
                "Ask for delivery status notifications (RFC 3461): success,failure,delay or never.", valueName: "list"))
        var dsnNotify: SendDSNNotify?

        @Flag(help: "Print the SMTP dialogue to standard error (credentials masked).")
        var trail = false

        /// The password from the environment, when no `--password-file` is given.
        static let passwordEnvironmentVariable = "PGPMAIL_PASSWORD"

        func validate() throws {
            try validateOptions()
        }

        func run() async throws {
            do {
                let message = try composeMessage()
                let configuration = try sessionConfiguration()
                let summary = try await SendDelivery(
                    configuration: configuration, notify: dsnNotify, printsTrail: trail
                ).deliver(message)
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
