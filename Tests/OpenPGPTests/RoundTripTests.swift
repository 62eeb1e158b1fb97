import Foundation
import Testing

@testable import OpenPGP

@Suite("Key generation and message round trips")
struct RoundTripTests {
    @Test func generatedKeyIsSelfConsistent() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let certificate = key.certificate
        #expect(certificate.primaryKey.isBound)
        #expect(certificate.primaryUserID?.email == "alice@example.org")
        #expect(certificate.encryptionKeys().count == 1)
        #expect(certificate.signingKeys().map(\.fingerprint) == [certificate.fingerprint])
        #expect(certificate.fingerprint.bytes.count == 20)
    }

    @Test func armoredCertificateRoundTrips() throws {
        let key = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let armored = key.certificate.armored()
        #expect(armored.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----\n"))
        let parsed = try Certificate(armored: armored)
        #expect(parsed == key.certificate)
    }

    @Test func secretKeyRoundTripsWithAndWithoutPassphrase() throws {
        let key = try SecretKey.generate(userID: "Carol <carol@example.org>")
        let clear = try SecretKey(armored: try key.armored())
        #expect(!clear.isLocked)
        let protected = try key.armored(passphrase: "correct horse")
        let locked = try SecretKey(armored: protected)
        #expect(locked.isLocked)
        #expect(throws: OpenPGPError.self) { try SecretKey(armored: protected, passphrase: "wrong") }
        let unlocked = try SecretKey(armored: protected, passphrase: "correct horse")
        #expect(!unlocked.isLocked)
        let message = try OpenPGPMessage.encrypt(Array("hi".utf8), for: [key.certificate])
        #expect(try OpenPGPMessage.decrypt(message, using: [unlocked]).data == Array("hi".utf8))
    }

    @Test func signAndEncryptRoundTrip() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let data = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let message = try OpenPGPMessage.encrypt(data, for: [bob.certificate], signedBy: [alice])
        let result = try OpenPGPMessage.decrypt(message, using: [bob], verifyingWith: [alice.certificate])
        #expect(result.data == data)
        #expect(result.symmetricAlgorithm == .aes256, "Bob's key prefers AES-256")
        #expect(result.compression == .zip)
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.signatures.first?.signerFingerprint == alice.fingerprint)
    }
}
