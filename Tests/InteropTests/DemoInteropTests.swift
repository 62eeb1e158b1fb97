import Foundation
import PGPMail
import TestSupport
import Testing

@testable import PGPMailCLI

/// `pgpmail demo --output DIR` checked by GnuPG: the received message decrypts and carries a
/// good signature from the sender's key.
@Suite("pgpmail demo output read by GnuPG", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct DemoInteropTests {
    @Test func gpgDecryptsAndVerifiesTheDemoMessage() async throws {
        let output = try TemporaryDirectory(prefix: "demo")
        let report = try await PGPMailDemo.run(outputDirectory: output.url)
        #expect(report.succeeded, "\(report)")

        let wire = try Array(Data(contentsOf: output.file(PGPMailDemo.messageFileName)))
        #expect(wire.count == report.bytesOnWire)
        let entity = try MIMEEntity.parse(wire)
        #expect(entity.contentType.mimeType == "multipart/encrypted")
        let encrypted = try entity.children[1].decodedBody()

        let gpg = try GnuPG()
        try gpg.run(["--import", output.file(PGPMailDemo.senderCertificateFileName).path])
        try gpg.run(["--import", output.file(PGPMailDemo.recipientSecretKeyFileName).path])
        let result = try gpg.run(["--decrypt"], input: encrypted)
        #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
        #expect(result.stderr.contains("[GNUPG:] GOODSIG"))
        #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(report.senderFingerprint.hex)"))
        // The plaintext is the inner MIME entity with the body and the attachment.
        let inner = try MIMEEntity.parse(result.stdout)
        #expect(inner.contentType.mimeType == "multipart/mixed")
        #expect(try inner.children[0].decodedText().hasPrefix("Hello from PGPMail."))
        #expect(inner.children[1].filename == "order.csv")
    }

    @Test func theCommandLineToolRunsTheDemo() throws {
        let binary = try #require(
            Self.builtExecutable("pgpmail"), "the pgpmail executable was not built next to the tests")
        let output = try TemporaryDirectory(prefix: "cli-demo")
        let result = try ExternalProcess.run(executable: binary.path, ["demo", "--output", output.path])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        #expect(result.stdoutText.contains("signature  good"))
        #expect(result.stdoutText.hasSuffix("OK\n"))
        #expect(FileManager.default.fileExists(atPath: output.file(PGPMailDemo.messageFileName).path))
    }

    /// An executable product in the same build directory as this test bundle.
    static func builtExecutable(_ name: String) -> URL? {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
