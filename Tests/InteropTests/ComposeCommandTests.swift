import Foundation
import PGPMail
import TestSupport
import Testing

/// `pgpmail compose`: the message and OpenPGP options of `send`, rendered without sending.
@Suite("pgpmail compose")
struct ComposeCommandTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.com>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")

    /// Runs `pgpmail compose` with `arguments` after the required ones.
    static func compose(_ arguments: [String]) async throws -> ExternalProcess.Result {
        try await PGPMailExecutable.run(
            ["compose", "--from", "Alice <alice@example.com>", "--to", "bob@example.org"] + arguments)
    }

    @Test func writesEveryHeaderOptionAndBothBodies() async throws {
        let files = try TemporaryDirectory(prefix: "compose")
        let result = try await Self.compose([
            "--subject", "Grüße aus Köln",
            "--body-file", try files.write("body.txt", Array("Hello Bob\n".utf8)).path,
            "--html-file", try files.write("body.html", Array("<p>Hello <b>Bob</b></p>\n".utf8)).path,
            "--cc", "carol@example.org", "--reply-to", "replies@example.com",
            "--header", "X-Campaign: winter", "--header", "X-Note: für dich",
            "--importance", "high", "--priority", "urgent", "--sensitivity", "company-confidential",
            "--read-receipt-to", "receipts@example.com", "--delivery-notification-to", "delivery@example.com",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let entity = try MIMEEntity.parse(result.stdout)
        #expect(entity.header("Subject") == "Grüße aus Köln")
        #expect(entity.header("Cc") == "carol@example.org")
        #expect(entity.header("Reply-To") == "replies@example.com")
        #expect(entity.header("X-Campaign") == "winter")
        #expect(entity.headers(named: "X-Note").first?.decodedValue == "für dich")
        #expect(!result.stdout.contains { $0 >= 0x80 }, "headers are encoded, no SMTPUTF8 needed")
        #expect(entity.header("Importance") == "high")
        #expect(entity.header("Priority") == "urgent")
        #expect(entity.header("X-Priority") == "1 (Highest)")
        #expect(entity.header("Sensitivity") == "Company-Confidential")
        #expect(entity.header("Disposition-Notification-To") == "receipts@example.com")
        #expect(entity.header("Return-Receipt-To") == "delivery@example.com")
        #expect(entity.contentType.mimeType == "multipart/alternative")
        #expect(try entity.children.map { try $0.decodedText() } == ["Hello Bob\n", "<p>Hello <b>Bob</b></p>\n"])
    }

    @Test func encryptsForKeyringRecipientsWithTheNamedAlgorithms() async throws {
        let files = try TemporaryDirectory(prefix: "compose")
        let ring = try files.write("ring.asc", Array(Self.bob.certificate.armored().utf8))
        let output = files.file("out.eml")
        let result = try await Self.compose([
            "--subject", "Secret", "--sign-key",
            try files.write("alice.asc", Array(try Self.alice.armored().utf8)).path,
            "--keyring", ring.path, "--recipient", "bob@example.org",
            "--cipher", "aes256", "--hash", "SHA512", "--compression", "none", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let wire = Array(try Data(contentsOf: output))
        let decrypted = try PGPMIME.decrypt(wire, using: [Self.bob], verifyingWith: [Self.alice.certificate])
        #expect(decrypted.openPGP.symmetricAlgorithm == .aes256)
        #expect(decrypted.openPGP.compression == nil || decrypted.openPGP.compression == .uncompressed)
        #expect(decrypted.openPGP.signatures.map(\.status) == [.good])
        #expect(decrypted.openPGP.signatures.first?.hashAlgorithm == .sha512)
    }

    @Test(.enabled(if: ExternalProcess.shouldRun("python3", "openssl")))
    func dkimSignsTheFinalPGPMIMEBytes() async throws {
        let files = try TemporaryDirectory(prefix: "compose")
        let pem = try DKIMInteropTests.opensslKey(["genpkey", "-algorithm", "ed25519"])
        let result = try await Self.compose([
            "--subject", "Signed twice",
            "--sign-key", try files.write("alice.asc", Array(try Self.alice.armored().utf8)).path,
            "--encrypt-to", try files.write("bob.asc", Array(Self.bob.certificate.armored().utf8)).path,
            "--dkim-key", try files.write("dkim.pem", Array(pem.utf8)).path,
            "--dkim-domain", "example.com", "--dkim-selector", "mail",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.starts(with: Array("DKIM-Signature: v=1; a=ed25519-sha256;".utf8)))
        let record = try DKIMKey.ed25519(pemRepresentation: pem).publicKeyRecord
        let verdicts = try DKIMInteropTests.verify(
            ["compose": result.stdout], records: ["mail._domainkey.example.com.": record])
        #expect(verdicts["compose"] == "pass")
        let decrypted = try PGPMIME.decrypt(result.stdout, using: [Self.bob], verifyingWith: [Self.alice.certificate])
        #expect(decrypted.openPGP.signatures.map(\.status) == [.good])
    }

    @Test func dkimOptionsGoTogether() async throws {
        let result = try await Self.compose(["--dkim-domain", "example.com"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--dkim-key, --dkim-domain and --dkim-selector go together"))
    }

    @Test func anUnknownKeyringRecipientFailsWithOneLine() async throws {
        let files = try TemporaryDirectory(prefix: "compose")
        let ring = try files.write("ring.asc", Array(Self.bob.certificate.armored().utf8))
        let result = try await Self.compose(["--keyring", ring.path, "--recipient", "nobody@example.net"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("pgpmail compose: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test(arguments: [
        ["--recipient", "bob@example.org"],
        ["--cipher", "rot13"],
        ["--hash", "CRC24"],
        ["--compression", "lzma"],
        ["--importance", "extreme"],
        ["--priority", "soon"],
        ["--sensitivity", "secret"],
    ])
    func badOptionsAreUsageErrors(_ arguments: [String]) async throws {
        let result = try await Self.compose(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aMalformedHeaderOptionFailsBeforeAnythingIsWritten() async throws {
        let files = try TemporaryDirectory(prefix: "compose")
        let output = files.file("out.eml")
        let result = try await Self.compose(["--header", "no colon here", "--output", output.path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("pgpmail compose: "), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
