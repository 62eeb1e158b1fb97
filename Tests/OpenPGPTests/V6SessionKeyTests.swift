import Foundation
import Testing

@testable import OpenPGP

@Suite("RFC 9580 native X25519/X448 session keys and PKESK v6")
struct V6SessionKeyTests {
    /// The body of the A.8.1 v6 PKESK packet (after its two header octets).
    static let a81Body = bytes(
        fromHex: """
            06210612c83f1e706f6308fe151a417743a1f033790e93e9978488d1db378da9930885\
            1987cf18d5f1b53f817cce5a004cf393cc8958bddc065f25f84af509b17dd36764\
            18dea355437956617901e06957fbca8a6a47a5b5153e8d3ab7
            """)!
    static let ephemeralSecret = bytes(
        fromHex: "af1e43c0d123efe893a7d4d390f3a761e3fac33dfc7f3edaa830c9011352c779")!
    static let sessionKey = bytes(fromHex: "dd708f6fa1ed65114d68d2343e7c2f1d")!

    @Test func parsesAndDecryptsTheA8PKESK() throws {
        let key = try RFC9580Vectors.secretKey()
        let pkesk = try PKESK.parse(body: Self.a81Body, offset: 2)
        #expect(pkesk.version == 6)
        #expect(pkesk.fingerprint?.hex == RFC9580Vectors.subkeyFingerprint)
        #expect(pkesk.algorithm == .x25519)
        let subkey = try #require(key.certificate.subkeys.first)
        #expect(pkesk.isAddressed(to: subkey))
        #expect(!pkesk.isAddressed(to: key.certificate.primaryKey))
        let (cipher, sessionKey) = try pkesk.decrypt(with: try key.secretParameters(for: subkey), key: subkey.packet)
        #expect(cipher == nil)
        #expect(sessionKey.bytes == Self.sessionKey)
    }

    @Test func reproducesTheA8IntermediateValues() throws {
        let subkey = try #require(try RFC9580Vectors.certificate().subkeys.first).packet
        let agreement = try #require(NativeKeyAgreement(subkey))
        let ephemeral = try X25519.privateKey(secret: SecureBytes(Self.ephemeralSecret))
        let ephemeralPublic = try X25519.publicKey(of: ephemeral)
        #expect(ephemeralPublic.hexString == "87CF18D5F1B53F817CCE5A004CF393CC8958BDDC065F25F84AF509B17DD36764")
        guard case .x25519(let recipient) = subkey.parameters else {
            Issue.record("not an X25519 key")
            return
        }
        let shared = try X25519.sharedSecret(key: ephemeral, peerPublicKey: recipient)
        #expect(shared.bytes.hexString == "67E30E69CDC7BAB2A2680D78ACA46A2F8B6E2AE44D398BDC6F92C5AD4A492514")
        let kek = try agreement.keyEncryptionKey(ephemeral: ephemeralPublic, shared: shared)
        #expect(kek.bytes.hexString == "F66DADCFF64592239B254539B64FF607")
        // Encrypting with the same ephemeral secret gives the packet's fields exactly.
        let fields = try agreement.encrypt(
            sessionKey: SecureBytes(Self.sessionKey), cipher: nil, ephemeralSecret: SecureBytes(Self.ephemeralSecret))
        #expect(fields == Array(Self.a81Body.suffix(from: 36)))
    }

    @Test func makesV6PKESKsForEveryKeyType() throws {
        let v6Keys = try [SecretKey.KeyType.curve25519, .curve448, .nistP256].map {
            try SecretKey.generate(userIDs: [], type: $0, version: .v6)
        }
        let v4Keys = try [SecretKey.KeyType.curve25519, .curve448].map {
            try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: $0)
        }
        for key in v6Keys + v4Keys {
            let subkey = try #require(key.certificate.encryptionKeys().first)
            let sessionKey = SecureBytes.random(count: 32)
            for anonymous in [false, true] {
                let body = try PKESK.makeV6(sessionKey: sessionKey, to: subkey.packet, anonymous: anonymous)
                let pkesk = try PKESK.parse(body: body, offset: 0)
                #expect(pkesk.fingerprint == (anonymous ? nil : subkey.fingerprint))
                #expect(pkesk.isAddressed(to: subkey))
                let secret = try key.secretParameters(for: subkey)
                let (cipher, decrypted) = try pkesk.decrypt(with: secret, key: subkey.packet)
                #expect(cipher == nil)
                #expect(decrypted == sessionKey)
                // A changed wrapped key is the one uniform error.
                var broken = body
                broken[broken.count - 1] ^= 1
                #expect(
                    errorCode {
                        _ = try PKESK.parse(body: broken, offset: 0).decrypt(with: secret, key: subkey.packet)
                    } == .decryptionFailed)
            }
        }
    }

    @Test func v3PKESKsToNativeKeysNameTheCipherInTheClear() throws {
        let key = try SecretKey.generate(userIDs: ["Xena <xena@example.org>"], type: .curve448)
        let subkey = try #require(key.certificate.encryptionKeys().first)
        #expect(subkey.algorithm == .x448)
        let body = try PKESK.makeV3(sessionKey: SecureBytes.random(count: 24), cipher: .aes192, to: subkey.packet)
        // version, key ID, algorithm, 56-byte ephemeral key, length, cipher in the clear.
        #expect(body[10 + 56] == 1 + 32)
        #expect(body[10 + 56 + 1] == SymmetricAlgorithm.aes192.rawValue)
        let (cipher, _) = try PKESK.parse(body: body, offset: 0).decrypt(
            with: try key.secretParameters(for: subkey), key: subkey.packet)
        #expect(cipher == .aes192)
        // Whole messages to a v4 X448 key, signed with its Ed448 key.
        let message = try OpenPGPMessage.encrypt(
            Array("hello".utf8), for: [key.certificate], signedBy: [key], options: MessageOptions(cipher: .aes256))
        let result = try OpenPGPMessage.decrypt(message, using: [key], verifyingWith: [key.certificate])
        #expect(result.data == Array("hello".utf8))
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.decryptionKey == subkey.fingerprint)
    }

    @Test func otherPKESKVersionsAreUnsupported() {
        #expect(errorCode { _ = try PKESK.parse(body: [5, 0, 1], offset: 0) } == .unsupportedVersion)
        #expect(errorCode { _ = try PKESK.parse(body: [6, 0x21, 6, 1, 2], offset: 0) } == .truncatedPacket)
        #expect(errorCode { _ = try PKESK.parse(body: [6, 3, 6, 1, 2, 25], offset: 0) } == .malformedPacket)
    }
}
