import Foundation
import Testing

@testable import OpenPGP

/// Secret keys protected with AEAD (S2K usage 253, RFC 9580 §5.5.3), Argon2 or iterated S2K.
@Suite("AEAD-protected secret keys")
struct AEADKeyProtectionTests {
    /// A.5: the A.4 key locked with Argon2 and OCB; it opens with the RFC's passphrase to the
    /// A.4 secrets, and the wrong passphrase is `wrongPassphrase`.
    @Test func theA5LockedKeyOpens() throws {
        let armored = try RFC9580Vectors.text("rfc9580-a5-locked-secret.asc")
        let locked = try SecretKey(armored: armored)
        #expect(locked.isLocked)
        #expect(locked.fingerprint.hex == RFC9580Vectors.primaryFingerprint)
        let unlocked = try locked.unlocked(passphrase: "correct horse battery staple")
        let reference = try RFC9580Vectors.secretKey()
        #expect(try unlocked.serialized() == reference.serialized())
        #expect(throws: OpenPGPError.self) { try locked.unlocked(passphrase: "incorrect horse") }
        do {
            _ = try locked.unlocked(passphrase: "incorrect horse")
        } catch let error as OpenPGPError {
            #expect(error.code == .wrongPassphrase)
        }
        // Written back while locked, byte for byte.
        #expect(try locked.serialized() == Armor.decode(armored)[0].data)
        // The unlocked key decrypts the A.8 message.
        let message = try RFC9580Vectors.text("rfc9580-a8-encrypted.asc")
        #expect(try OpenPGPMessage.decrypt(Array(message.utf8), using: [unlocked]).data == Array("Hello, world!".utf8))
    }

    @Test(arguments: [
        (
            SecretKey.KeyVersion.v6, AEADAlgorithm.ocb,
            PassphraseKDF.argon2(passes: 1, parallelism: 1, memoryExponent: 3)
        ),
        (.v6, .gcm, .iteratedAndSalted), (.v4, .eax, .argon2(passes: 2, parallelism: 2, memoryExponent: 5)),
    ])
    func writtenAndReadBack(version: SecretKey.KeyVersion, mode: AEADAlgorithm, kdf: PassphraseKDF) throws {
        let key = try SecretKey.generate(userIDs: ["Locked <locked@example.org>"], type: .curve25519, version: version)
        let armored = try key.armored(passphrase: "sealed", keyProtection: .aead(mode, kdf))
        let locked = try SecretKey(armored: armored)
        #expect(locked.isLocked)
        let unlocked = try locked.unlocked(passphrase: "sealed")
        #expect(try unlocked.serialized() == key.serialized())
        #expect(throws: OpenPGPError.self) { try locked.unlocked(passphrase: "unsealed") }
    }

    /// A flipped bit anywhere in the sealed material, or the packet read as the other packet
    /// type (the associated data binds it), gives `wrongPassphrase`, never a key.
    @Test func tamperingIsDetected() throws {
        let key = try SecretKey.generate(userIDs: ["Locked <locked@example.org>"], type: .curve25519, version: .v6)
        let bytes = try key.serialized(passphrase: "sealed", keyProtection: .aead(.ocb, .iteratedAndSalted))
        // The primary key packet comes first, with a one-octet length.
        let body = Array(bytes[2..<2 + Int(bytes[1])])
        let passphrase = SecureBytes(Array("sealed".utf8))
        #expect(
            try SecretKeyPacket(body: body, offset: 0, tag: .secretKey).unlocked(passphrase: passphrase).isLocked
                == false)
        for index in [body.count - 1, body.count - 20] {
            var tampered = body
            tampered[index] ^= 0x01
            let packet = try SecretKeyPacket(body: tampered, offset: 0, tag: .secretKey)
            #expect(throws: OpenPGPError.self) { try packet.unlocked(passphrase: passphrase) }
        }
        let asSubkey = try SecretKeyPacket(body: body, offset: 0, tag: .secretSubkey)
        #expect(throws: OpenPGPError.self) { try asSubkey.unlocked(passphrase: passphrase) }
    }
}
