import Foundation
import TestSupport
import Testing

/// The real-server fixtures (aiosmtpd, Postfix, the generated certificates) driven by
/// independent clients (swaks, openssl, Python's smtplib), so that they are known to work
/// before the project's own client speaks TLS and AUTH to them. Skipped when a peer is
/// missing, unless CI is set, in which case they fail.
@Suite("Real-server fixtures")
struct FixtureTests {
    static let users = ["alice": "secret one", "bob": "s3cr3t"]

    /// Runs swaks against 127.0.0.1:`port` with one message from alice to bob@example.org.
    @discardableResult
    private static func swaks(
        _ port: Int, _ options: [String], expectSuccess: Bool = true
    ) async throws
        -> ExternalProcess.Result
    {
        try await ExternalProcess.runAsync(
            "swaks",
            [
                "--server", "127.0.0.1", "--port", String(port), "--from", "alice@example.com",
                "--to", "bob@example.org", "--helo", "client.test", "--header", "Subject: fixture test",
                "--body", "Hello from swaks.", "--timeout", "20",
            ] + options, expectSuccess: expectSuccess)
    }

    /// swaks output (its transcript goes to standard output).
    private static func transcript(_ result: ExternalProcess.Result) -> String {
        result.stdoutText + result.stderr
    }

    /// Talks SMTP with Python's smtplib: EHLO, optionally STARTTLS, then `command`; prints
    /// the reply code. For commands swaks cannot send (AUTH that is not announced, XOAUTH2).
    private static func smtplib(
        _ port: Int, starttls: Bool, implicitTLS: Bool = false, command: String, argument: String
    ) async throws -> Int {
        let script = """
            import smtplib, ssl, sys
            port, starttls, implicit, command, argument = int(sys.argv[1]), sys.argv[2] == '1', sys.argv[3] == '1', sys.argv[4], sys.argv[5]
            context = ssl._create_unverified_context()
            s = smtplib.SMTP_SSL('127.0.0.1', port, context=context, timeout=20) if implicit else smtplib.SMTP('127.0.0.1', port, timeout=20)
            s.ehlo('client.test')
            if starttls:
                s.starttls(context=context)
                s.ehlo('client.test')
            code, _ = s.docmd(command, argument)
            if code == 334:
                code, _ = s.docmd('')
            print(code)
            s.close()
            """
        let result = try await ExternalProcess.runAsync(
            "python3",
            ["-c", script, String(port), starttls ? "1" : "0", implicitTLS ? "1" : "0", command, argument])
        return try #require(Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Whether swaks can speak TLS here (it needs Perl's Net::SSLeay).
    static let swaksSpeaksTLS: Bool = {
        guard ExternalProcess.path("swaks") != nil else { return false }
        let result = try? ExternalProcess.run("swaks", ["--support"], expectSuccess: false)
        return result.map { ($0.stdoutText + $0.stderr).contains("=== TLS supported") } ?? false
    }()

    /// Whether the tests needing `names` (and swaks with TLS) run: always in CI, else only
    /// when everything is installed.
    private static func peersPresent(_ names: String...) -> Bool {
        ExternalProcess.isCI || (names.allSatisfy { ExternalProcess.path($0) != nil } && swaksSpeaksTLS)
    }

    private static func requirePeers(_ names: String...) throws {
        for name in names {
            try #require(ExternalProcess.path(name) != nil, "CI is set but \(name) is not installed")
        }
        if names.contains("swaks") {
            try #require(swaksSpeaksTLS, "swaks cannot speak TLS: install Net::SSLeay (libnet-ssleay-perl)")
        }
    }

    // MARK: Certificates

    @Test(.enabled(if: ExternalProcess.shouldRun("openssl")))
    func generatedCertificatesVerifyWithOpenSSL() throws {
        try Self.requirePeers("openssl")
        let pki = try TestPKI.make()
        #expect(FileManager.default.fileExists(atPath: pki.caCertificatePath))
        #expect(pki.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(pki.server.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let ca = pki.caCertificatePath
        try ExternalProcess.run(
            "openssl", ["verify", "-CAfile", ca, "-verify_hostname", "localhost", pki.server.certificatePath])
        try ExternalProcess.run(
            "openssl", ["verify", "-CAfile", ca, "-verify_ip", "127.0.0.1", pki.server.certificatePath])
        try ExternalProcess.run(
            "openssl", ["verify", "-CAfile", ca, "-purpose", "sslclient", try #require(pki.client).certificatePath])
        let failures: [(String, [String])] = [
            ("expired", [try #require(pki.expiredServer).certificatePath]),
            ("wrong host", ["-verify_hostname", "localhost", try #require(pki.wrongHostServer).certificatePath]),
            ("self-signed", [try #require(pki.selfSignedServer).certificatePath]),
        ]
        for (name, arguments) in failures {
            let result = try ExternalProcess.run(
                "openssl", ["verify", "-CAfile", ca] + arguments, expectSuccess: false)
            #expect(result.status != 0, "the \(name) certificate verified")
        }

        // The fingerprint is SHA-256 of the DER, as openssl computes it.
        let fingerprint = try ExternalProcess.run(
            "openssl", ["x509", "-in", pki.server.certificatePath, "-noout", "-fingerprint", "-sha256"]
        ).stdoutText
        let hex = fingerprint.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "") }
        #expect(hex?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == pki.server.sha256FingerprintHex)
        #expect(pki.serverCertificateSHA256 == pki.server.sha256Fingerprint)
        #expect(pki.serverCertificateSHA256.count == 32)

        let directory = pki.directory
        pki.remove()
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    // MARK: aiosmtpd

    private static let aiosmtpdPeers =
        (AiosmtpdServer.isAvailable || AiosmtpdServer.isRequired) && peersPresent("swaks", "openssl", "python3")

    private static func withAiosmtpd(
        tls mode: AiosmtpdServer.TLS.Mode?, auth: AiosmtpdServer.Auth? = nil, verifyClients: Bool = false,
        _ body: (AiosmtpdServer, TestPKI) async throws -> Void
    ) async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        try Self.requirePeers("swaks", "openssl", "python3")
        let pki = try TestPKI.make()
        let server = try await AiosmtpdServer.start(
            tls: mode.map { AiosmtpdServer.TLS($0, pki: pki, verifyClients: verifyClients) }, auth: auth)
        defer { server.stop() }
        try await body(server, pki)
    }

    @Test(.enabled(if: aiosmtpdPeers), arguments: ["PLAIN", "LOGIN", "CRAM-MD5"])
    func aiosmtpdStartTLSWithAuthDelivers(mechanism: String) async throws {
        try await Self.withAiosmtpd(tls: .starttls, auth: .init(users: Self.users)) { server, pki in
            let result = try await Self.swaks(
                server.port,
                [
                    "--tls", "--tls-verify", "--tls-ca-path", pki.caCertificatePath, "--tls-sni", "localhost",
                    "--auth", mechanism, "--auth-user", "alice", "--auth-password", "secret one",
                ])
            #expect(Self.transcript(result).contains("235 2.7.0 Authentication successful"))
            let messages = try server.messages()
            #expect(messages.count == 1)
            #expect(messages.first?.login == "alice")
            #expect(messages.first?.authMechanism == mechanism)
            #expect(messages.first?.tls == true)
            #expect(messages.first?.tlsVersion?.hasPrefix("TLSv1.") == true)
            #expect(messages.first?.recipients == ["bob@example.org"])
            #expect(messages.first?.heloName == "client.test")
            #expect(
                messages.first.map { String(decoding: $0.content, as: UTF8.self).contains("Hello from swaks.") } == true
            )
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdWrongPasswordIsRefused() async throws {
        try await Self.withAiosmtpd(tls: .starttls, auth: .init(users: Self.users)) { server, _ in
            let result = try await Self.swaks(
                server.port, ["--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong"],
                expectSuccess: false)
            #expect(result.status != 0)
            #expect(Self.transcript(result).contains("535"))
            #expect(try server.messages().isEmpty)
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdImplicitTLSWithAuthDelivers() async throws {
        try await Self.withAiosmtpd(tls: .implicit, auth: .init(users: Self.users)) { server, _ in
            try await Self.swaks(
                server.port, ["--tls-on-connect", "--auth", "LOGIN", "--auth-user", "bob", "--auth-password", "s3cr3t"])
            let messages = try server.messages()
            #expect(messages.count == 1)
            #expect(messages.first?.login == "bob")
            #expect(messages.first?.tls == true)
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdRefusesAuthWithoutTLS() async throws {
        try await Self.withAiosmtpd(tls: .starttls, auth: .init(users: Self.users)) { server, _ in
            // swaks does not even try: AUTH is not announced before STARTTLS.
            let result = try await Self.swaks(
                server.port, ["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret one"],
                expectSuccess: false)
            #expect(result.status != 0)
            // Sent anyway, it is refused.
            let plain = Data("\0alice\0secret one".utf8).base64EncodedString()
            let code = try await Self.smtplib(server.port, starttls: false, command: "AUTH", argument: "PLAIN \(plain)")
            #expect(code == 538)
            #expect(try server.messages().isEmpty)
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdRequiredStartTLSAndAuth() async throws {
        let auth = AiosmtpdServer.Auth(users: Self.users, required: true)
        try await Self.withAiosmtpd(tls: .starttlsRequired, auth: auth) { server, _ in
            let plain = try await Self.swaks(server.port, [], expectSuccess: false)
            #expect(Self.transcript(plain).contains("530"))
            let unauthenticated = try await Self.swaks(server.port, ["--tls"], expectSuccess: false)
            #expect(Self.transcript(unauthenticated).contains("530 5.7.0 Authentication required"))
            try await Self.swaks(
                server.port, ["--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret one"])
            #expect(try server.messages().map(\.login) == ["alice"])
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdXOAUTH2() async throws {
        let auth = AiosmtpdServer.Auth(users: [:], xoauth2Tokens: ["carol@example.com": "ya29.token"])
        try await Self.withAiosmtpd(tls: .starttls, auth: auth) { server, _ in
            func blob(_ token: String) -> String {
                Data("user=carol@example.com\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
            }
            let accepted = try await Self.smtplib(
                server.port, starttls: true, command: "AUTH", argument: "XOAUTH2 \(blob("ya29.token"))")
            #expect(accepted == 235)
            let refused = try await Self.smtplib(
                server.port, starttls: true, command: "AUTH", argument: "XOAUTH2 \(blob("bad"))")
            #expect(refused == 535)
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func aiosmtpdRecordsTheClientCertificate() async throws {
        try await Self.withAiosmtpd(tls: .starttls, verifyClients: true) { server, pki in
            let client = try #require(pki.client)
            try await Self.swaks(
                server.port, ["--tls", "--tls-cert", client.certificatePath, "--tls-key", client.privateKeyPath])
            try await Self.swaks(server.port, ["--tls"])
            let messages = try server.messages()
            #expect(messages.map(\.clientCertificateSubject) == ["client@example.org", nil])
            #expect(messages.map(\.login) == [nil, nil])
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func opensslVerifiesAiosmtpdAgainstTheGeneratedCA() async throws {
        try await Self.withAiosmtpd(tls: .starttls) { server, pki in
            let result = try await ExternalProcess.runAsync(
                "openssl",
                [
                    "s_client", "-connect", "127.0.0.1:\(server.port)", "-starttls", "smtp", "-CAfile",
                    pki.caCertificatePath,
                    "-verify_return_error", "-verify_hostname", "localhost", "-servername", "localhost",
                ],
                input: Array("QUIT\r\n".utf8))
            #expect(result.stdoutText.contains("Verify return code: 0 (ok)"))
        }
    }

    @Test(.enabled(if: aiosmtpdPeers))
    func opensslRejectsASelfSignedServer() async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        try Self.requirePeers("openssl")
        let pki = try TestPKI.make()
        let selfSigned = try #require(pki.selfSignedServer)
        let server = try await AiosmtpdServer.start(tls: .init(.starttls, pki: pki, credential: selfSigned))
        defer { server.stop() }
        let result = try await ExternalProcess.runAsync(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(server.port)", "-starttls", "smtp", "-CAfile",
                pki.caCertificatePath,
                "-verify_return_error",
            ],
            input: Array("QUIT\r\n".utf8), expectSuccess: false)
        #expect(result.status != 0)
    }

    // MARK: Postfix

    private static let postfixPeers =
        (PostfixServer.isAvailable || PostfixServer.isRequired) && peersPresent("swaks", "openssl")

    @Test(.enabled(if: postfixPeers), arguments: ["PLAIN", "LOGIN", "CRAM-MD5"])
    func postfixStartTLSWithAuthDelivers(mechanism: String) async throws {
        try #require(PostfixServer.isAvailable, "CI is set but postfix or saslpasswd2 is not installed")
        try Self.requirePeers("swaks")
        let pki = try TestPKI.make()
        let server = try await PostfixServer.start(tls: pki, saslUsers: Self.users, requireAuth: true)
        defer { server.stop() }
        let refused = try await Self.swaks(server.port, ["--tls"], expectSuccess: false)
        #expect(refused.status != 0)
        let wrong = try await Self.swaks(
            server.port, ["--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password", "wrong"],
            expectSuccess: false)
        #expect(Self.transcript(wrong).contains("535"))
        let result = try await Self.swaks(
            server.port,
            [
                "--tls", "--tls-verify", "--tls-ca-path", pki.caCertificatePath, "--tls-sni", "localhost",
                "--auth", mechanism, "--auth-user", "alice", "--auth-password", "secret one",
            ])
        #expect(Self.transcript(result).contains("235 2.7.0 Authentication successful"))
        let messages = try await server.waitForDeliveries(1)
        #expect(messages.count == 1)
        #expect(messages.first?.login == "alice")
        #expect(messages.first?.tls == true)
        #expect(messages.first?.mailFrom == "alice@example.com")
        #expect(messages.first?.recipient == "bob@example.org")
        let original = messages.first.map { String(decoding: $0.originalContent, as: UTF8.self) } ?? ""
        #expect(original.hasPrefix("Date: "))
        #expect(original.contains("Subject: fixture test\n"))
        #expect(original.contains("Hello from swaks."))
    }

    @Test(.enabled(if: postfixPeers))
    func postfixImplicitTLSAndOpenSSLVerification() async throws {
        try #require(PostfixServer.isAvailable, "CI is set but postfix or saslpasswd2 is not installed")
        try Self.requirePeers("swaks", "openssl")
        let pki = try TestPKI.make()
        // Two instances at once: private directories and ports do not collide.
        async let first = PostfixServer.start(tls: pki, saslUsers: Self.users)
        async let second = PostfixServer.start(tls: nil)
        let (server, plain) = try await (first, second)
        defer {
            server.stop()
            plain.stop()
        }
        #expect(server.port != plain.port)
        #expect(plain.implicitTLSPort == nil)

        let verified = try await ExternalProcess.runAsync(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(server.port)", "-starttls", "smtp", "-CAfile",
                pki.caCertificatePath,
                "-verify_return_error", "-verify_hostname", "localhost",
            ],
            input: Array("QUIT\r\n".utf8))
        #expect(verified.stdoutText.contains("Verify return code: 0 (ok)"))

        let implicitPort = try #require(server.implicitTLSPort)
        try await Self.swaks(
            implicitPort, ["--tls-on-connect", "--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "s3cr3t"])
        try await Self.swaks(plain.port, [])
        let messages = try await server.waitForDeliveries(1)
        #expect(messages.map(\.login) == ["bob"])
        #expect(messages.first?.tls == true)
        let plainMessages = try await plain.waitForDeliveries(1)
        #expect(plainMessages.map(\.login) == [nil])
        #expect(plainMessages.first?.tls == false)
    }
}
