import Foundation
import PGPMail
import TestSupport
import Testing

/// `pgpmail send`, the built executable run as a child process against aiosmtpd with
/// STARTTLS and AUTH. Skipped without aiosmtpd unless CI is set, in which case it fails.
@Suite(
    "pgpmail send against aiosmtpd",
    .enabled(
        if: AiosmtpdServer.isAvailable || AiosmtpdServer.isRequired,
        "python3 with aiosmtpd is not installed (pip install aiosmtpd)"))
struct SendCommandTests {
    /// Distinctive, so that a search for it cannot hit ordinary words.
    static let password = "Pa55-w0rd-7x9q"
    /// AUTH PLAIN's initial response for alice: must never be printed either.
    static let plainResponse = Data("\0alice\0\(password)".utf8).base64EncodedString()

    @Test func signedAndEncryptedMessageOverRequiredSTARTTLSWithAuth() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let server = try await Self.startServer(tls: .init(.starttlsRequired, pki: pki))
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let sender = try SecretKey.generate(userID: "Alice <alice@example.com>")
        let recipient = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let arguments =
            try Self.commonArguments(server, files) + [
                "--ca-file", pki.caCertificatePath,
                "--user", "alice", "--password-file", files.write("password", Array("\(Self.password)\n".utf8)).path,
                "--sign-key", files.write("alice.sec.asc", Array(try sender.armored().utf8)).path,
                "--encrypt-to", files.write("bob.pub.asc", Array(recipient.certificate.armored().utf8)).path,
                "--body-file", files.write("body.txt", Array("Hello Bob.\n".utf8)).path,
                "--attach", files.write("notes.txt", Array("attached\n".utf8)).path,
            ]

        let result = try await Self.pgpmail(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.hasPrefix("sent to 1 recipient(s): bob@example.org (250 "), "\(result.stdoutText)")
        let message = try #require(try server.messages().first, "\(server.log())")
        #expect(message.login == "alice")
        #expect(message.tls)
        #expect(message.recipients == ["bob@example.org"])

        let decrypted = try PGPMIME.decrypt(message.content, using: [recipient], verifyingWith: [sender.certificate])
        #expect(decrypted.outer.contentType.mimeType == "multipart/encrypted")
        #expect(decrypted.openPGP.hasGoodSignature)
        #expect(try decrypted.inner.children.first?.decodedText() == "Hello Bob.\n")
        #expect(decrypted.inner.children.contains { $0.filename == "notes.txt" })

        if ExternalProcess.shouldRun("gpg") {
            let gpg = try GnuPG()
            try gpg.importKey(sender.certificate.armored())
            try gpg.importKey(try recipient.armored())
            let encrypted = try MIMEEntity.parse(message.content).children[1].decodedBody()
            let output = try gpg.run(["--decrypt"], input: encrypted)
            #expect(output.stderr.contains("[GNUPG:] GOODSIG"))
            #expect(output.stderr.contains("[GNUPG:] VALIDSIG \(sender.fingerprint.hex)"))
        }
    }

    @Test func serverWithoutSTARTTLSExits3() async throws {
        let server = try await Self.startServer(tls: nil)
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let result = try await Self.pgpmail(try Self.commonArguments(server, files))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("STARTTLS"))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try server.messages().isEmpty)
    }

    @Test func wrongPasswordExits4() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let server = try await Self.startServer(tls: .init(.starttlsRequired, pki: pki))
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let result = try await Self.pgpmail(
            try Self.commonArguments(server, files) + ["--ca-file", pki.caCertificatePath, "--user", "alice"],
            environment: ["PGPMAIL_PASSWORD": "wrong-password"])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("SMTPError.authenticationFailed"))
        #expect(!result.stderr.contains("wrong-password"))
        #expect(try server.messages().isEmpty)
    }

    @Test func plainAuthWithoutTLSExits4AndNeverShowsThePassword() async throws {
        let server = try await Self.startServer(tls: nil, requireTLSForAuth: false)
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let arguments =
            try Self.commonArguments(server, files) + [
                "--tls", "none", "--user", "alice", "--auth", "plain", "--trail",
                "--password-file", files.write("password", Array("\(Self.password)\n".utf8)).path,
            ]
        let result = try await Self.pgpmail(arguments)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("SMTPError.authenticationUnavailable"))
        #expect(result.stderr.contains("C: EHLO"), "the trail is printed")
        for output in [result.stderr, result.stdoutText] {
            #expect(!output.contains(Self.password))
            #expect(!output.contains(Self.plainResponse))
        }
        #expect(try server.messages().isEmpty)
    }

    @Test func refusedRecipientExits5() async throws {
        let server = try await Self.startServer(tls: nil)
        defer { server.stop() }
        let arguments = [
            "send", "--server", "127.0.0.1", "--port", "\(server.port)", "--tls", "none",
            "--hello", "client.test", "--timeout", "20", "--from", "alice@example.com",
            "--to", "refuse-me@example.org", "--subject", "Hi",
        ]
        let result = try await Self.pgpmail(arguments)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("refuse-me@example.org"))
        #expect(try server.messages().isEmpty)
    }

    @Test func trailShowsMaskedAuthAndDSNIsOmittedWhenNotOffered() async throws {
        let pki = try TestPKI.make()
        defer { pki.remove() }
        let server = try await Self.startServer(tls: .init(.starttlsRequired, pki: pki))
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let arguments =
            try Self.commonArguments(server, files, bodyFile: "-") + [
                "--ca-file", pki.caCertificatePath, "--user", "alice", "--auth", "plain", "--trail",
                "--dsn-notify", "success,failure", "--cc", "carol@example.org", "--bcc", "dave@example.org",
            ]
        let result = try await Self.pgpmail(
            arguments, input: Array("Body from standard input.\n".utf8),
            environment: ["PGPMAIL_PASSWORD": Self.password])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("C: STARTTLS"))
        #expect(result.stderr.contains("C: AUTH PLAIN ****"), "\(result.stderr)")
        #expect(result.stderr.contains("does not offer DSN"))
        #expect(!result.stderr.contains("NOTIFY="))
        for output in [result.stderr, result.stdoutText] {
            #expect(!output.contains(Self.password))
            #expect(!output.contains(Self.plainResponse))
        }
        #expect(
            result.stdoutText.hasPrefix("sent to 3 recipient(s): bob@example.org, carol@example.org, dave@example.org"))
        let message = try #require(try server.messages().first)
        #expect(message.authMechanism == "PLAIN")
        let content = String(decoding: message.content, as: UTF8.self)
        #expect(!content.contains("dave@example.org"), "Bcc stays out of the headers")
        #expect(content.contains("Body from standard input."))
    }

    @Test func refusedMailFromExits6() async throws {
        // AUTH is required before MAIL, and this client does not authenticate: 530 to MAIL FROM.
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        let server = try await AiosmtpdServer.start(
            tls: nil, auth: .init(users: ["alice": Self.password], requireTLS: false, required: true))
        defer { server.stop() }
        let files = try TemporaryDirectory(prefix: "send")
        let result = try await Self.pgpmail(try Self.commonArguments(server, files) + ["--tls", "none"])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("SMTPError.commandRejected"))
        #expect(result.stderr.contains("530"))
        #expect(try server.messages().isEmpty)
    }

    // MARK: - Helpers

    static func startServer(tls: AiosmtpdServer.TLS?, requireTLSForAuth: Bool = true) async throws -> AiosmtpdServer {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        return try await AiosmtpdServer.start(
            tls: tls, auth: .init(users: ["alice": password], requireTLS: requireTLSForAuth))
    }

    /// Server, envelope and a small body; `--tls` stays at its default (required STARTTLS).
    /// `bodyFile` replaces the small body file (`-` for standard input).
    static func commonArguments(
        _ server: AiosmtpdServer, _ files: TemporaryDirectory, bodyFile: String? = nil
    ) throws -> [String] {
        [
            "send", "--server", "localhost", "--port", "\(server.port)", "--hello", "client.test",
            "--timeout", "20", "--from", "Alice <alice@example.com>", "--to", "bob@example.org",
            "--subject", "pgpmail send test",
            "--body-file", try bodyFile ?? files.write("plain.txt", Array("Hi.\n".utf8)).path,
        ]
    }

    /// Runs the built `pgpmail` on a dispatch thread, without `PGPMAIL_PASSWORD` unless given.
    static func pgpmail(
        _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:]
    ) async throws
        -> ExternalProcess.Result
    {
        let binary = try #require(
            DemoInteropTests.builtExecutable("pgpmail"), "the pgpmail executable was not built next to the tests")
        var environment = environment
        environment["PGPMAIL_PASSWORD"] = environment["PGPMAIL_PASSWORD"] ?? ""
        let childEnvironment = environment
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try ExternalProcess.run(
                            executable: binary.path, arguments, input: input, environment: childEnvironment)
                    })
            }
        }
    }
}

/// Usage errors exit with 2 before anything is read or sent.
@Suite("pgpmail send usage errors")
struct SendCommandUsageTests {
    @Test(arguments: [
        ["send", "--server", "localhost", "--from", "alice@example.com"],
        ["send", "--server", "localhost", "--from", "alice@example.com", "--to", "b@example.org", "--tls", "maybe"],
        ["send", "--from", "alice@example.com", "--to", "b@example.org"],
        [
            "send", "--server", "localhost", "--from", "a@example.com", "--to", "b@example.org", "--client-cert",
            "c.pem",
        ],
        ["send", "--server", "localhost", "--from", "a@example.com", "--to", "b@example.org", "--proxy", "ftp://x"],
        [
            "send", "--server", "localhost", "--from", "a@example.com", "--to", "b@example.org", "--dsn-notify",
            "never,success",
        ],
    ])
    func usageErrorExits2(_ arguments: [String]) async throws {
        let result = try await SendCommandTests.pgpmail(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("Usage:") || result.stderr.contains("Error:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
