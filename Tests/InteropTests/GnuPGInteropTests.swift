import Foundation
import OpenPGP
import TestSupport
import Testing

/// Our messages and keys read by GnuPG, and GnuPG's read by us.
@Suite("GnuPG interop (Ed25519 + Curve25519)", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGInteropTests {
    let plaintext = Array("Grüße from PGPMail\nsecond line\n".utf8)

    @Test func gpgDecryptsAndVerifiesOurMessage() throws {
        let gpg = try GnuPG()
        let sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
        let recipient = try SecretKey.generate(userID: "Recipient <recipient@example.org>")
        try gpg.importKey(sender.certificate.armored())
        try gpg.importKey(try recipient.armored())
        let message = try OpenPGPMessage.encrypt(plaintext, for: [recipient.certificate], signedBy: [sender])
        let result = try gpg.run(["--decrypt"], input: message)
        #expect(result.stdout == plaintext)
        #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
        #expect(result.stderr.contains("[GNUPG:] GOODMDC"))
        #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(sender.fingerprint.hex)"))
    }

    @Test func gpgImportsOurProtectedSecretKey() throws {
        let gpg = try GnuPG()
        let key = try SecretKey.generate(userID: "Protected <protected@example.org>")
        try gpg.importKey(try key.armored(passphrase: "s3cret pass"), passphrase: "s3cret pass")
        // Signing proves gpg decrypted the secret with our S2K parameters.
        let signed = try gpg.run(
            ["--local-user", key.fingerprint.hex, "--sign"], input: plaintext, passphrase: "s3cret pass")
        let result = try OpenPGPMessage.decrypt(signed.stdout, using: [], verifyingWith: [key.certificate])
        #expect(result.data == plaintext)
        #expect(result.signatures.map(\.status) == [.good])
    }

    @Test func weDecryptAndVerifyGnuPGMessages() throws {
        let (gpg, fingerprint, exportedSecret) = try GnuPG.withFreshHome { gpg in
            let fingerprint = try gpg.generateKey("Peer <peer@example.org>")[0]
            // Protect the unprotected key afterwards: the new passphrase goes through loopback.
            try gpg.run(["--passwd", fingerprint], passphrase: "peer pass")
            return (gpg, fingerprint, try gpg.exportSecretKeys(fingerprint, passphrase: "peer pass").stdoutText)
        }
        let exportedPublic = try gpg.run(["--armor", "--export", fingerprint]).stdoutText

        let certificate = try Certificate(armored: exportedPublic)
        #expect(certificate.fingerprint.hex == fingerprint)
        #expect(certificate.primaryUserID?.email == "peer@example.org")
        #expect(certificate.encryptionKeys().count == 1)
        let secretKey = try SecretKey(armored: exportedSecret, passphrase: "peer pass")

        for compression in ["0", "1", "2"] {
            let encrypted = try gpg.run(
                [
                    "--encrypt", "--sign", "--recipient", fingerprint, "--compress-algo", compression,
                    "--cipher-algo", "AES",
                ],
                input: plaintext, passphrase: "peer pass")
            let result = try OpenPGPMessage.decrypt(encrypted.stdout, using: [secretKey], verifyingWith: [certificate])
            #expect(result.data == plaintext)
            #expect(result.symmetricAlgorithm == .aes128)
            #expect(result.signatures.map(\.status) == [.good])
        }
        #expect(throws: OpenPGPError.self) { try SecretKey(armored: exportedSecret, passphrase: "wrong") }
    }

    static let ciphers: [SymmetricAlgorithm] = [
        .aes128, .aes192, .aes256, .camellia128, .camellia256, .cast5, .tripleDES, .blowfish,
    ]
    static let options: [(CompressionAlgorithm, HashAlgorithm)] = [
        (.zip, .sha256), (.zlib, .sha512), (.uncompressed, .sha384),
    ]

    @Test(arguments: ciphers)
    func gpgReadsEveryCipherWeWrite(cipher: SymmetricAlgorithm) throws {
        let gpg = try GnuPG()
        let sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
        let recipient = try SecretKey.generate(userID: "Recipient <recipient@example.org>")
        try gpg.importKey(sender.certificate.armored())
        try gpg.importKey(try recipient.armored())
        for (compression, hash) in Self.options {
            let options = MessageOptions(cipher: cipher, hash: hash, compression: compression)
            let message = try OpenPGPMessage.encrypt(
                plaintext, for: [recipient.certificate], signedBy: [sender], options: options)
            let result = try gpg.run(["--decrypt"], input: message)
            #expect(result.stdout == plaintext)
            #expect(result.stderr.contains("[GNUPG:] DECRYPTION_INFO 2 \(cipher.rawValue)"))
            #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(sender.fingerprint.hex)"))
            #expect(result.stderr.contains(" \(hash.rawValue) 00 \(sender.fingerprint.hex)"))
        }
    }

    @Test func passphraseEncryptionBothWays() throws {
        let gpg = try GnuPG()
        // gpg -c: SKESK whose S2K-derived key is the session key itself.
        let symmetric = try gpg.run(
            ["--symmetric", "--cipher-algo", "AES256"], input: plaintext, passphrase: "shared secret")
        let ours = try OpenPGPMessage.decrypt(symmetric.stdout, using: [], passphrases: ["shared secret"])
        #expect(ours.data == plaintext)
        #expect(ours.symmetricAlgorithm == .aes256)
        #expect(throws: OpenPGPError.self) {
            try OpenPGPMessage.decrypt(symmetric.stdout, using: [], passphrases: ["nope"])
        }

        // Ours: SKESK carrying an encrypted session key.
        let message = try OpenPGPMessage.encrypt(plaintext, for: [], passphrases: ["shared secret"])
        let result = try gpg.run(["--decrypt"], input: message, passphrase: "shared secret")
        #expect(result.stdout == plaintext)
        #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
    }
}
