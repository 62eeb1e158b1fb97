import Foundation
import OpenPGP
import TestSupport
import Testing

/// The GnuPG harness starts again with a new key only when gpg's agent cannot unprotect its
/// own key file, and never hides any other failure.
@Suite("GnuPG harness: retry on the agent's own key-file failure", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGHarnessTests {
    static let passphrase = "harness pass"

    /// Makes the agent's key files unreadable to itself the way the CI failure looked: an
    /// S2K count below the agent's minimum of 65,536 is "Corrupted protection".
    static func corruptKeyFiles(of gpg: GnuPG) throws {
        let directory = gpg.home.url.appendingPathComponent("private-keys-v1.d")
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".key") {
            let file = directory.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            guard let protection = text.range(of: "(protected openpgp-s2k3-"),
                let open = text.range(of: "\"", range: protection.upperBound..<text.endIndex),
                let close = text.range(of: "\"", range: open.upperBound..<text.endIndex)
            else { throw TestSupportError("no S2K count in \(name): \(text)") }
            try text.replacingCharacters(in: open.upperBound..<close.lowerBound, with: "1000")
                .write(to: file, atomically: true, encoding: .utf8)
        }
    }

    @Test func aKeyTheAgentCannotUnprotectIsMadeAgainInAFreshHome() throws {
        var attempts = 0
        let (fingerprint, exported) = try GnuPG.withFreshHome { gpg in
            attempts += 1
            let fingerprint = try gpg.generateKey("Harness <harness@example.org>", passphrase: Self.passphrase)[0]
            if attempts == 1 { try Self.corruptKeyFiles(of: gpg) }
            return (fingerprint, try gpg.exportSecretKeys(fingerprint, passphrase: Self.passphrase).stdoutText)
        }
        #expect(attempts == 2)
        #expect(try SecretKey(armored: exported, passphrase: Self.passphrase).fingerprint.hex == fingerprint)
    }

    @Test func theLastAttemptsFailureReachesTheTest() throws {
        var attempts = 0
        #expect(throws: GnuPG.AgentCorruptedProtection.self) {
            try GnuPG.withFreshHome(attempts: 2) { gpg in
                attempts += 1
                let fingerprint = try gpg.generateKey("Harness <harness@example.org>", passphrase: Self.passphrase)[0]
                try Self.corruptKeyFiles(of: gpg)
                return try gpg.exportSecretKeys(fingerprint, passphrase: Self.passphrase)
            }
        }
        #expect(attempts == 2)
    }

    @Test func anyOtherFailureIsNotRetried() throws {
        var attempts = 0
        let error = #expect(throws: TestSupportError.self) {
            try GnuPG.withFreshHome { gpg in
                attempts += 1
                let fingerprint = try gpg.generateKey("Harness <harness@example.org>", passphrase: Self.passphrase)[0]
                return try gpg.exportSecretKeys(fingerprint, passphrase: "not the passphrase")
            }
        }
        #expect(attempts == 1)
        #expect("\(String(describing: error))".contains("Bad passphrase"))
    }
}
