import Foundation
import TestSupport

/// A GnuPG instance with its own temporary home directory.
final class GnuPG {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "gnupghome")
        // Loopback pinentry lets tests pass passphrases on the command line.
        try "allow-loopback-pinentry\n".write(to: home.file("gpg-agent.conf"), atomically: true, encoding: .utf8)
    }

    deinit {
        // Stop the agent this home started, so test runs leave no processes behind.
        _ = try? ExternalProcess.run(
            "gpgconf", ["--kill", "gpg-agent"], environment: ["GNUPGHOME": home.path], expectSuccess: false)
    }

    @discardableResult
    func run(
        _ arguments: [String], input: [UInt8] = [], passphrase: String? = nil, expectSuccess: Bool = true
    ) throws -> ExternalProcess.Result {
        var full = ["--batch", "--no-tty", "--status-fd", "2", "--trust-model", "always"]
        if let passphrase { full += ["--pinentry-mode", "loopback", "--passphrase", passphrase] }
        return try ExternalProcess.run(
            "gpg", full + arguments, input: input, environment: ["GNUPGHOME": home.path], expectSuccess: expectSuccess)
    }

    func importKey(_ armored: String, passphrase: String? = nil) throws {
        try run(["--import"], input: Array(armored.utf8), passphrase: passphrase)
    }

    /// Runs an interactive command (`--edit-key`, `--gen-revoke`) answering its prompts, one
    /// line each, through `--command-fd 0`. `--gen-revoke` refuses `--batch`, hence `batch`.
    @discardableResult
    func run(
        _ arguments: [String], answers: [String], passphrase: String = "", batch: Bool = true
    ) throws -> ExternalProcess.Result {
        var full = [
            "--no-tty", "--status-fd", "2", "--command-fd", "0", "--pinentry-mode", "loopback", "--passphrase",
            passphrase,
        ]
        if batch { full.insert("--batch", at: 0) }
        let input = Array(answers.map { $0 + "\n" }.joined().utf8)
        return try ExternalProcess.run("gpg", full + arguments, input: input, environment: ["GNUPGHOME": home.path])
    }

    /// The fingerprints of the key `query` names: the primary key first, then its subkeys.
    func fingerprints(_ query: String) throws -> [String] {
        try run(["--with-colons", "--list-keys", query]).stdoutText.split(separator: "\n")
            .filter { $0.hasPrefix("fpr:") }
            .map { String($0.split(separator: ":", omittingEmptySubsequences: false)[9]) }
    }

    /// Generates an Ed25519 signing key, with a Curve25519 encryption subkey unless told
    /// otherwise, and returns its fingerprints (primary first).
    @discardableResult
    func generateKey(_ userID: String, passphrase: String = "", encryptionSubkey: Bool = true) throws -> [String] {
        try run(["--quick-generate-key", userID, "ed25519", "cert,sign", "never"], passphrase: passphrase)
        let primary = try fingerprints("=\(userID)")[0]
        if encryptionSubkey {
            try run(["--quick-add-key", primary, "cv25519", "encr", "never"], passphrase: passphrase)
        }
        return try fingerprints(primary)
    }
}

extension GnuPG {
    /// Generates a key protected by `passphrase`: a `primary` signing key (gpg's algorithm
    /// names: "rsa3072", "dsa2048", "nistp384", "brainpoolP256r1", …) and an encryption
    /// subkey `subkey` ("elg2048", "nistp384", …). Returns the primary fingerprint.
    func generateKey(userID: String, primary: String, subkey: String, passphrase: String) throws -> String {
        try run(["--quick-generate-key", userID, primary, "sign", "never"], passphrase: passphrase)
        let fingerprint = try self.fingerprint(of: userID)
        try run(["--quick-add-key", fingerprint, subkey, "encr", "never"], passphrase: passphrase)
        return fingerprint
    }

    /// Exports the secret key `fingerprint` (with `options` before the command), unlocking it
    /// with `passphrase`. Throws `AgentCorruptedProtection` when gpg's agent fails its own
    /// check of the key file, so that `withFreshHome` can start again with a new key.
    func exportSecretKeys(
        _ fingerprint: String, passphrase: String, options: [String] = ["--armor"]
    ) throws -> ExternalProcess.Result {
        do {
            return try run(options + ["--export-secret-keys", fingerprint], passphrase: passphrase)
        } catch let error as TestSupportError where error.description.contains("Corrupted protection") {
            throw AgentCorruptedProtection(stderr: error.description)
        }
    }

    /// gpg's agent refused to hand out a key it had just generated, because the key's
    /// integrity check failed when it read its own key file back ("error receiving key from
    /// agent: Corrupted protection"). Seen once in CI under full load, with gpg 2.2.40 and an
    /// RSA subkey made by `--quick-add-key`; it happens inside gpg before any PGPMail code runs.
    struct AgentCorruptedProtection: Error, CustomStringConvertible {
        let stderr: String
        var description: String {
            let reasons = stderr.split(separator: "\n").filter { $0.contains("Corrupted protection") }
            return "gpg's agent could not unprotect its own key: \(reasons.joined(separator: "; "))"
        }
    }

    /// Runs `body` with a fresh GnuPG home, again with another fresh home (and so a newly
    /// generated key) if gpg's agent reports `AgentCorruptedProtection`, at most `attempts`
    /// times. Every other error, and the last attempt's, fails the caller.
    static func withFreshHome<T>(attempts: Int = 3, _ body: (GnuPG) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body(try GnuPG())
            } catch let error as AgentCorruptedProtection where attempt < attempts {
                print("gpg agent failure, attempt \(attempt) of \(attempts), retrying with a fresh key: \(error)")
                attempt += 1
            }
        }
    }

    /// The fingerprint of the primary key gpg lists for `query`.
    func fingerprint(of query: String) throws -> String {
        let listing = try run(["--with-colons", "--list-keys", query]).stdoutText
        guard let line = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") }) else {
            throw TestSupportError("gpg lists no key for \(query)")
        }
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count > 9 else { throw TestSupportError("unexpected gpg listing: \(line)") }
        return String(fields[9])
    }
}
