import Foundation
import TestSupport

/// An RNP instance (`rnp` and `rnpkeys`) with its own temporary home directory.
final class RNP {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "rnphome")
    }

    /// Runs `rnp` in this home; `password` unlocks secret keys (`--password`).
    @discardableResult
    func rnp(
        _ arguments: [String], input: [UInt8] = [], password: String? = nil, expectSuccess: Bool = true
    ) throws -> ExternalProcess.Result {
        try ExternalProcess.run("rnp", options(password) + arguments, input: input, expectSuccess: expectSuccess)
    }

    /// Runs `rnpkeys` in this home; `password` unlocks or protects secret keys.
    @discardableResult
    func rnpkeys(_ arguments: [String], input: [UInt8] = [], password: String? = nil) throws -> ExternalProcess.Result {
        try ExternalProcess.run("rnpkeys", options(password) + arguments, input: input)
    }

    private func options(_ password: String?) -> [String] {
        ["--homedir", home.path, "--notty"] + (password.map { ["--password", $0] } ?? [])
    }

    /// Imports a certificate or secret key (armored or binary).
    func importKey(_ key: String) throws {
        let file = try home.write("import-\(UUID().uuidString).asc", Array(key.utf8))
        defer { try? FileManager.default.removeItem(at: file) }
        try rnpkeys(["--import", file.path])
    }

    /// Generates a key through `rnpkeys --generate-key --expert`, answering its prompts with
    /// `answers` (one line each: the algorithm menu, then the size or curve menu). An empty
    /// `password` leaves the secret key unprotected. Returns the fingerprints, primary first.
    func generateKey(userID: String, answers: [String], password: String) throws -> [String] {
        let input = Array(answers.map { $0 + "\n" }.joined().utf8)
        try rnpkeys(
            ["--generate-key", "--expert", "--userid", userID, "--expiration", "0"], input: input, password: password)
        return try fingerprints(userID)
    }

    /// The fingerprints (upper-case hex) `rnpkeys --list-keys` shows for `query`: the primary
    /// key first, then its subkeys.
    func fingerprints(_ query: String) throws -> [String] {
        let listing = try rnpkeys(["--list-keys", query]).stdoutText
        let fingerprints = listing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count == 40 && $0.allSatisfy(\.isHexDigit) }
            .map { $0.uppercased() }
        guard !fingerprints.isEmpty else {
            throw TestSupportError("rnpkeys lists no key for \(query): \(listing)")
        }
        return fingerprints
    }

    /// The armored certificate, or with `secret` the armored secret key as stored (still
    /// protected by its password).
    func export(_ query: String, secret: Bool = false) throws -> String {
        try rnpkeys(["--export-key"] + (secret ? ["--secret"] : []) + [query]).stdoutText
    }

    /// What `rnp --decrypt` or `rnp --verify` reported on standard error about signatures.
    struct SignatureReport: CustomStringConvertible {
        /// The key IDs (lower-case hex) of the good signatures, in order.
        let good: [String]
        /// Whether rnp reported every signature verified ("Signature(s) verified successfully")
        /// and none bad, unknown or otherwise invalid.
        let allVerified: Bool
        let description: String

        init(_ stderr: String) {
            let lines = stderr.split(separator: "\n").map(String.init)
            var good: [String] = []
            for (index, line) in lines.enumerated() where line.hasPrefix("Good signature") && index + 1 < lines.count {
                // "Good signature made <date>" is followed by "using <algorithm> key <key ID>".
                if lines[index + 1].hasPrefix("using "), let keyID = lines[index + 1].split(separator: " ").last {
                    good.append(String(keyID))
                }
            }
            self.good = good
            allVerified =
                stderr.contains("Signature(s) verified successfully") && !stderr.contains("BAD signature")
                && !stderr.contains("Signature verification failure")
            description = stderr
        }
    }
}
