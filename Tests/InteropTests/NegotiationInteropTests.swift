import Foundation
import OpenPGP
import TestSupport
import Testing

/// Algorithm negotiation against certificates GnuPG made with one preferred cipher: gpg
/// reports, when it decrypts our message, the cipher their preferences asked for.
@Suite("Negotiation with GnuPG")
struct NegotiationInteropTests {
    /// gpg's cipher name → our algorithm (gpg's --default-preference-list names).
    private static let ciphers: [(String, SymmetricAlgorithm)] = [
        ("AES256", .aes256), ("CAMELLIA256", .camellia256), ("TWOFISH", .twofish), ("AES192", .aes192),
    ]

    /// A gpg key whose self-signature prefers exactly `preferences`, exported.
    private func key(_ gpg: GnuPG, _ userID: String, preferences: String) throws -> Certificate {
        try gpg.run(
            [
                "--default-preference-list", preferences, "--quick-generate-key", userID, "ed25519", "cert,sign",
                "never",
            ],
            passphrase: "")
        let fingerprint = try gpg.fingerprint(of: userID)
        try gpg.run(["--quick-add-key", fingerprint, "cv25519", "encr", "never"], passphrase: "")
        return try Certificate(armored: try gpg.run(["--armor", "--export", fingerprint]).stdoutText)
    }

    /// The cipher number gpg's DECRYPTION_INFO status line reports for `message`.
    private func decryptedCipher(_ gpg: GnuPG, _ message: [UInt8]) throws -> UInt8? {
        let result = try gpg.run(["--decrypt"], input: message)
        #expect(result.stdoutText == "negotiated")
        let line = result.stderr.split(separator: "\n").first { $0.contains("DECRYPTION_INFO") }
        return line.flatMap { $0.split(separator: " ").dropFirst(3).first }.flatMap { UInt8($0) }
    }

    @Test func gpgDecryptsWithTheRecipientsOnlyPreferredCipher() throws {
        let gpg = try GnuPG()
        for (name, cipher) in Self.ciphers {
            let certificate = try key(gpg, "\(name) <\(name.lowercased())@example.org>", preferences: "\(name) SHA512")
            #expect(certificate.preferences.symmetric.first == cipher)
            let message = try OpenPGPMessage.encrypt(Array("negotiated".utf8), for: [certificate])
            #expect(try decryptedCipher(gpg, message) == cipher.rawValue, "\(name)")
        }
    }

    @Test func severalRecipientsGetACipherAllOfThemAccept() throws {
        let gpg = try GnuPG()
        let first = try key(gpg, "First <first@example.org>", preferences: "AES256 CAMELLIA256 TWOFISH SHA512")
        let second = try key(gpg, "Second <second@example.org>", preferences: "TWOFISH CAMELLIA256 SHA512")
        let message = try OpenPGPMessage.encrypt(Array("negotiated".utf8), for: [first, second])
        #expect(try decryptedCipher(gpg, message) == SymmetricAlgorithm.camellia256.rawValue)
        // Nothing in common but the implicit AES-128.
        let third = try key(gpg, "Third <third@example.org>", preferences: "AES192 SHA512")
        let common = try OpenPGPMessage.encrypt(Array("negotiated".utf8), for: [second, third])
        #expect(try decryptedCipher(gpg, common) == SymmetricAlgorithm.aes128.rawValue)
    }

    @Test func weakPreferredCipherIsNotChosenAndExplicitCipherWins() throws {
        let gpg = try GnuPG()
        let legacy = try key(gpg, "Legacy <legacy@example.org>", preferences: "CAST5 3DES SHA256")
        let message = try OpenPGPMessage.encrypt(Array("negotiated".utf8), for: [legacy])
        #expect(try decryptedCipher(gpg, message) == SymmetricAlgorithm.aes128.rawValue)
        let explicit = try OpenPGPMessage.encrypt(
            Array("negotiated".utf8), for: [legacy], options: MessageOptions(cipher: .camellia128))
        #expect(try decryptedCipher(gpg, explicit) == SymmetricAlgorithm.camellia128.rawValue)
    }

    @Test func signatureHashFollowsThePreferences() throws {
        let gpg = try GnuPG()
        let certificate = try key(gpg, "Hash <hash@example.org>", preferences: "AES256 SHA384")
        let signer = try SecretKey.generate(userID: "Signer <signer@example.org>")
        try gpg.importKey(signer.certificate.armored())
        let message = try OpenPGPMessage.encrypt(Array("negotiated".utf8), for: [certificate], signedBy: [signer])
        let result = try gpg.run(["--decrypt"], input: message)
        let validSig = result.stderr.split(separator: "\n").first { $0.contains("VALIDSIG") }
        // [GNUPG:] VALIDSIG <fpr> <date> <ts> <expire> <version> <reserved> <pk-algo> <hash-algo> …
        let fields = validSig.map { $0.split(separator: " ") } ?? []
        #expect(fields.count > 9 && fields[9] == "\(HashAlgorithm.sha384.rawValue)")
    }
}
