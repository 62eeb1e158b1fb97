import Testing

@testable import OpenPGP

@Suite("Argon2 S2K in secret keys")
struct Argon2SecretKeyTests {
    /// RFC 9580 §3.7.2.1: Argon2 only with AEAD (usage 253); usage 254 or 255 with Argon2 is
    /// malformed.
    @Test func secretKeysWithArgon2OutsideAEADAreMalformed() throws {
        let key = try SecretKey.generate(userID: "Argon2 <argon2@example.org>")
        let body = try PacketFraming.parse(try key.serialized(passphrase: "secret"))[0].body
        let usageOffset = try SecretKeyPacket(body: body, offset: 0, tag: .secretKey).publicKey.body.count
        for usage: UInt8 in [254, 255] {
            let changed =
                Array(body[..<usageOffset]) + [usage, SymmetricAlgorithm.aes256.rawValue]
                + S2K.argon2(.recommended).serialized + [UInt8](repeating: 7, count: 16 + 40)
            let error = try #require(throws: OpenPGPError.self) {
                try SecretKeyPacket(body: changed, offset: 12, tag: .secretKey)
            }
            #expect(error.code == .malformedPacket, "usage \(usage)")
            #expect(error.offset == 12)
        }
        // Nor is such a key written.
        let unlocked = try SecretKeyPacket(body: body, offset: 0, tag: .secretKey).unlocked(
            passphrase: SecureBytes(Array("secret".utf8)))
        #expect(
            errorCode {
                _ = try unlocked.serializedBody(
                    passphrase: SecureBytes([1]), protection: SecretKeyProtectionSettings(s2kKind: .argon2))
            } == .invalidArgument)
    }
}
