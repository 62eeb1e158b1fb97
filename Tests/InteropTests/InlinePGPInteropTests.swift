import Foundation
import PGPMail
import TestSupport
import Testing

/// Our inline PGP messages (the PSMTP class's own format) taken apart by python3's `email`
/// and read by GnuPG and Sequoia's sqop: the cleartext signed or armored encrypted text,
/// `<name>.sig` detached signatures and `<name>.pgp` encrypted attachments.
@Suite("Inline PGP interop with gpg and sqop", .enabled(if: ExternalProcess.shouldRun("gpg", "sqop", "python3")))
struct InlinePGPInteropTests {
    static let tricky = "Grüße, é€😀\n- a dashed line\nFrom here on\n--double dash\nend with spaces   \n\tindented\t\n"
    static let trickySigned = "Grüße, é€😀\n- a dashed line\nFrom here on\n--double dash\nend with spaces\n\tindented"
    static let csv = Array("q,value\n1,42\n2,43\n".utf8)
    static let blob = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    /// Writes each part's decoded payload to `directory`: the text as `body`, attachments
    /// under their file names. Prints one "name type encoding" line per part.
    static let extractScript = """
        import email, os, sys
        from email import policy
        msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
        parts = list(msg.iter_parts()) if msg.is_multipart() else [msg]
        for part in parts:
            name = part.get_filename() or 'body'
            with open(os.path.join(sys.argv[2], name), 'wb') as f:
                f.write(part.get_payload(decode=True))
            print(name, part.get_content_type(), part.get('Content-Transfer-Encoding', '7bit'))
        """

    /// The keys (ours) and a directory with our message's parts extracted by python3.
    struct Setup {
        let sender: SecretKey
        let recipient: SecretKey
        let directory: TemporaryDirectory
        let gpg: GnuPG
        let sqop: SOPTool

        init() throws {
            sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
            recipient = try SecretKey.generate(userID: "Recipient <recipient@example.org>")
            directory = try TemporaryDirectory(prefix: "inline-pgp")
            gpg = try GnuPG()
            try gpg.importKey(sender.certificate.armored())
            try gpg.importKey(try recipient.armored())
            sqop = try SOPTool.peer("sqop")
            _ = try directory.write("sender.cert", Array(sender.certificate.armored().utf8))
            _ = try directory.write("recipient.key", Array(try recipient.armored().utf8))
        }

        func message() throws -> MailMessage {
            try MailMessage(
                from: "Sender <sender@example.org>", to: "Recipient <recipient@example.org>", subject: "Inline",
                body: InlinePGPInteropTests.tricky
            )
            .addingAttachment(try Attachment(filename: "numbers.csv", data: InlinePGPInteropTests.csv))
            .addingAttachment(try Attachment(filename: "blob.bin", data: InlinePGPInteropTests.blob))
        }

        /// Renders `message`, lets python3 extract its parts and returns the listing lines.
        func extract(_ message: MailMessage) throws -> [String] {
            let eml = try directory.write("message.eml", try message.renderedBytes())
            let script = try directory.write("extract.py", Array(InlinePGPInteropTests.extractScript.utf8))
            return try ExternalProcess.run("python3", [script.path, eml.path, directory.path]).stdoutText
                .split(separator: "\n").map(String.init)
        }

        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.file(name))) }
    }

    private static func lf(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test func gpgAndSqopVerifyTheCleartextAndDetachedSignatures() throws {
        let setup = try Setup()
        let listing = try setup.extract(try setup.message().inlineSigned(by: setup.sender, processAttachments: true))
        #expect(
            listing == [
                "body text/plain quoted-printable", "numbers.csv text/csv base64",
                "numbers.csv.sig application/pgp-signature base64", "blob.bin application/octet-stream base64",
                "blob.bin.sig application/pgp-signature base64",
            ])
        let fingerprint = setup.sender.fingerprint.hex

        // The text: gpg --verify on the cleartext, and the text gpg and sqop recover from it.
        let verified = try setup.gpg.run(["--verify", setup.directory.file("body").path])
        #expect(verified.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"))
        let gpgText = try setup.gpg.run(["--decrypt"], input: try setup.read("body"))
        #expect(Self.lf(gpgText.stdout).hasPrefix(Self.trickySigned))
        let sqopText = try setup.sqop.run(
            ["inline-verify", "sender.cert"], input: try setup.read("body"), in: setup.directory)
        #expect(Self.lf(sqopText.stdout).hasPrefix(Self.trickySigned))

        // The attachments: each with its detached binary signature.
        for name in ["numbers.csv", "blob.bin"] {
            let result = try setup.gpg.run([
                "--verify", setup.directory.file(name + ".sig").path, setup.directory.file(name).path,
            ])
            #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"), "\(name)")
            try setup.sqop.run(
                ["verify", name + ".sig", "sender.cert"], input: try setup.read(name), in: setup.directory)
        }
        #expect(try setup.read("numbers.csv") == Self.csv)
        #expect(try setup.read("blob.bin") == Self.blob)

        // A changed attachment fails with both.
        var tampered = try setup.read("numbers.csv")
        tampered[0] ^= 1
        _ = try setup.directory.write("tampered.csv", tampered)
        let bad = try setup.gpg.run(
            ["--verify", setup.directory.file("numbers.csv.sig").path, setup.directory.file("tampered.csv").path],
            expectSuccess: false)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("[GNUPG:] BADSIG"))
        try setup.sqop.run(
            ["verify", "numbers.csv.sig", "sender.cert"], input: tampered, in: setup.directory, expect: 3)
    }

    @Test func gpgAndSqopDecryptTheTextAndAttachments() throws {
        let setup = try Setup()
        let listing = try setup.extract(
            try setup.message().inlineSignedAndEncrypted(
                by: setup.sender, for: [setup.recipient.certificate], processAttachments: true))
        #expect(
            listing == [
                "body text/plain 7bit", "numbers.csv.pgp application/octet-stream base64",
                "blob.bin.pgp application/octet-stream base64",
            ])
        let fingerprint = setup.sender.fingerprint.hex
        let expected: [(String, [UInt8])] = [
            ("body", Array(Self.tricky.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("numbers.csv.pgp", Self.csv), ("blob.bin.pgp", Self.blob),
        ]
        for (name, plaintext) in expected {
            let gpg = try setup.gpg.run(["--decrypt"], input: try setup.read(name))
            #expect(gpg.stdout == plaintext, "gpg \(name)")
            #expect(gpg.stderr.contains("[GNUPG:] DECRYPTION_OKAY"), "gpg \(name)")
            #expect(gpg.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"), "gpg \(name)")
            if name != "body" {
                #expect(gpg.stderr.contains("[GNUPG:] PLAINTEXT 62 "), "gpg \(name)")
                #expect(gpg.stderr.contains(" \(name.dropLast(4))\n"), "gpg \(name): the embedded file name")
            }

            let sqop = try setup.sqop.run(
                ["decrypt", "--verify-with=sender.cert", "--verifications-out=verifications-\(name)", "recipient.key"],
                input: try setup.read(name), in: setup.directory)
            #expect(sqop.stdout == plaintext, "sqop \(name)")
            let verifications = try String(
                contentsOf: setup.directory.file("verifications-\(name)"), encoding: .utf8)
            #expect(verifications.split(separator: "\n").count == 1, "sqop \(name): \(verifications)")
        }
    }

    @Test func gpgAndSqopDecryptWithAPassphrase() throws {
        let setup = try Setup()
        let passphrase = "correct horse battery staple"
        _ = try setup.extract(
            try setup.message().inlineEncrypted(for: [], passphrases: [passphrase], processAttachments: true))
        _ = try setup.directory.write("password", Array(passphrase.utf8))
        let expected: [(String, [UInt8])] = [
            ("body", Array(Self.tricky.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            ("numbers.csv.pgp", Self.csv),
        ]
        for (name, plaintext) in expected {
            let gpg = try setup.gpg.run(["--decrypt"], input: try setup.read(name), passphrase: passphrase)
            #expect(gpg.stdout == plaintext, "gpg \(name)")
            let sqop = try setup.sqop.run(
                ["decrypt", "--with-password=password"], input: try setup.read(name), in: setup.directory)
            #expect(sqop.stdout == plaintext, "sqop \(name)")
        }
    }
}
