import Foundation
import Testing

@testable import OpenPGP

@Suite("RFC 9580 v6 key generation")
struct V6KeyGenerationTests {
    /// Reads `key` back from its serialisation and checks a signature round trip.
    private func checkRoundTrip(_ key: SecretKey) throws {
        let read = try SecretKey(bytes: try key.serialized())
        #expect(read.fingerprint == key.fingerprint)
        #expect(read.certificate.subkeys.map(\.fingerprint) == key.certificate.subkeys.map(\.fingerprint))
        #expect(read.certificate.primaryKey.isBound)
        #expect(read.certificate.subkeys.allSatisfy { $0.isBound })
        let data = Array("round trip".utf8)
        let signature = try OpenPGPMessage.detachedSignature(for: data, by: [read])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: data, with: [key.certificate]).map(\.status) == [.good])
    }

    @Test(arguments: [SecretKey.KeyType.curve25519, .curve448, .nistP256, .nistP384, .nistP521])
    func generatesV6Keys(type: SecretKey.KeyType) throws {
        let key = try SecretKey.generate(userIDs: ["Vic <vic@example.org>"], type: type, version: .v6)
        let certificate = key.certificate
        #expect(certificate.primaryKey.version == 6)
        #expect(certificate.fingerprint.bytes.count == 32)
        #expect(certificate.subkeys.map(\.version) == [6])
        #expect(certificate.primaryUserID?.value == "Vic <vic@example.org>")
        #expect(certificate.encryptionKeys().count == 1)
        switch type {
        case .curve25519: #expect(certificate.components.map(\.algorithm) == [.ed25519, .x25519])
        case .curve448: #expect(certificate.components.map(\.algorithm) == [.ed448, .x448])
        default: #expect(certificate.components.map(\.algorithm) == [.ecdsa, .ecdh])
        }
        // Preferences, flags and features are on a direct-key signature.
        let direct = try #require(certificate.primaryKey.directKeySignature)
        #expect(direct.version == 6)
        #expect(direct.keyFlags == [.certify, .sign])
        #expect(direct.hashedSubpackets.first { $0.kind == .features }?.body == [0x09])
        #expect(direct.hashedSubpackets.first { $0.kind == .preferredAEADCiphersuites }?.body == [9, 2, 7, 2])
        try checkRoundTrip(key)
    }

    @Test func aV6KeyMayHaveNoUserID() throws {
        let key = try SecretKey.generate(userIDs: [], type: .curve25519, version: .v6)
        #expect(key.certificate.userIDs.isEmpty)
        #expect(key.certificate.primaryKey.isBound)
        #expect(key.certificate.signingKeys().count == 1)
        try checkRoundTrip(key)
        #expect(
            errorCode { _ = try SecretKey.generate(userIDs: [], type: .curve25519, version: .v4) } == .invalidArgument)
    }

    @Test func generatesV6RSAKeysOf3072BitsOrMore() throws {
        #expect(
            errorCode { _ = try SecretKey.generate(userIDs: [], type: .rsa(bits: 2048), version: .v6) }
                == .invalidArgument)
        let key = try SecretKey.generate(userIDs: ["Rae <rae@example.org>"], type: .rsa(bits: 3072), version: .v6)
        #expect(key.certificate.primaryKey.version == 6)
        #expect(key.certificate.primaryKey.bitLength == 3072)
        try checkRoundTrip(key)
    }

    @Test func generatesV4Curve448Keys() throws {
        let key = try SecretKey.generate(userIDs: ["Ida <ida@example.org>"], type: .curve448)
        #expect(key.certificate.primaryKey.version == 4)
        #expect(key.certificate.fingerprint.bytes.count == 20)
        #expect(key.certificate.components.map(\.algorithm) == [.ed448, .x448])
        // v4 keys keep announcing SEIPDv1 only, and have no direct-key signature.
        #expect(key.certificate.primaryKey.directKeySignature == nil)
        let certification = try #require(key.certificate.primaryUserID?.selfSignature)
        #expect(certification.version == 4)
        #expect(certification.hashAlgorithm == .sha512)
        #expect(certification.hashedSubpackets.first { $0.kind == .features }?.body == [0x01])
        try checkRoundTrip(key)
    }
}
