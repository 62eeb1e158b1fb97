import Foundation
import OpenPGP
import TestSupport
import Testing

/// The GnuPG harness starts again with a new key only when gpg's agent cannot unprotect its
/// own key file, and never hides any other failure. (The agent's failure is simulated: making
/// gpg fail that way on purpose means editing its key files, which races with the agent's own
/// rewrites of them.)
@Suite("GnuPG harness: retry on the agent's own key-file failure", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGHarnessTests {
    static let passphrase = "harness pass"
    static let agentFailure = GnuPG.AgentCorruptedProtection(
        stderr: "gpg: key 0123: error receiving key from agent: Corrupted protection - skipped")

    @Test func aKeyTheAgentCannotUnprotectIsMadeAgainInAFreshHome() throws {
        var homes: [String] = []
        let (fingerprint, exported) = try GnuPG.withFreshHome { gpg in
            homes.append(gpg.home.path)
            let fingerprint = try gpg.generateKey("Harness <harness@example.org>", passphrase: Self.passphrase)[0]
            if homes.count == 1 { throw Self.agentFailure }
            return (fingerprint, try gpg.exportSecretKeys(fingerprint, passphrase: Self.passphrase).stdoutText)
        }
        #expect(homes.count == 2 && homes[0] != homes[1])
        #expect(try SecretKey(armored: exported, passphrase: Self.passphrase).fingerprint.hex == fingerprint)
    }

    @Test func theLastAttemptsFailureReachesTheTest() throws {
        var attempts = 0
        let error = #expect(throws: GnuPG.AgentCorruptedProtection.self) {
            try GnuPG.withFreshHome(attempts: 2) { _ in
                attempts += 1
                throw Self.agentFailure
            }
        }
        #expect(attempts == 2)
        #expect(error?.description == "gpg's agent could not unprotect its own key: \(Self.agentFailure.stderr)")
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
