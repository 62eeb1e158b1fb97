import ArgumentParser
import Foundation
import PGPMail

/// The server, TLS, authentication and connection options shared by `send`, `bulk` and
/// `queue process`.
struct ServerOptions: ParsableArguments {
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

    /// Checks combinations the parser cannot; a failure is a usage error (exit 2).
    func validate() throws {
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535")
        }
        if let timeout, !(timeout > 0 && timeout <= 86400) {
            throw ValidationError("--timeout must be a number of seconds greater than 0")
        }
        if opportunisticTLS && tls != .starttls {
            throw ValidationError("--opportunistic-tls goes with --tls starttls only")
        }
        if (clientCert == nil) != (clientKey == nil) {
            throw ValidationError("--client-cert and --client-key go together")
        }
        if user == nil && (passwordFile != nil || auth != .auto) {
            throw ValidationError("--password-file and --auth need --user")
        }
        if user != nil && passwordFile == nil && Self.environmentPassword == nil {
            throw ValidationError("--user needs --password-file or \(Self.passwordEnvironmentVariable)")
        }
        if let proxy {
            do {
                _ = try SMTPProxy(url: proxy)
            } catch {
                // The library's message never repeats the URL, which may hold a password.
                throw ValidationError("--proxy: \(error.message)")
            }
        }
    }

    /// `PGPMAIL_PASSWORD`, if set and not empty.
    static var environmentPassword: String? {
        ProcessInfo.processInfo.environment[passwordEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The session configuration the options describe; reads `--password-file`.
    func sessionConfiguration() throws -> SMTPSession.Configuration {
        var configuration = SMTPSession.Configuration(host: server, port: port ?? tls.defaultPort)
        configuration.tls = tls.mode(opportunistic: opportunisticTLS)
        if let caFile {
            configuration.tlsConfiguration.trustRoots = .pemFiles([caFile])
        }
        if insecureSkipVerify {
            configuration.tlsConfiguration.certificateVerification = .insecureNoVerification
        }
        if let clientCert, let clientKey {
            configuration.tlsConfiguration.clientIdentity = .pem(
                certificateChainFile: clientCert, privateKeyFile: clientKey)
        }
        if let user {
            let secret =
                try passwordFile.map { try SendFiles.firstLine(of: $0, what: "password file") }
                ?? Self.environmentPassword ?? ""
            configuration.credentials =
                auth.usesBearerToken
                ? SMTPCredentials(username: user, bearerToken: secret)
                : SMTPCredentials(username: user, password: secret)
        }
        configuration.authentication = auth.authentication
        configuration.allowsAuthenticationWithoutTLS = allowPlaintextAuth
        configuration.proxy = try proxy.map { try SMTPProxy(url: $0) }
        if let hello {
            configuration.localHostname = hello
        }
        if let timeout {
            configuration.connectTimeout = .milliseconds(Int64(timeout * 1000))
            configuration.commandTimeout = .milliseconds(Int64(timeout * 1000))
        }
        return configuration
    }

    /// `envelope` with `--dsn-notify` applied to every recipient.
    func applyingNotify(to envelope: SMTPEnvelope) -> SMTPEnvelope {
        guard let notify = dsnNotify else { return envelope }
        var envelope = envelope
        for index in envelope.recipients.indices {
            envelope.recipients[index].notify = notify.notify
        }
        return envelope
    }
}

/// The pool options of `bulk` and `queue process`.
struct PoolOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How many connections to open at most.", valueName: "n"))
    var connections: Int = 8

    @Option(help: ArgumentHelp("Close and replace a connection after this many messages.", valueName: "n"))
    var maxMessagesPerConnection: Int?

    @Option(help: ArgumentHelp("At most this many messages per second, all connections together.", valueName: "n"))
    var rate: Double?

    func validate() throws {
        guard (1...1000).contains(connections) else {
            throw ValidationError("--connections must be between 1 and 1000")
        }
        if let maxMessagesPerConnection, maxMessagesPerConnection < 1 {
            throw ValidationError("--max-messages-per-connection must be at least 1")
        }
        if let rate, !(rate > 0 && rate <= 1_000_000) {
            throw ValidationError("--rate must be a number of messages per second greater than 0")
        }
    }

    /// The client configuration for `session` with these options.
    func clientConfiguration(session: SMTPSession.Configuration) -> SMTPClient.Configuration {
        var configuration = SMTPClient.Configuration(session: session)
        configuration.maximumConnections = connections
        configuration.maximumMessagesPerConnection = maxMessagesPerConnection
        if let rate {
            // One message per interval: 0.5/s is one message every 2 s.
            let interval = Duration.nanoseconds(Int64((1e9 / rate).rounded()))
            configuration.rateLimit = SMTPRateLimit(messages: 1, per: max(interval, .nanoseconds(1)))
        }
        return configuration
    }
}
