import Foundation
import Testing

@testable import OpenPGP

/// A passphrase provider that answers from a script and records every request.
actor ScriptedPassphrases {
    private var answers: [String?]
    private(set) var requests: [PassphraseRequest] = []

    init(_ answers: [String?]) { self.answers = answers }

    func answer(_ request: PassphraseRequest) -> String? {
        requests.append(request)
        return answers.isEmpty ? nil : answers.removeFirst()
    }

    nonisolated var provider: PassphraseProvider { { await self.answer($0) } }
}

@Suite("Passphrase callback")
struct PassphraseProviderTests {
    static func protectedKey(_ passphrase: String = "right") throws -> (original: SecretKey, locked: SecretKey) {
        let key = try SecretKey.generate(userID: "Lena <lena@example.org>")
        let locked = try SecretKey(bytes: try key.serialized(passphrase: passphrase))
        #expect(locked.isLocked)
        return (key, locked)
    }

    @Test func rightOnFirstTryAsksOnceForAKeyWhosePartsShareIt() async throws {
        let (original, locked) = try Self.protectedKey()
        let script = ScriptedPassphrases(["right"])
        let unlocked = try await locked.unlocked(using: script.provider)
        #expect(!unlocked.isLocked)
        let requests = await script.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.attempt == 1)
        #expect(request.maximumAttempts == 3)
        #expect(request.userID == "Lena <lena@example.org>")
        #expect(request.keyID == original.certificate.keyID)
        #expect(request.fingerprint == original.fingerprint)
        #expect(request.primaryFingerprint == original.fingerprint)

        // The unlocked key works: it decrypts and signs.
        let message = try OpenPGPMessage.encrypt(Array("hi".utf8), for: [original.certificate], signedBy: [unlocked])
        let result = try OpenPGPMessage.decrypt(message, using: [unlocked], verifyingWith: [original.certificate])
        #expect(result.data == Array("hi".utf8))
        #expect(result.signatures.map(\.status) == [.good])
    }

    @Test func wrongThenRightAsksTwice() async throws {
        let (_, locked) = try Self.protectedKey()
        let script = ScriptedPassphrases(["wrong", "right"])
        let unlocked = try await locked.unlocked(using: script.provider)
        #expect(!unlocked.isLocked)
        #expect(await script.requests.map(\.attempt) == [1, 2])
    }

    @Test func nilAtFirstRequestMeansPassphraseRequired() async throws {
        let (_, locked) = try Self.protectedKey()
        let script = ScriptedPassphrases([nil])
        let error = await #expect(throws: OpenPGPError.self) { try await locked.unlocked(using: script.provider) }
        #expect(error?.code == .passphraseRequired)
        #expect(error?.psmtpErrorCode == 122)
        #expect(await script.requests.count == 1)
    }

    @Test func nilAfterAWrongPassphraseMeansWrongPassphrase() async throws {
        let (_, locked) = try Self.protectedKey()
        let script = ScriptedPassphrases(["wrong", nil])
        let error = await #expect(throws: OpenPGPError.self) { try await locked.unlocked(using: script.provider) }
        #expect(error?.code == .wrongPassphrase)
        #expect(await script.requests.map(\.attempt) == [1, 2])
    }

    @Test func tooManyWrongAttemptsStop() async throws {
        let (_, locked) = try Self.protectedKey()
        let script = ScriptedPassphrases(["a", "b", "c", "right"])
        let error = await #expect(throws: OpenPGPError.self) { try await locked.unlocked(using: script.provider) }
        #expect(error?.code == .wrongPassphrase)
        #expect(await script.requests.map(\.attempt) == [1, 2, 3])

        let patient = ScriptedPassphrases(["a", "b", "c", "right"])
        let unlocked = try await locked.unlocked(maximumAttempts: 5, using: patient.provider)
        #expect(!unlocked.isLocked)
        #expect(await patient.requests.map(\.attempt) == [1, 2, 3, 4])
        #expect(await patient.requests.allSatisfy { $0.maximumAttempts == 5 })

        let none = ScriptedPassphrases(["right"])
        let invalid = await #expect(throws: OpenPGPError.self) {
            try await locked.unlocked(maximumAttempts: 0, using: none.provider)
        }
        #expect(invalid?.code == .invalidArgument)
        #expect(await none.requests.isEmpty)
    }

    @Test func partsWithDifferentPassphrasesAreAskedForSeparately() async throws {
        let key = try SecretKey.generate(userID: "Max <max@example.org>")
        let primaryLocked = try SecretKey(bytes: try key.serialized(passphrase: "primary pass"))
        let subkeyLocked = try SecretKey(bytes: try key.serialized(passphrase: "subkey pass"))
        let subkey = try #require(key.certificate.subkeys.first)
        let mixed = SecretKey(
            certificate: key.certificate,
            secrets: [
                key.fingerprint: try #require(primaryLocked.secrets[key.fingerprint]),
                subkey.fingerprint: try #require(subkeyLocked.secrets[subkey.fingerprint]),
            ])
        let script = ScriptedPassphrases(["primary pass", "wrong", "subkey pass"])
        let unlocked = try await mixed.unlocked(using: script.provider)
        #expect(!unlocked.isLocked)
        let requests = await script.requests
        #expect(requests.map(\.fingerprint) == [key.fingerprint, subkey.fingerprint, subkey.fingerprint])
        #expect(requests.map(\.keyID) == [key.certificate.keyID, subkey.keyID, subkey.keyID])
        #expect(requests.map(\.attempt) == [1, 1, 2])
        #expect(requests.allSatisfy { $0.primaryFingerprint == key.fingerprint })
    }

    @Test func unprotectedKeyNeverAsks() async throws {
        let key = try SecretKey.generate(userID: "Nia <nia@example.org>")
        let script = ScriptedPassphrases([])
        let unlocked = try await key.unlocked(using: script.provider)
        #expect(!unlocked.isLocked)
        #expect(await script.requests.isEmpty)
    }

    @Test func providerErrorsAndCancellationPropagate() async throws {
        struct Declined: Error {}
        let (_, locked) = try Self.protectedKey()
        await #expect(throws: Declined.self) { try await locked.unlocked { _ in throw Declined() } }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await locked.unlocked { _ in "right" }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
