import Testing

@testable import OpenPGP

@Suite("libcrypto setup")
struct LibCryptoTests {
    @Test func defaultAndLegacyProvidersAreLoadedOnceFromAnyThread() async throws {
        // Many tasks race to be first; the `static let` initialiser runs once.
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { SymmetricAlgorithm.cast5.isSupported && HashAlgorithm.sha256.isSupported }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
        #expect(LibCrypto.legacyProviderAvailable)
        #expect(SymmetricAlgorithm.blowfish.isSupported)
        #expect(HashAlgorithm.ripemd160.isSupported)
    }

    @Test func hashesMatchKnownAnswers() throws {
        // FIPS 180 "abc" vectors.
        #expect(
            try HashContext.digest(.sha256, Array("abc".utf8)).hexString
                == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
        #expect(
            try HashContext.digest(.sha1, Array("abc".utf8)).hexString == "A9993E364706816ABA3E25717850C26C9CD0D89D")
    }

    @Test func aesKeyWrapMatchesRFC3394() throws {
        // RFC 3394 §4.1: wrap 128 bits of key data with a 128-bit KEK.
        let kek = SecureBytes(try #require(bytes(fromHex: "000102030405060708090A0B0C0D0E0F")))
        let data = SecureBytes(try #require(bytes(fromHex: "00112233445566778899AABBCCDDEEFF")))
        let wrapped = try AESKeyWrap.wrap(data, kek: kek)
        #expect(wrapped.hexString == "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")
        #expect(try AESKeyWrap.unwrap(wrapped, kek: kek) == data)
        var corrupted = wrapped
        corrupted[0] ^= 1
        #expect(throws: OpenPGPError.self) { try AESKeyWrap.unwrap(corrupted, kek: kek) }
    }

    @Test func ed25519MatchesRFC8032TestVector1() throws {
        let seed = SecureBytes(
            try #require(bytes(fromHex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        #expect(
            try Ed25519.publicKey(seed: seed).hexString
                == "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A")
        let signature = try Ed25519.sign([], key: try Ed25519.privateKey(seed: seed))
        #expect(signature.hexString.hasPrefix("E5564300C360AC729086E2CC806E828A84877F1EB8E5D974D873E06522490155"))
    }

    @Test func x25519MatchesRFC7748() throws {
        let alice = SecureBytes(
            try #require(bytes(fromHex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))
        let bobPublic = try #require(bytes(fromHex: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
        #expect(
            try X25519.sharedSecret(key: try X25519.privateKey(secret: alice), peerPublicKey: bobPublic).bytes.hexString
                == "4A5D9D5BA4CE2DE1728E3BF480350F25E07E21C947D19E3376F09B3C1E161742")
    }

    @Test func s2kIteratedAndSaltedIsDeterministic() throws {
        let s2k = S2K(
            kind: .iteratedAndSalted, hashAlgorithm: .sha256, salt: [1, 2, 3, 4, 5, 6, 7, 8], codedCount: 0x60)
        #expect(s2k.byteCount == 65536)
        let passphrase = SecureBytes(Array("hello".utf8))
        let a = try s2k.deriveKey(passphrase: passphrase, keySize: 32)
        let b = try s2k.deriveKey(passphrase: passphrase, keySize: 32)
        #expect(a == b)
        // A 48-byte key needs a second SHA-256 context preloaded with one zero byte.
        let long = try s2k.deriveKey(passphrase: passphrase, keySize: 48)
        #expect(Array(long.bytes.prefix(32)) == a.bytes)
    }
}
