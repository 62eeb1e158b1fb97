import Testing

@testable import OpenPGP

@Suite("Secret-key protection: every cipher, S2K and usage")
struct SecretKeyProtectionTests {
    static let ciphers: [SymmetricAlgorithm] = [
        .idea, .tripleDES, .cast5, .blowfish, .aes128, .aes192, .aes256, .twofish, .camellia128, .camellia192,
        .camellia256,
    ]
    static let passphrase = "pässphrase 🔑"

    /// A fresh key protected as `settings` say, and the bytes it was written to.
    static func protectedKey(_ settings: SecretKeyProtectionSettings) throws -> (SecretKey, [UInt8]) {
        let key = try SecretKey.generate(userID: "Protected <protected@example.org>")
        return (key, try key.serialized(passphrase: passphrase, protection: settings))
    }

    /// Reads `bytes` back, unlocks them and checks the secrets are the original ones.
    static func expectUnlocks(_ bytes: [UInt8], original: SecretKey) throws {
        let locked = try SecretKey(bytes: bytes)
        #expect(locked.isLocked)
        // A still-locked key is written back exactly as it came.
        #expect(try locked.serialized() == bytes)
        let unlocked = try SecretKey(bytes: bytes, passphrase: passphrase)
        #expect(!unlocked.isLocked)
        #expect(try unlocked.serialized() == original.serialized())
        let error = try #require(throws: OpenPGPError.self) { try SecretKey(bytes: bytes, passphrase: "wrong") }
        #expect(error.code == .wrongPassphrase)
    }

    @Test(arguments: ciphers)
    func everyCipherWithEveryS2KKind(cipher: SymmetricAlgorithm) throws {
        let forms: [(S2K.Kind, HashAlgorithm, SecretKeyProtectionSettings.Usage)] = [
            (.simple, .sha1, .sha1Check), (.salted, .sha256, .checksum), (.iteratedAndSalted, .sha512, .sha1Check),
            (.iteratedAndSalted, .ripemd160, .checksum), (.salted, .md5, .sha1Check),
        ]
        for (kind, hash, usage) in forms {
            // A small iteration count keeps the matrix fast; the default is tested below.
            let settings = SecretKeyProtectionSettings(
                usage: usage, cipher: cipher, s2kKind: kind, s2kHash: hash, codedCount: 0x10)
            let (key, bytes) = try Self.protectedKey(settings)
            try Self.expectUnlocks(bytes, original: key)
        }
    }

    @Test(arguments: ciphers)
    func legacyUsageOctetNamesTheCipher(cipher: SymmetricAlgorithm) throws {
        let (key, bytes) = try Self.protectedKey(SecretKeyProtectionSettings(usage: .legacy, cipher: cipher))
        let packets = try PacketFraming.parse(bytes)
        let primary = try SecretKeyPacket(body: packets[0].body, offset: 0, tag: .secretKey)
        guard case .encrypted(let usage, let parsedCipher, let s2k, let iv) = primary.protection else {
            Issue.record("the key is not protected")
            return
        }
        #expect(usage == cipher.rawValue)
        #expect(parsedCipher == cipher)
        #expect(s2k == .legacyMD5)
        #expect(iv.count == cipher.blockSize)
        // The usage octet is followed directly by the IV: no S2K specifier.
        #expect(packets[0].body[primary.publicKey.body.count] == cipher.rawValue)
        #expect(Array(packets[0].body[(primary.publicKey.body.count + 1)...].prefix(iv.count)) == iv)
        try Self.expectUnlocks(bytes, original: key)
    }

    @Test func defaultProtectionIsAES256IteratedSHA256() throws {
        let key = try SecretKey.generate(userID: "Default <default@example.org>")
        let bytes = try key.serialized(passphrase: Self.passphrase)
        let packet = try SecretKeyPacket(body: try PacketFraming.parse(bytes)[0].body, offset: 0, tag: .secretKey)
        guard case .encrypted(let usage, let cipher, let s2k, _) = packet.protection else {
            Issue.record("the key is not protected")
            return
        }
        #expect(usage == 254)
        #expect(cipher == .aes256)
        #expect(s2k.kind == .iteratedAndSalted && s2k.hashAlgorithm == .sha256 && s2k.codedCount == 0xF0)
        try Self.expectUnlocks(bytes, original: key)
    }

    @Test func aeadAndUnknownUsageOctetsAreTypedErrors() throws {
        let (_, bytes) = try Self.protectedKey(SecretKeyProtectionSettings(usage: .legacy, cipher: .aes128))
        let body = try PacketFraming.parse(bytes)[0].body
        let usageOffset = try SecretKeyPacket(body: body, offset: 0, tag: .secretKey).publicKey.body.count
        for usage: UInt8 in [253, 100, 5, 6] {
            var changed = body
            changed[usageOffset] = usage
            let error = try #require(throws: OpenPGPError.self) {
                try SecretKeyPacket(body: changed, offset: 7, tag: .secretKey)
            }
            #expect(error.code == .unsupportedAlgorithm, "usage \(usage)")
        }
        // Truncated before the end of the IV.
        let error = try #require(throws: OpenPGPError.self) {
            try SecretKeyPacket(body: Array(body.prefix(usageOffset + 5)), offset: 0, tag: .secretKey)
        }
        #expect(error.code == .truncatedPacket)
    }

    @Test func s2kKindsDeriveTheSpecifiedKeys() throws {
        let passphrase = SecureBytes(Array("hello".utf8))
        // Simple MD5 (the legacy derivation): MD5("hello"), RFC 1321 style known answer.
        #expect(
            try S2K.legacyMD5.deriveKey(passphrase: passphrase, keySize: 16).bytes.hexString
                == "5D41402ABC4B2A76B9719D911017C592")
        // Salted SHA-1 for a 24-byte key: H(salt‖P) ‖ first 4 bytes of H(0‖salt‖P) (RFC 9580 §3.7.1).
        let salt: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let salted = S2K(kind: .salted, hashAlgorithm: .sha1, salt: salt, codedCount: 0)
        let expected =
            try HashContext.digest(.sha1, salt, Array("hello".utf8))
            + HashContext.digest(.sha1, [0], salt, Array("hello".utf8)).prefix(4)
        #expect(try salted.deriveKey(passphrase: passphrase, keySize: 24).bytes == expected)
        // Iterated: coded count 0 means 1024 bytes of salt‖P repeated, the last copy cut short.
        let iterated = S2K(kind: .iteratedAndSalted, hashAlgorithm: .sha1, salt: salt, codedCount: 0)
        #expect(iterated.byteCount == 1024)
        let stream = Array(Array(repeating: salt + Array("hello".utf8), count: 79).joined().prefix(1024))
        #expect(
            try iterated.deriveKey(passphrase: passphrase, keySize: 16).bytes
                == Array(try HashContext.digest(.sha1, stream).prefix(16)))
        #expect(S2K.random(kind: .salted, hash: .sha256).salt.count == 8)
        #expect(S2K.random(kind: .simple, hash: .sha256).serialized == [0, 8])
    }
}
