import Foundation
import Testing

@testable import OpenPGP

/// Merging copies of large keys is linear in their size: these shapes took close to a
/// minute when each subkey, user ID and signature was looked up by a scan.
@Suite("Linear merging of large keys")
struct LinearMergingTests {
    /// A generated key's packets followed by `subkeys` extra (unbound) subkey packets, told
    /// apart by their creation times, numbered from `first`.
    static func bigKey(_ key: SecretKey, subkeys: Range<Int>) throws -> [UInt8] {
        let template = key.certificate.subkeys[0].packet
        var bytes = key.certificate.serialized()
        for index in subkeys {
            let packet = try PublicKeyPacket(
                creationTime: template.creationTime + 1 + UInt32(index), algorithm: template.algorithm,
                parameters: template.parameters)
            bytes += PacketFraming.packet(tag: .publicSubkey, body: packet.body)
        }
        return bytes
    }

    @Test func aKeyWithTenThousandSubkeysMergedTwice() throws {
        let key = try SecretKey.generate(userID: "Big <big@example.org>")
        let bytes = try Self.bigKey(key, subkeys: 0..<10_000)
        let keyring = try Keyring(bytes: bytes + bytes)
        #expect(keyring.count == 1)
        let certificate = try #require(keyring.certificates.first)
        #expect(certificate.subkeys.count == 10_001)
        // Nothing new in the second copy: the same packets in the same order.
        #expect(certificate.serialized() == bytes)
        // Lookups compare fingerprints computed once, not hashed again per component and lookup.
        #expect(certificate.subkeys.suffix(1_000).allSatisfy { certificate.component(with: $0.keyID) == $0 })

        // Overlapping halves merge into every subkey once, in first-seen order.
        let first = try Self.bigKey(key, subkeys: 0..<6_000)
        let second = try Self.bigKey(key, subkeys: 4_000..<10_000)
        var merged = try Keyring(bytes: first)
        try merged.formUnion(Keyring(bytes: second))
        #expect(merged.certificates.first?.serialized() == bytes)
        #expect(
            try Keyring(bytes: second + first).certificates.first?.subkeys.map(\.packet.creationTime)
                == [key.certificate.subkeys[0].packet.creationTime]
                + (4_000..<10_000).map { key.certificate.subkeys[0].packet.creationTime + 1 + UInt32($0) }
                + (0..<4_000).map { key.certificate.subkeys[0].packet.creationTime + 1 + UInt32($0) })
    }

    @Test func aUserIDWithTenThousandCertificationsMergedTwice() throws {
        let key = try SecretKey.generate(userID: "Popular <popular@example.org>")
        let userID = try #require(key.certificate.userIDs.first)
        // Third-party certifications (by unknown keys: kept, not checked), all different.
        let certifications = try (0..<10_000).map { index in
            try SignaturePacket(
                type: .genericCertification, publicKeyAlgorithm: .eddsaLegacy, hashAlgorithm: .sha256,
                hashedSubpackets: [.creationTime(1_700_000_000 + UInt32(index))],
                unhashedSubpackets: [.issuerKeyID(KeyID(bytes: secureRandomBytes(8)))], hashPrefix: [0, 0],
                signatureValues: [[1], [2]])
        }
        let certificate = key.certificate.serialized()
        let userIDPacket = PacketFraming.packet(tag: .userID, body: userID.raw)
        let copy =
            PacketFraming.packet(tag: .publicKey, body: key.certificate.primaryKey.packet.body) + userIDPacket
            + certifications.flatMap(\.serialized)
        let keyring = try Keyring(bytes: certificate + copy + copy)
        let merged = try #require(keyring.certificates.first?.userIDs.first)
        #expect(merged.signatures.count == userID.signatures.count + 10_000)
        #expect(Array(merged.signatures.suffix(10_000)) == certifications)
    }
}
