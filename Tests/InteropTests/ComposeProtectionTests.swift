import Foundation
import PGPMail
import SMTPTestServer
import TestSupport
import Testing

/// The OpenPGP flags of `compose` and `send`: inline PGP, cleartext signatures, processed
/// attachments, header protection, Autocrypt and Bcc privacy.
@Suite("pgpmail OpenPGP message options")
struct ComposeProtectionTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.com>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")
    static let carol = try! SecretKey.generate(userID: "Carol <carol@example.net>")

    /// Key files and a body for one test.
    struct Files {
        let directory: TemporaryDirectory
        let aliceKey: String
        let bobCertificate: String
        let carolCertificate: String
        let body: String

        init() throws {
            directory = try TemporaryDirectory(prefix: "compose-pgp")
            aliceKey = try directory.write("alice.asc", Array(try ComposeProtectionTests.alice.armored().utf8)).path
            bobCertificate = try directory.write(
                "bob.asc", Array(ComposeProtectionTests.bob.certificate.armored().utf8)
            ).path
            carolCertificate = try directory.write(
                "carol.asc", Array(ComposeProtectionTests.carol.certificate.armored().utf8)
            ).path
            body = try directory.write("body.txt", Array("Grüße,\n- a list item\nFrom here on.\n".utf8)).path
        }
    }

    private func compose(_ arguments: [String]) async throws -> ExternalProcess.Result {
        try await PGPMailExecutable.run(
            ["compose", "--from", "Alice <alice@example.com>", "--to", "bob@example.org", "--subject", "Quarterly"]
                + arguments)
    }

    @Test func inlineSignsAndEncryptsTheTextAndEachAttachment() async throws {
        let files = try Files()
        let attachment = try files.directory.write("figures.csv", Array("q,value\n1,42\n".utf8))
        let result = try await compose([
            "--body-file", files.body, "--attach", attachment.path, "--inline", "--process-attachments",
            "--sign-key", files.aliceKey, "--encrypt-to", files.bobCertificate,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("-----BEGIN PGP MESSAGE-----"))
        #expect(!result.stdoutText.contains("multipart/encrypted"))
        let mail = try InlinePGP.decrypt(result.stdout, using: [Self.bob], verifyingWith: [Self.alice.certificate])
        #expect(mail.text.contains("Grüße"))
        #expect(mail.textHasGoodSignature)
        #expect(mail.attachments.map(\.data) == [Array("q,value\n1,42\n".utf8)])
        #expect(mail.attachments.allSatisfy { $0.wasEncrypted && $0.hasGoodSignature })
    }

    @Test func clearSignSignsTheTextReadably() async throws {
        let files = try Files()
        let result = try await compose(["--body-file", files.body, "--clear-sign", "--sign-key", files.aliceKey])
        #expect(result.status == 0, "\(result.stderr)")
        let mail = try InlinePGP.verify(result.stdout, with: [Self.alice.certificate])
        #expect(mail.textHasGoodSignature)
        #expect(mail.text.contains("- a list item"))
    }

    @Test func headersAreProtectedByDefaultAndOnRequestNot() async throws {
        let files = try Files()
        let protected = try await compose(["--sign-key", files.aliceKey, "--encrypt-to", files.bobCertificate])
        #expect(protected.status == 0, "\(protected.stderr)")
        #expect(try MIMEEntity.parse(protected.stdout).header("Subject") == "[...]")
        let decrypted = try PGPMIME.decrypt(protected.stdout, using: [Self.bob])
        #expect(decrypted.protectedSubject == "Quarterly")

        let plain = try await compose([
            "--sign-key", files.aliceKey, "--encrypt-to", files.bobCertificate, "--no-protect-headers",
        ])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try MIMEEntity.parse(plain.stdout).header("Subject") == "Quarterly")
        #expect(try PGPMIME.decrypt(plain.stdout, using: [Self.bob]).protectedSubject == nil)
    }

    @Test func autocryptPublishesTheSignersCertificate() async throws {
        let files = try Files()
        let result = try await compose(["--autocrypt", "--sign-key", files.aliceKey])
        #expect(result.status == 0, "\(result.stderr)")
        let autocrypt = try #require(try MIMEEntity.parse(result.stdout).header("Autocrypt"))
        #expect(autocrypt.hasPrefix("addr=alice@example.com; keydata="))
    }

    @Test(arguments: [
        ["--clear-sign"],
        ["--clear-sign", "--sign-key", "k.asc", "--encrypt-to", "c.asc"],
        ["--process-attachments", "--sign-key", "k.asc"],
        ["--autocrypt"],
    ])
    func contradictoryFlagsAreUsageErrors(_ arguments: [String]) async throws {
        let result = try await compose(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
    }

    @Test func composeRefusesToWriteOneOfSeveralBccCopies() async throws {
        let files = try Files()
        let result = try await compose([
            "--bcc", "carol@example.net", "--encrypt-to", files.bobCertificate, "--encrypt-to", files.carolCertificate,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("leave out --bcc"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func sendGivesEachBccRecipientACopyOnlyTheyCanRead() async throws {
        let files = try Files()
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(
                ["send", "--from", "alice@example.com", "--to", "bob@example.org", "--bcc", "carol@example.net"]
                    + PGPMailExecutable.serverArguments(port: server.port)
                    + [
                        "--sign-key", files.aliceKey, "--encrypt-to", files.bobCertificate, "--encrypt-to",
                        files.carolCertificate,
                    ])
            #expect(result.status == 0, "\(result.stderr)")
            let messages = server.receivedMessages
            try #require(messages.count == 2)
            let toCopy = try #require(messages.first { $0.recipients == ["bob@example.org"] })
            let bccCopy = try #require(messages.first { $0.recipients == ["carol@example.net"] })
            #expect(!toCopy.text.contains("carol@example.net"))
            #expect(!bccCopy.text.contains("carol@example.net"))
            let forBob = try PGPMIME.decrypt(toCopy.data, using: [Self.bob], verifyingWith: [Self.alice.certificate])
            #expect(forBob.openPGP.signatures.map(\.status) == [.good])
            #expect(throws: (any Error).self) { try PGPMIME.decrypt(toCopy.data, using: [Self.carol]) }
            _ = try PGPMIME.decrypt(bccCopy.data, using: [Self.carol])
            #expect(throws: (any Error).self) { try PGPMIME.decrypt(bccCopy.data, using: [Self.bob]) }
        }
    }
}
