import Foundation
import TestSupport
import Testing

@testable import OpenPGP

/// Secret keys exported by GnuPG with a passphrase in every S2K cipher it offers.
///
/// GnuPG 2.2 re-protects exported keys with AES-128 whatever `--s2k-*` says (see
/// `GnuPGS2KInteropTests`), so these keys come from GnuPG 1.4 (`gpg1`, Debian's `gnupg1`),
/// which stores the protection `--s2k-cipher-algo`, `--s2k-digest-algo` and `--s2k-mode`
/// ask for when the passphrase is changed.
@Suite("GnuPG 1.4 keys protected with every S2K cipher", .enabled(if: ExternalProcess.shouldRun("gpg1")))
struct GnuPG1S2KInteropTests {
    /// A GnuPG 1.4 home with one RSA key whose passphrase is "start".
    final class Home {
        let directory: TemporaryDirectory
        let fingerprint: String

        init() throws {
            directory = try TemporaryDirectory(prefix: "gnupg1")
            let parameters = """
                Key-Type: RSA
                Key-Length: 2048
                Subkey-Type: RSA
                Subkey-Length: 2048
                Name-Real: GnuPG One
                Name-Email: one@example.org
                Passphrase: start
                %commit

                """
            try Self.run(in: directory, ["--gen-key"], input: Array(parameters.utf8))
            let listing = try Self.run(in: directory, ["--with-colons", "--fingerprint", "--list-secret-keys"])
                .stdoutText
            guard let line = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") }) else {
                throw TestSupportError("gpg1 listed no fingerprint: \(listing)")
            }
            fingerprint = String(line.split(separator: ":", omittingEmptySubsequences: false)[9])
        }

        /// Runs gpg1 in this home; `batch: false` lets `--command-fd` answer passphrase prompts.
        @discardableResult
        static func run(
            in directory: TemporaryDirectory, _ arguments: [String], input: [UInt8] = [], batch: Bool = true
        ) throws -> ExternalProcess.Result {
            try ExternalProcess.run(
                "gpg1", ["--homedir", directory.path, "--no-tty"] + (batch ? ["--batch"] : []) + arguments, input: input
            )
        }

        @discardableResult
        func run(_ arguments: [String], input: [UInt8] = [], batch: Bool = true) throws -> ExternalProcess.Result {
            try Self.run(in: directory, arguments, input: input, batch: batch)
        }

        /// Re-protects the key with `passphrase` under the given S2K settings and exports it.
        func export(passphrase: String, from old: String, cipher: String, digest: String, mode: Int) throws -> String {
            // The old passphrase, then the new one, each answering a GET_HIDDEN prompt.
            try run(
                [
                    "--command-fd", "0", "--s2k-cipher-algo", cipher, "--s2k-digest-algo", digest,
                    "--s2k-mode", String(mode), "--edit-key", fingerprint, "passwd", "save",
                ],
                input: Array("\(old)\n\(passphrase)\n".utf8), batch: false)
            return try run(["--armor", "--export-secret-keys", fingerprint]).stdoutText
        }
    }

    static let ciphers: [(name: String, algorithm: SymmetricAlgorithm)] = [
        ("IDEA", .idea), ("3DES", .tripleDES), ("CAST5", .cast5), ("BLOWFISH", .blowfish), ("AES", .aes128),
        ("AES192", .aes192), ("AES256", .aes256), ("TWOFISH", .twofish), ("CAMELLIA128", .camellia128),
        ("CAMELLIA192", .camellia192), ("CAMELLIA256", .camellia256),
    ]

    @Test func everyCipherUnlocksAndAWrongPassphraseIsTyped() throws {
        let home = try Home()
        var current = "start"
        for (index, cipher) in Self.ciphers.enumerated() {
            let next = "pass \(index) ✓"
            let armored = try home.export(
                passphrase: next, from: current, cipher: cipher.name, digest: "SHA256", mode: 3)
            current = next
            let locked = try SecretKey(armored: armored)
            #expect(locked.isLocked, "\(cipher.name)")
            let protection = try #require(locked.secrets[locked.fingerprint]?.protection, "\(cipher.name)")
            guard case .encrypted(_, let algorithm, _, _) = protection else {
                Issue.record("\(cipher.name): not protected")
                continue
            }
            #expect(algorithm == cipher.algorithm, "gpg1 protected with \(algorithm), not \(cipher.name)")
            let unlocked = try SecretKey(armored: armored, passphrase: next)
            #expect(!unlocked.isLocked, "\(cipher.name)")
            // The unlocked key really works: it decrypts a message to itself and signs.
            let message = try OpenPGPMessage.encrypt(Array("k".utf8), for: [unlocked.certificate], signedBy: [unlocked])
            let read = try OpenPGPMessage.decrypt(message, using: [unlocked], verifyingWith: [unlocked.certificate])
            #expect(read.signatures.map(\.status) == [.good], "\(cipher.name)")
            do {
                _ = try SecretKey(armored: armored, passphrase: "wrong")
                Issue.record("\(cipher.name): a wrong passphrase unlocked the key")
            } catch let error as OpenPGPError {
                #expect(error.code == .wrongPassphrase, "\(cipher.name): \(error)")
            }
        }
    }

    @Test(arguments: [("SHA1", 3), ("SHA512", 3), ("RIPEMD160", 3), ("MD5", 3), ("SHA256", 1), ("SHA256", 0)])
    func everyDigestAndMode(digest: String, mode: Int) throws {
        let home = try Home()
        let armored = try home.export(
            passphrase: "changed", from: "start", cipher: "AES256", digest: digest, mode: mode)
        #expect(!(try SecretKey(armored: armored, passphrase: "changed")).isLocked, "\(digest) mode \(mode)")
    }
}
