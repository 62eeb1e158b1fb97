import Foundation
import Testing

@testable import OpenPGP

/// The RFC 9580 appendix A vectors, read from Resources.
enum RFC9580Vectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Resources")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// A.3: the v6 Ed25519 certificate with an X25519 subkey.
    static func certificate() throws -> Certificate { try Certificate(armored: try text("rfc9580-a3-cert.asc")) }
    /// A.4: the same key with its (unprotected) secrets.
    static func secretKey() throws -> SecretKey { try SecretKey(armored: try text("rfc9580-a4-secret.asc")) }

    static let primaryFingerprint = "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9"
    static let subkeyFingerprint = "12C83F1E706F6308FE151A417743A1F033790E93E9978488D1DB378DA9930885"
}

@Suite("RFC 9580 v6 keys")
struct V6KeyTests {
    @Test func readsTheA3Certificate() throws {
        let certificate = try RFC9580Vectors.certificate()
        #expect(certificate.fingerprint.hex == RFC9580Vectors.primaryFingerprint)
        #expect(certificate.keyID.hex == "CB186C4F0609A697")
        #expect(certificate.primaryKey.version == 6)
        #expect(certificate.primaryKey.algorithm == .ed25519)
        #expect(certificate.primaryKey.isBound)
        #expect(certificate.primaryKey.flags == [.certify, .sign])
        #expect(certificate.userIDs.isEmpty)
        #expect(certificate.subkeys.map(\.fingerprint.hex) == [RFC9580Vectors.subkeyFingerprint])
        #expect(certificate.subkeys[0].algorithm == .x25519)
        #expect(certificate.subkeys[0].isBound)
        #expect(certificate.encryptionKeys().map(\.fingerprint.hex) == [RFC9580Vectors.subkeyFingerprint])
        #expect(certificate.signingKeys().map(\.fingerprint) == [certificate.fingerprint])
        // Written back byte for byte.
        let binary = try Armor.decode(try RFC9580Vectors.text("rfc9580-a3-cert.asc"))[0].data
        #expect(certificate.serialized() == binary)
    }

    @Test func readsTheA4SecretKey() throws {
        let key = try RFC9580Vectors.secretKey()
        #expect(!key.isLocked)
        #expect(key.fingerprint.hex == RFC9580Vectors.primaryFingerprint)
        // Unprotected v6 secrets carry no checksum: the packets are written back unchanged.
        let binary = try Armor.decode(try RFC9580Vectors.text("rfc9580-a4-secret.asc"))[0].data
        #expect(try key.serialized() == binary)
        let subkey = try #require(key.certificate.subkeys.first)
        let secret = try key.secretParameters(for: subkey)
        guard case .native(let scalar, _) = secret else {
            Issue.record("the X25519 secret is not native")
            return
        }
        #expect(scalar.bytes.hexString == "4D600A4F794D44775C57A26E0FEEFED558E9AFFFD6AD0D582D57FB2BA2DCEDB8")
    }

    @Test func protectsAndUnlocksAV6SecretKey() throws {
        let key = try RFC9580Vectors.secretKey()
        let locked = try SecretKey(bytes: try key.serialized(passphrase: "correct horse"))
        #expect(locked.isLocked)
        #expect(
            errorCode { _ = try locked.unlocked(passphrase: "wrong") } == .wrongPassphrase)
        let unlocked = try locked.unlocked(passphrase: "correct horse")
        #expect(try unlocked.serialized() == (try key.serialized()))
        // The usage octet 254 is followed by the count of the S2K fields (cipher, S2K length,
        // S2K, IV) and the S2K length.
        let packet = try #require(locked.secrets[key.fingerprint])
        let body = try packet.serializedBody(passphrase: nil)
        let publicLength = key.certificate.primaryKey.packet.body.count
        #expect(body[publicLength] == 254)
        guard case .encrypted(_, _, let s2k, let iv) = packet.protection else {
            Issue.record("not protected")
            return
        }
        #expect(Int(body[publicLength + 1]) == 2 + s2k.serialized.count + iv.count)
        #expect(Int(body[publicLength + 3]) == s2k.serialized.count)
    }

    @Test func v6KeyMaterialIsBoundedByItsLength() throws {
        let primary = try RFC9580Vectors.certificate().primaryKey.packet
        func parse(_ body: [UInt8]) -> OpenPGPError.Code? {
            errorCode {
                _ = try Certificate(bytes: PacketFraming.packet(tag: .publicKey, body: body))
            }
        }
        // The length says more than the packet holds.
        var long = primary.body
        long[9] = 0x21
        #expect(parse(long) == .truncatedPacket)
        // The length says more than Ed25519 needs.
        var extra = primary.body + [0]
        extra[9] = 0x21
        #expect(parse(extra) == .malformedPacket)
        // A huge length never traps or allocates.
        var huge = primary.body
        huge.replaceSubrange(6..<10, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(parse(huge) == .truncatedPacket)
        // EdDSALegacy is not allowed in a v6 key.
        var legacy: [UInt8] = [6, 0, 0, 0, 1, 22, 0, 0, 0, 46, 9] + Curve.ed25519.oid
        legacy += [0x01, 0x07, 0x40] + [UInt8](repeating: 1, count: 32)
        legacy[9] = UInt8(legacy.count - 10)
        #expect(parse(legacy) == .malformedPacket)
        // An unknown algorithm keeps its material, exactly delimited.
        var reader = ByteReader([6, 0, 0, 0, 1, 99, 0, 0, 0, 3, 7, 8, 9, 0xAA])
        let unknown = try PublicKeyPacket(reading: &reader)
        #expect(unknown.parameters == .unknown(raw: [7, 8, 9]))
        #expect(reader.remaining == 1)
        #expect(unknown.fingerprint.bytes.count == 32)
    }

    @Test func v6FingerprintHashesAFourOctetLength() throws {
        let primary = try RFC9580Vectors.certificate().primaryKey.packet
        var prefix: [UInt8] = [0x9B, 0, 0, 0, UInt8(primary.body.count)]
        prefix += primary.body
        #expect(primary.hashPrefix == prefix)
        #expect(primary.fingerprint.bytes == (try HashContext.digest(.sha256, prefix)))
    }

    @Test func paddingPacketsAreIgnored() throws {
        let padding = PacketFraming.packet(tag: .padding, body: secureRandomBytes(40))
        let binary = try Armor.decode(try RFC9580Vectors.text("rfc9580-a3-cert.asc"))[0].data
        let certificate = try Certificate(bytes: padding + binary + padding)
        #expect(certificate.fingerprint.hex == RFC9580Vectors.primaryFingerprint)
        #expect(certificate.subkeys.allSatisfy { $0.isBound })
        let message = try Armor.decode(try RFC9580Vectors.text("rfc9580-a7-inline.asc"))[0].data
        let result = try OpenPGPMessage.decrypt(message + padding, using: [], verifyingWith: [certificate])
        #expect(result.signatures.map(\.status) == [.good])
    }

    @Test func versionsOtherThan4And6AreStillUnsupported() {
        let v5 = PacketFraming.packet(
            tag: .publicKey, body: [5, 0, 0, 0, 1, 27, 0, 0, 0, 32] + [UInt8](repeating: 1, count: 32))
        #expect(errorCode { _ = try Certificate(bytes: v5) } == .unsupportedVersion)
    }
}
