import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand.Send {
    /// Checks combinations the parser cannot; a failure is a usage error (exit 2).
    func validateOptions() throws {
        guard !to.isEmpty else {
            throw ValidationError("give at least one recipient with --to")
        }
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
        if passphraseFile != nil && signKey == nil {
            throw ValidationError("--passphrase-file needs --sign-key")
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
}
