import Foundation
import PGPMail
import TestSupport
import Testing

extension SessionRecord {
    /// The error, or a recorded issue and a thrown error if the session succeeded.
    func error(sourceLocation: SourceLocation = #_sourceLocation) throws -> SMTPError {
        switch self.result {
        case .success:
            Issue.record("the session succeeded", sourceLocation: sourceLocation)
            throw TestSupportError("the session succeeded")
        case .failure(let error):
            return error
        }
    }
}

/// A value behind a lock, for test callbacks.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLockedValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        self.lock.lock()
        defer { self.lock.unlock() }
        return try body(&self.value)
    }
}

/// Shared settings and helpers for the secure-delivery tests.
enum Secure {
    static let users = ["alice": "secret one", "bob": "s3cr3t"]
    static let tokens = ["alice": "ya29.token-for-alice"]
    static let password = "secret one"
    static let message = Array(
        "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: secure\r\n\r\nHi Bob.\r\n".utf8)

    static let aiosmtpdEnabled = AiosmtpdServer.isAvailable || AiosmtpdServer.isRequired
    static let postfixEnabled = PostfixServer.isAvailable || PostfixServer.isRequired

    /// A configuration for `port` on 127.0.0.1 that trusts `pki`'s CA and checks the name
    /// `localhost` (which the server certificate carries).
    static func configuration(port: Int, pki: TestPKI?, host: String = "localhost") -> SMTPSession.Configuration {
        var configuration = SMTPSession.Configuration(host: host, port: port)
        configuration.localHostname = "client.test"
        configuration.commandTimeout = .seconds(20)
        configuration.connectTimeout = .seconds(10)
        if let pki {
            configuration.tlsConfiguration.trustRoots = .pemFiles([pki.caCertificatePath])
        }
        return configuration
    }

    /// Connects, sends ``message`` to bob@example.org (unless `send` is false) and shuts
    /// down, recording everything the session reported.
    static func run(_ configuration: SMTPSession.Configuration, send: Bool = true) async -> SessionRecord {
        await SessionRecord.run(configuration, message: Self.message, send: send)
    }

    /// Starts aiosmtpd with `pki`'s certificates.
    static func aiosmtpd(
        _ mode: AiosmtpdServer.TLS.Mode?, pki: TestPKI, credential: TestPKI.Credential? = nil,
        verifyClients: Bool = false, auth: AiosmtpdServer.Auth? = nil
    ) async throws -> AiosmtpdServer {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        return try await AiosmtpdServer.start(
            tls: mode.map { AiosmtpdServer.TLS($0, pki: pki, credential: credential, verifyClients: verifyClients) },
            auth: auth)
    }

    /// Checks the trail of an authenticated STARTTLS session: STARTTLS, EHLO before and
    /// after it, AUTH with a masked secret, and no trace of the secret.
    static func expectSecureTrail(
        _ record: SessionRecord, mechanism: String, secret: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let commands = record.commands
        #expect(commands.contains("STARTTLS"), sourceLocation: sourceLocation)
        #expect(commands.filter { $0.hasPrefix("EHLO ") }.count == 2, "\(commands)", sourceLocation: sourceLocation)
        if let starttls = commands.firstIndex(of: "STARTTLS") {
            #expect(commands[..<starttls].allSatisfy { !$0.hasPrefix("AUTH") }, sourceLocation: sourceLocation)
            #expect(commands[..<starttls].allSatisfy { !$0.hasPrefix("MAIL") }, sourceLocation: sourceLocation)
        }
        let auth = commands.filter { $0.hasPrefix("AUTH ") }
        #expect(auth.count == 1, "\(commands)", sourceLocation: sourceLocation)
        #expect(auth.first?.hasPrefix("AUTH \(mechanism)") == true, "\(auth)", sourceLocation: sourceLocation)
        // The secret is masked: an initial response as `AUTH NAME ****`, continuation lines as `****`.
        #expect(
            commands.contains { $0 == "AUTH \(mechanism) ****" || $0 == "****" }, "\(commands)",
            sourceLocation: sourceLocation)
        expectNoSecret(record, secret: secret, sourceLocation: sourceLocation)
        #expect(record.statuses.contains(.tlsEstablished), sourceLocation: sourceLocation)
        #expect(record.statuses.contains(.authenticated), sourceLocation: sourceLocation)
    }

    /// The trail shows neither the secret nor its base64 forms (alone, in PLAIN, in XOAUTH2).
    static func expectNoSecret(
        _ record: SessionRecord, secret: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let encodings = [
            secret, Data(secret.utf8).base64EncodedString(),
            Data("\0alice\0\(secret)".utf8).base64EncodedString(),
            Data("user=alice\u{1}auth=Bearer \(secret)\u{1}\u{1}".utf8).base64EncodedString(),
        ]
        let text = record.trail.joined(separator: "\n")
        for encoding in encodings {
            #expect(!text.contains(encoding), "the trail shows the secret", sourceLocation: sourceLocation)
        }
    }

    static func expectModernTLS(
        _ info: SMTPTLSInfo?, pki: TestPKI, viaSTARTTLS: Bool, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            ["TLS 1.2", "TLS 1.3"].contains(info?.protocolVersion ?? "none"), "\(String(describing: info))",
            sourceLocation: sourceLocation)
        #expect(
            info?.peerCertificate?.sha256Fingerprint == pki.server.sha256FingerprintHex, sourceLocation: sourceLocation)
        #expect(info?.viaSTARTTLS == viaSTARTTLS, sourceLocation: sourceLocation)
    }
}

/// Delivery over TLS with AUTH to real servers (aiosmtpd, Postfix), and the refusals that
/// keep secrets off clear-text connections.
@Suite("Secure delivery", .timeLimit(.minutes(2)))
struct SecureDeliveryTests {
    // MARK: aiosmtpd, STARTTLS + AUTH

    static let passwordChoices: [SMTPAuthentication] = [
        .automatic, .mechanism(.plain), .mechanism(.login), .mechanism(.cramMD5),
    ]

    @Test(.enabled(if: Secure.aiosmtpdEnabled), arguments: passwordChoices)
    func requiredSTARTTLSWithAuthDelivers(authentication: SMTPAuthentication) async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .starttlsRequired, pki: pki, auth: AiosmtpdServer.Auth(users: Secure.users, required: true))
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.credentials = SMTPCredentials(username: "alice", password: Secure.password)
        configuration.authentication = authentication
        let record = await Secure.run(configuration)
        let result = try record.delivery()
        #expect(result.reply.code == 250)

        // aiosmtpd offers no SCRAM: the strongest it has is CRAM-MD5.
        let expected: String
        switch authentication {
        case .automatic: expected = "CRAM-MD5"
        case .mechanism(let mechanism): expected = mechanism.name
        }
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.login == "alice")
        #expect(messages.first?.authMechanism == expected)
        #expect(messages.first?.tls == true)
        #expect(["TLSv1.2", "TLSv1.3"].contains(messages.first?.tlsVersion ?? ""))
        #expect(messages.first?.content == Secure.message)
        Secure.expectModernTLS(record.tlsInfo, pki: pki, viaSTARTTLS: true)
        Secure.expectSecureTrail(record, mechanism: expected, secret: Secure.password)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func xoauth2WithBearerTokenDelivers() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .starttlsRequired, pki: pki,
            auth: AiosmtpdServer.Auth(users: Secure.users, xoauth2Tokens: Secure.tokens, required: true))
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        let token = try #require(Secure.tokens["alice"])
        configuration.credentials = SMTPCredentials(username: "alice", bearerToken: token)
        // .automatic picks XOAUTH2 for a token: the server offers no OAUTHBEARER.
        let record = await Secure.run(configuration)
        _ = try record.delivery()
        let messages = try server.messages()
        #expect(messages.first?.login == "alice")
        #expect(messages.first?.authMechanism == "XOAUTH2")
        #expect(messages.first?.tls == true)
        Secure.expectModernTLS(record.tlsInfo, pki: pki, viaSTARTTLS: true)
        Secure.expectSecureTrail(record, mechanism: "XOAUTH2", secret: token)
    }

    // MARK: Implicit TLS

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func implicitTLSWithAuthDelivers() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .implicit, pki: pki, auth: AiosmtpdServer.Auth(users: Secure.users, required: true))
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.tls = .implicit
        configuration.credentials = SMTPCredentials(username: "bob", password: "s3cr3t")
        configuration.authentication = .mechanism(.plain)
        let record = await Secure.run(configuration)
        _ = try record.delivery()
        let messages = try server.messages()
        #expect(messages.first?.login == "bob")
        #expect(messages.first?.tls == true)
        Secure.expectModernTLS(record.tlsInfo, pki: pki, viaSTARTTLS: false)
        #expect(!record.commands.contains("STARTTLS"))
        #expect(record.commands.filter { $0.hasPrefix("EHLO ") }.count == 1)
        #expect(record.commands.contains("AUTH PLAIN ****"))
        Secure.expectNoSecret(record, secret: "s3cr3t")
        // TLS came before the greeting.
        #expect(record.statuses.firstIndex(of: .tlsEstablished).map { $0 < 2 } == true, "\(record.statuses)")
    }

    // MARK: Postfix

    @Test(.enabled(if: Secure.postfixEnabled), .timeLimit(.minutes(2)))
    func postfixSTARTTLSImplicitTLSAndSwaks() async throws {
        try #require(PostfixServer.isAvailable, "CI is set but postfix or saslpasswd2 is not installed")
        let pki = try TestPKI.make()
        let server = try await PostfixServer.start(
            tls: pki, saslUsers: Secure.users, requireTLS: true, requireAuth: true)
        defer { server.stop() }

        // STARTTLS, .automatic: Postfix offers PLAIN, LOGIN and CRAM-MD5 (no SCRAM).
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.credentials = SMTPCredentials(username: "alice", password: Secure.password)
        let record = await Secure.run(configuration)
        _ = try record.delivery()
        Secure.expectModernTLS(record.tlsInfo, pki: pki, viaSTARTTLS: true)
        Secure.expectSecureTrail(record, mechanism: "CRAM-MD5", secret: Secure.password)
        var messages = try await server.waitForDeliveries(1)
        #expect(messages.last?.login == "alice")
        #expect(messages.last?.tls == true)
        #expect(
            messages.last?.originalContent
                == Array(
                    String(decoding: Secure.message, as: UTF8.self)
                        .replacingOccurrences(of: "\r\n", with: "\n").utf8))

        // Implicit TLS on the second port, LOGIN.
        let implicitPort = try #require(server.implicitTLSPort)
        var implicit = Secure.configuration(port: implicitPort, pki: pki)
        implicit.tls = .implicit
        implicit.credentials = SMTPCredentials(username: "bob", password: "s3cr3t")
        implicit.authentication = .mechanism(.login)
        let implicitRecord = await Secure.run(implicit)
        _ = try implicitRecord.delivery()
        Secure.expectModernTLS(implicitRecord.tlsInfo, pki: pki, viaSTARTTLS: false)
        Secure.expectNoSecret(implicitRecord, secret: "s3cr3t")
        messages = try await server.waitForDeliveries(2)
        #expect(messages.map(\.login).sorted { ($0 ?? "") < ($1 ?? "") } == ["alice", "bob"])
        #expect(messages.allSatisfy { $0.tls })

        // swaks, a second client, against the same server.
        try #require(ExternalProcess.shouldRun("swaks"))
        let swaks = try await ExternalProcess.runAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", String(server.port), "--from", "alice@example.com",
                "--to", "carol@example.net", "--helo", "client.test", "--tls", "--auth-user", "alice",
                "--auth-password", Secure.password, "--body", "Hello from swaks.", "--timeout", "20",
            ])
        #expect(swaks.stdoutText.contains("235"))
        messages = try await server.waitForDeliveries(3)
        let swaksMessage = messages.first { $0.recipient == "carol@example.net" }
        #expect(swaksMessage?.login == "alice")
        #expect(swaksMessage?.tls == true)
        #expect(messages.count == 3)
    }

    // MARK: Refusals

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func clearTextAuthIsRefusedLocallyUnlessAllowed() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            nil, pki: pki,
            auth: AiosmtpdServer.Auth(users: Secure.users, mechanisms: [.plain, .login], requireTLS: false))
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: nil, host: "127.0.0.1")
        configuration.tls = .none
        configuration.credentials = SMTPCredentials(username: "alice", password: Secure.password)
        for authentication in [SMTPAuthentication.automatic, .mechanism(.plain)] {
            configuration.authentication = authentication
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .authenticationUnavailable, "\(error)")
            #expect(!record.commands.contains { $0.hasPrefix("AUTH") }, "\(record.trail)")
            #expect(!record.commands.contains { $0.hasPrefix("MAIL") })
            Secure.expectNoSecret(record, secret: Secure.password)
        }
        #expect(try server.messages().isEmpty)
        // aiosmtpd logs every command it reads (`>> b'EHLO client.test'`): EHLO, never AUTH.
        let log = server.log()
        #expect(log.contains(">> b'EHLO client.test'"), "\(log)")
        #expect(!log.contains(">> b'AUTH"), "\(log)")

        configuration.authentication = .mechanism(.plain)
        configuration.allowsAuthenticationWithoutTLS = true
        let record = await Secure.run(configuration)
        _ = try record.delivery()
        #expect(record.tlsInfo == nil)
        #expect(record.commands.contains("AUTH PLAIN ****"))
        #expect(server.log().contains(">> b'AUTH PLAIN"))
        Secure.expectNoSecret(record, secret: Secure.password)
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.login == "alice")
        #expect(messages.first?.tls == false)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func wrongPasswordFailsAuthentication() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .starttlsRequired, pki: pki, auth: AiosmtpdServer.Auth(users: Secure.users, required: true))
        defer { server.stop() }
        for mechanism in [SMTPAuthMechanism.plain, .login, .cramMD5] {
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.credentials = SMTPCredentials(username: "alice", password: "not the password")
            configuration.authentication = .mechanism(mechanism)
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .authenticationFailed, "\(mechanism): \(error)")
            #expect(error.reply?.code == 535, "\(mechanism): \(error)")
            #expect(!record.commands.contains { $0.hasPrefix("MAIL") })
            Secure.expectNoSecret(record, secret: "not the password")
        }
        #expect(try server.messages().isEmpty)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func wrongBearerTokenFailsAuthentication() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .starttlsRequired, pki: pki,
            auth: AiosmtpdServer.Auth(users: Secure.users, xoauth2Tokens: Secure.tokens, required: true))
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.credentials = SMTPCredentials(username: "alice", bearerToken: "ya29.expired")
        configuration.authentication = .mechanism(.xoauth2)
        let record = await Secure.run(configuration)
        let error = try record.error()
        // The server's JSON error challenge is answered with an empty line, then 535.
        #expect(error.code == .authenticationFailed, "\(error)")
        #expect(error.reply?.code == 535, "\(error)")
        #expect(record.trail.contains { $0.hasPrefix("S: 334 ") }, "\(record.trail)")
        #expect(!record.commands.contains { $0.hasPrefix("MAIL") })
        Secure.expectNoSecret(record, secret: "ya29.expired")
        #expect(try server.messages().isEmpty)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func unsuitableOrMissingMechanismIsUnavailable() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(
            .starttlsRequired, pki: pki,
            auth: AiosmtpdServer.Auth(users: Secure.users, mechanisms: [.plain, .login], required: true))
        defer { server.stop() }
        let choices: [(SMTPCredentials, SMTPAuthentication)] = [
            // Not offered.
            (SMTPCredentials(username: "alice", password: Secure.password), .mechanism(.cramMD5)),
            (SMTPCredentials(username: "alice", password: Secure.password), .mechanism(.scramSHA256)),
            // A token, but the server offers only password mechanisms.
            (SMTPCredentials(username: "alice", bearerToken: "token"), .automatic),
            // A password for a token mechanism.
            (SMTPCredentials(username: "alice", password: Secure.password), .mechanism(.xoauth2)),
        ]
        for (credentials, authentication) in choices {
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.credentials = credentials
            configuration.authentication = authentication
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .authenticationUnavailable, "\(authentication): \(error)")
            #expect(record.commands.contains("STARTTLS"))
            #expect(!record.commands.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") }, "\(record.commands)")
        }
        #expect(try server.messages().isEmpty)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func implicitTLSAgainstAClearTextServerFailsTheHandshake() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(nil, pki: pki)
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.tls = .implicit
        configuration.commandTimeout = .seconds(5)
        let record = await Secure.run(configuration)
        let error = try record.error()
        #expect(error.code == .tlsHandshakeFailed, "\(error)")
        #expect(record.commands.isEmpty, "\(record.commands)")
        #expect(try server.messages().isEmpty)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func requiredSTARTTLSMissingStopsAfterEHLO() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(nil, pki: pki)
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        #expect(configuration.tls == .startTLS(required: true))
        configuration.credentials = SMTPCredentials(username: "alice", password: Secure.password)
        let record = await Secure.run(configuration)
        let error = try record.error()
        #expect(error.code == .tlsUnavailable, "\(error)")
        let commands = record.commands
        #expect(commands.first?.hasPrefix("EHLO ") == true)
        // After EHLO only QUIT, if anything: no MAIL, no AUTH, no STARTTLS.
        #expect(commands.dropFirst().allSatisfy { $0 == "QUIT" }, "\(commands)")
        #expect(record.tlsInfo == nil)
        #expect(try server.messages().isEmpty)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func opportunisticSTARTTLSFallsBackToClearText() async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(nil, pki: pki)
        defer { server.stop() }
        var configuration = Secure.configuration(port: server.port, pki: pki)
        configuration.tls = .startTLS(required: false)
        let record = await Secure.run(configuration)
        _ = try record.delivery()
        #expect(record.tlsInfo == nil)
        #expect(!record.commands.contains("STARTTLS"))
        #expect(!record.statuses.contains(.tlsEstablished))
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.tls == false)
        #expect(messages.first?.content == Secure.message)
    }
}
