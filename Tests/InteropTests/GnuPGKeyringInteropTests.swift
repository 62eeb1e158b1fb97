import Foundation
import OpenPGP
import TestSupport
import Testing

/// Answers passphrase requests from a script and records them.
private actor PassphraseScript {
    private var answers: [String?]
    private(set) var requests: [PassphraseRequest] = []

    init(_ answers: [String?]) { self.answers = answers }

    func answer(_ request: PassphraseRequest) -> String? {
        requests.append(request)
        return answers.isEmpty ? nil : answers.removeFirst()
    }

    nonisolated var provider: PassphraseProvider { { await self.answer($0) } }
}

/// GnuPG's own keyrings read by ``Keyring``: the 2.1+ keybox, the legacy pubring/secring
/// layout, and keys that gpg revoked or set to expire.
@Suite("GnuPG keyrings", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGKeyringInteropTests {
    let plaintext = Array("keyring interop\n".utf8)

    @Test func readsTheKeyboxOfAGnuPGHome() throws {
        let gpg = try GnuPG()
        let alice = try gpg.generateKey("Alice <alice@example.org>")
        try gpg.run(["--quick-add-key", alice[0], "ed25519", "sign", "never"], passphrase: "")
        let aliceKeys = try gpg.fingerprints(alice[0])
        let bob = try gpg.generateKey("Bob <bob@example.org>")
        let carol = try gpg.generateKey("Carol <carol@example.org>", encryptionSubkey: false)
        #expect(aliceKeys.count == 3)
        #expect(FileManager.default.fileExists(atPath: gpg.home.file("pubring.kbx").path))
        #expect(!FileManager.default.fileExists(atPath: gpg.home.file("pubring.gpg").path))

        let keyring = try Keyring(contentsOf: gpg.home.url)
        #expect(keyring.skippedKeys.isEmpty)
        #expect(keyring.certificates.map(\.fingerprint.hex) == [alice[0], bob[0], carol[0]])
        let aliceCertificate = try keyring.certificate(matching: "alice@example.org")
        #expect(aliceCertificate.subkeys.map(\.fingerprint.hex) == Array(aliceKeys.dropFirst()))
        #expect(aliceCertificate.subkeys.allSatisfy { $0.isBound })
        #expect(aliceCertificate.encryptionKeys().map(\.fingerprint.hex) == [aliceKeys[1]])
        #expect(aliceCertificate.signingKeys().map(\.fingerprint.hex) == [aliceKeys[2], aliceKeys[0]])
        #expect(try keyring.certificate(matching: carol[0]).encryptionKeys().isEmpty)
        // GnuPG 2.1+ keeps secret keys in private-keys-v1.d, which is not a keyring format.
        #expect(keyring.secretKeys.isEmpty)

        // Each subkey selects Alice's certificate, by fingerprint, long and short key ID.
        for subkey in aliceKeys.dropFirst() {
            for text in [subkey, String(subkey.suffix(16)), String(subkey.suffix(8)).lowercased()] {
                let match = try keyring.match(for: try KeySelector(text))
                #expect(match.certificate.fingerprint.hex == alice[0])
                #expect(match.component.fingerprint.hex == subkey)
                #expect(!match.component.isPrimary)
            }
        }
        #expect(try keyring.certificate(matching: "Bob <bob@example.org>").fingerprint.hex == bob[0])

        // The keybox file on its own, and a message to a key read from it that gpg decrypts.
        #expect(try Keyring(contentsOf: gpg.home.file("pubring.kbx")).count == 3)
        let message = try OpenPGPMessage.encrypt(plaintext, for: [try keyring.certificate(matching: "bob@example.org")])
        #expect(try gpg.run(["--decrypt"], input: message, passphrase: "").stdout == plaintext)
    }

    @Test func corruptedKeyboxIsATypedError() throws {
        let gpg = try GnuPG()
        try gpg.generateKey("Dora <dora@example.org>")
        let keybox = Array(try Data(contentsOf: gpg.home.file("pubring.kbx")))
        #expect(try Keyring(bytes: keybox).count == 1)
        let blobLength = Int(keybox[32]) << 24 | Int(keybox[33]) << 16 | Int(keybox[34]) << 8 | Int(keybox[35])

        var flipped = keybox
        flipped[32 + blobLength / 2] ^= 0x01
        var badOffset = keybox
        badOffset[40..<44] = [0x7F, 0, 0, 0]
        let cases: [(String, [UInt8], OpenPGPError.Code)] = [
            ("flipped byte", flipped, .malformedPacket),
            ("truncated", Array(keybox.dropLast(10)), .truncatedPacket),
            ("changed keyblock offset", badOffset, .malformedPacket),
            ("second header", Array(keybox.prefix(32)) + keybox, .malformedPacket),
        ]
        for (name, bytes, code) in cases {
            let error = #expect(throws: OpenPGPError.self, "\(name)") { try Keyring(bytes: bytes) }
            #expect(error?.code == code, "\(name): \(String(describing: error))")
            #expect(error?.offset != nil, "\(name)")
        }
    }

    @Test func legacyKeyringDirectoryExportedByGnuPG() async throws {
        let (gpg, alice, bob, secrets) = try GnuPG.withFreshHome { gpg in
            let alice = try gpg.generateKey("Alice <alice@example.org>", passphrase: "alice pass")
            let bob = try gpg.generateKey("Bob <bob@example.org>")
            let secrets =
                try gpg.exportSecretKeys(alice[0], passphrase: "alice pass", options: []).stdout
                + gpg.exportSecretKeys(bob[0], passphrase: "", options: []).stdout
            return (gpg, alice, bob, secrets)
        }
        let directory = try TemporaryDirectory(prefix: "legacy-keyring")
        _ = try directory.write("pubring.gpg", try gpg.run(["--export"]).stdout)
        _ = try directory.write("secring.gpg", secrets)

        let keyring = try Keyring(contentsOf: directory.url)
        #expect(keyring.certificates.map(\.fingerprint.hex) == [alice[0], bob[0]])
        #expect(keyring.secretKeys.map(\.fingerprint.hex) == [alice[0], bob[0]])
        let aliceSecret = try keyring.secretKey(matching: "alice@example.org")
        let bobKey = try keyring.secretKey(matching: "bob@example.org")
        #expect(aliceSecret.isLocked)
        #expect(!bobKey.isLocked)

        let script = PassphraseScript(["not it", "alice pass"])
        let unlocked = try await aliceSecret.unlocked(using: script.provider)
        #expect(!unlocked.isLocked)
        let requests = await script.requests
        #expect(requests.map(\.attempt) == [1, 2])
        #expect(requests.allSatisfy { $0.userID == "Alice <alice@example.org>" && $0.fingerprint.hex == alice[0] })

        let encrypted = try gpg.run(
            ["--encrypt", "--sign", "--recipient", alice[0], "--local-user", bob[0]], input: plaintext, passphrase: "")
        let result = try OpenPGPMessage.decrypt(
            encrypted.stdout, using: [unlocked], verifyingWith: keyring.certificates)
        #expect(result.data == plaintext)
        #expect(result.signatures.map(\.status) == [.good])
    }

    @Test func gnuPGRevocationsAndExpiryAreHonoured() throws {
        let gpg = try GnuPG()
        let dana = try gpg.generateKey("Dana <dana@example.org>")
        try gpg.run(["--quick-add-key", dana[0], "cv25519", "encr", "never"], passphrase: "")
        let keys = try gpg.fingerprints(dana[0])
        try gpg.run(["--quick-add-uid", dana[0], "Dana Work <dana@work.example>"], passphrase: "")
        try gpg.run(["--quick-revoke-uid", dana[0], "Dana Work <dana@work.example>"], passphrase: "")
        // Revoke the second encryption subkey: reason 2 in gpg's menu is "superseded".
        try gpg.run(
            ["--edit-key", dana[0]], answers: ["key 2", "revkey", "y", "2", "superseded by another", "", "y", "save"])
        try gpg.run(["--quick-set-expire", dana[0], "1d", keys[1]], passphrase: "")
        try gpg.run(["--quick-set-expire", dana[0], "2d"], passphrase: "")
        let now = Date()

        let certificate = try Certificate(bytes: try gpg.run(["--export", dana[0]]).stdout)
        #expect(!certificate.isRevoked)
        let work = try #require(certificate.userIDs.first { $0.email == "dana@work.example" })
        #expect(work.isRevoked)
        #expect(work.revocationReason?.code == .userIDInvalid)
        #expect(certificate.primaryUserID?.value == "Dana <dana@example.org>")
        #expect(certificate.subkeys.map(\.fingerprint.hex) == Array(keys.dropFirst()))
        #expect(!certificate.subkeys[0].isRevoked)
        #expect(certificate.subkeys[1].isRevoked)
        #expect(
            certificate.subkeys[1].revocationReason
                == RevocationReason(code: .superseded, text: "superseded by another"))
        let subkeyExpiry = try #require(certificate.subkeys[0].expirationDate)
        #expect(abs(subkeyExpiry.timeIntervalSince(now) - 86_400) < 3_600)
        let expiry = try #require(certificate.expirationDate)
        #expect(abs(expiry.timeIntervalSince(now) - 2 * 86_400) < 3_600)
        #expect(certificate.encryptionKeys().map(\.fingerprint.hex) == [keys[1]])
        #expect(certificate.encryptionKeys(at: now + 1.5 * 86_400).isEmpty)
        #expect(certificate.signingKeys(at: now + 1.5 * 86_400).count == 1)
        #expect(certificate.signingKeys(at: now + 3 * 86_400).isEmpty)
        let keyring = try Keyring(certificates: [certificate])
        #expect(try keyring.certificates(matching: "dana@work.example").isEmpty)
        #expect(try keyring.certificates(matching: "dana@example.org").count == 1)

        // Revoke the whole key with a revocation certificate: reason 3 is "no longer used".
        let revocation = try gpg.run(
            ["--armor", "--gen-revoke", dana[0]], answers: ["y", "3", "moved to a new key", "", "y"], batch: false)
        try gpg.run(["--import"], input: revocation.stdout)
        let revoked = try Certificate(bytes: try gpg.run(["--export", dana[0]]).stdout)
        #expect(revoked.isRevoked)
        #expect(revoked.primaryKey.revocationReason == RevocationReason(code: .retired, text: "moved to a new key"))
        #expect(revoked.encryptionKeys().isEmpty)
        #expect(revoked.signingKeys().isEmpty)
        #expect(!revoked.isUsable())
    }
}
