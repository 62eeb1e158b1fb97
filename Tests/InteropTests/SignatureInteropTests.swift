import Foundation
import PGPMail
import TestSupport
import Testing

/// Detached, cleartext, text-mode and PGP/MIME signatures exchanged with GnuPG.
@Suite("GnuPG signature interop", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct SignatureInteropTests {
    /// Lines starting with "-" and "From ", trailing spaces and tabs, a blank last line.
    static let text = "Dear Bob,\n- point one  \n-----BEGIN PGP SIGNATURE-----\nFrom the desk of Alice\t\n\nGrüße\n\n"
    let data = Array(text.utf8)

    /// A GnuPG home holding `key`'s secret key.
    private func gnupg(with key: SecretKey) throws -> GnuPG {
        let gpg = try GnuPG()
        try gpg.importKey(try key.armored())
        return gpg
    }

    /// The `VALIDSIG` status line for `fingerprint`: its fields after the keyword.
    private func validSignature(_ result: ExternalProcess.Result, _ fingerprint: Fingerprint) throws -> [Substring] {
        let line = try #require(
            result.stderr.split(separator: "\n").first { $0.hasPrefix("[GNUPG:] VALIDSIG \(fingerprint.hex) ") },
            "no VALIDSIG for \(fingerprint.hex): \(result.stderr)")
        return line.split(separator: " ").dropFirst(2).map { $0 }
    }

    @Test(arguments: [(LiteralFormat.binary, true), (.binary, false), (.text, true), (.text, false)])
    func gpgVerifiesOurDetachedSignatures(format: LiteralFormat, armor: Bool) throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        let signature = try OpenPGPMessage.detachedSignature(
            for: data, by: [key], options: MessageOptions(hash: .sha384, armor: armor, literalFormat: format))
        let files = try TemporaryDirectory(prefix: "detached")
        let dataFile = try files.write("data.txt", data)
        let signatureFile = try files.write(armor ? "data.txt.asc" : "data.txt.sig", signature)
        let result = try gpg.run(["--verify", signatureFile.path, dataFile.path])
        let fields = try validSignature(result, key.fingerprint)
        // VALIDSIG fpr date timestamp expiry version reserved pk-algo hash-algo class …
        #expect(fields[7] == "9")
        #expect(fields[8] == (format == .binary ? "00" : "01"))

        var altered = data
        altered[3] ^= 0x20
        let alteredFile = try files.write("altered.txt", altered)
        let bad = try gpg.run(["--verify", signatureFile.path, alteredFile.path], expectSuccess: false)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("[GNUPG:] BADSIG"))
    }

    @Test(arguments: [(ArmorLineEnding.lf, HashAlgorithm.sha256), (.crlf, .sha512)])
    func gpgVerifiesOurCleartextSignatures(lineEnding: ArmorLineEnding, hash: HashAlgorithm) throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        let message = try OpenPGPMessage.clearSign(
            data, by: [key], options: MessageOptions(hash: hash, armorLineEnding: lineEnding))
        let result = try gpg.run(["--decrypt"], input: message)
        let fields = try validSignature(result, key.fingerprint)
        #expect(fields[7] == "\(hash.rawValue)")
        #expect(fields[8] == "01")
        // GnuPG writes every signed line with a line break; trailing whitespace is gone.
        let expected = "Dear Bob,\n- point one\n-----BEGIN PGP SIGNATURE-----\nFrom the desk of Alice\n\nGrüße\n\n"
        #expect(result.stdoutText.replacingOccurrences(of: "\r", with: "") == expected)

        let tampered = String(decoding: message, as: UTF8.self).replacingOccurrences(of: "Dear Bob", with: "Dear Eve")
        let bad = try gpg.run(["--verify"], input: Array(tampered.utf8), expectSuccess: false)
        #expect(bad.stderr.contains("[GNUPG:] BADSIG"))
    }

    @Test(arguments: [LiteralFormat.text, .utf8])
    func gpgVerifiesOurTextModeMessages(format: LiteralFormat) throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let recipient = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let gpg = try gnupg(with: key)
        try gpg.importKey(try recipient.armored())
        for recipients in [[], [recipient.certificate]] {
            let options = MessageOptions(literalFormat: format)
            let message =
                recipients.isEmpty
                ? try OpenPGPMessage.sign(data, by: [key], options: options)
                : try OpenPGPMessage.encrypt(data, for: recipients, signedBy: [key], options: options)
            let result = try gpg.run(["--decrypt"], input: message)
            #expect(try validSignature(result, key.fingerprint)[8] == "01")
            #expect(result.stdoutText.replacingOccurrences(of: "\r\n", with: "\n") == Self.text)
        }
    }

    @Test func gpgVerifiesOurMultipartSignedMessage() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        let message = try MailMessage(
            from: "Alice <alice@example.org>", to: "Bob <bob@example.org>", subject: "Signed", body: Self.text
        )
        .addingAttachment(
            Attachment(filename: "data.bin", data: (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        )
        .signed(by: key)
        let entity = try MIMEEntity.parse(try message.renderedBytes())
        let files = try TemporaryDirectory(prefix: "mime")
        let signedFile = try files.write("signed.eml", Array(entity.children[0].rawBytes))
        let signatureFile = try files.write("signed.eml.asc", try entity.children[1].decodedBody())
        let result = try gpg.run(["--verify", signatureFile.path, signedFile.path])
        #expect(try validSignature(result, key.fingerprint)[8] == "00")
    }

    @Test func weVerifyGnuPGDetachedSignatures() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        let stranger = try SecretKey.generate(userID: "Stranger <stranger@example.org>")
        for arguments in [
            ["--detach-sign"], ["--armor", "--detach-sign"], ["--textmode", "--detach-sign"],
            ["--digest-algo", "SHA512", "--armor", "--detach-sign"],
        ] {
            let signature = try gpg.run(["--local-user", key.fingerprint.hex] + arguments, input: data).stdout
            let results = try OpenPGPMessage.verifyDetached(signature, of: data, with: [key.certificate])
            #expect(results.map(\.status) == [.good], "\(arguments)")
            #expect(results.first?.signatureType == (arguments.contains("--textmode") ? .text : .binary))
            var altered = data
            altered[0] ^= 0x01
            #expect(
                try OpenPGPMessage.verifyDetached(signature, of: altered, with: [key.certificate]).map(\.status) == [
                    .bad
                ])
            #expect(
                try OpenPGPMessage.verifyDetached(signature, of: data, with: [stranger.certificate]).map(\.status) == [
                    .missingKey
                ])
        }
    }

    @Test func weVerifyGnuPGCleartextSignatures() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        for digest in ["SHA256", "SHA512"] {
            let message = try gpg.run(
                ["--local-user", key.fingerprint.hex, "--digest-algo", digest, "--clearsign"], input: data
            ).stdout
            #expect(message.starts(with: Array("-----BEGIN PGP SIGNED MESSAGE-----\nHash: \(digest)\n".utf8)))
            let result = try OpenPGPMessage.verifyCleartext(message, with: [key.certificate])
            #expect(result.signatures.map(\.status) == [.good])
            #expect(result.signatures.first?.signerFingerprint == key.fingerprint)
            #expect(result.declaredHashes.map(\.textName) == [digest])
            #expect(
                result.text
                    == "Dear Bob,\n- point one\n-----BEGIN PGP SIGNATURE-----\nFrom the desk of Alice\n\nGrüße\n")

            let text = String(decoding: message, as: UTF8.self)
            let tampered = text.replacingOccurrences(of: "point one", with: "point two")
            #expect(
                try OpenPGPMessage.verifyCleartext(tampered, with: [key.certificate]).signatures.map(\.status) == [.bad]
            )
        }
    }

    @Test func weVerifyGnuPGTextModeSignedMessages() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try gnupg(with: key)
        for arguments in [["--textmode", "--sign"], ["--textmode", "--compress-algo", "0", "--armor", "--sign"]] {
            let message = try gpg.run(["--local-user", key.fingerprint.hex] + arguments, input: data).stdout
            let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [key.certificate])
            #expect(result.signatures.map(\.status) == [.good], "\(arguments)")
            #expect(result.signatures.first?.signatureType == .text)
            #expect(result.literalFormat == .text)
            #expect(result.data == Array(Self.text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        }
    }
}

/// The same signatures exchanged with Sequoia's `sqop` (Stateless OpenPGP).
@Suite("sqop signature interop", .enabled(if: ExternalProcess.shouldRun("sqop")))
struct SqopSignatureInteropTests {
    let data = Array("Dear Bob,\n- point one  \nFrom the desk of Alice\n".utf8)

    @Test func sqopVerifiesOurDetachedAndCleartextSignatures() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let files = try TemporaryDirectory(prefix: "sqop")
        let certificate = try files.write("alice.cert", Array(key.certificate.armored().utf8))
        for format in [LiteralFormat.binary, .text] {
            let signature = try OpenPGPMessage.detachedSignature(
                for: data, by: [key], options: MessageOptions(literalFormat: format))
            let signatureFile = try files.write("data.sig", signature)
            let result = try ExternalProcess.run("sqop", ["verify", signatureFile.path, certificate.path], input: data)
            #expect(result.stdoutText.contains(key.fingerprint.hex), "\(result.stdoutText) \(result.stderr)")
        }
        let cleartext = try OpenPGPMessage.clearSign(data, by: [key])
        let result = try ExternalProcess.run("sqop", ["inline-verify", certificate.path], input: cleartext)
        #expect(result.stdoutText == "Dear Bob,\n- point one\nFrom the desk of Alice\n")
    }

    @Test func weVerifySqopDetachedAndCleartextSignatures() throws {
        let files = try TemporaryDirectory(prefix: "sqop")
        let secret = try ExternalProcess.run("sqop", ["generate-key", "Carol <carol@example.org>"]).stdout
        let keyFile = try files.write("carol.key", secret)
        let certificate = try Certificate(
            bytes: try ExternalProcess.run("sqop", ["extract-cert"], input: secret).stdout)
        for mode in ["binary", "text"] {
            let signature = try ExternalProcess.run("sqop", ["sign", "--as", mode, keyFile.path], input: data).stdout
            let results = try OpenPGPMessage.verifyDetached(signature, of: data, with: [certificate])
            #expect(results.map(\.status) == [.good], "\(mode)")
            #expect(results.first?.signatureType == (mode == "text" ? .text : .binary))
        }
        let cleartext = try ExternalProcess.run(
            "sqop", ["inline-sign", "--as", "clearsigned", keyFile.path], input: data
        )
        .stdout
        let result = try OpenPGPMessage.verifyCleartext(cleartext, with: [certificate])
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.text == "Dear Bob,\n- point one\nFrom the desk of Alice")
    }
}
