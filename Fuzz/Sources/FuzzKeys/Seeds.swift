import Foundation
import FuzzSupport
import OpenPGP

enum KeySeeds {
    static func make() throws -> [String: [UInt8]] {
        var seeds: [String: [UInt8]] = [:]
        for (index, key) in Fixtures.secretKeys.enumerated() {
            seeds["cert-\(index).bin"] = key.certificate.serialized()
            seeds["cert-\(index).asc"] = Array(key.certificate.armored().utf8)
            seeds["secret-\(index).bin"] = try key.serialized()
            seeds["secret-\(index)-protected.bin"] = try key.serialized(passphrase: Fixtures.passphrase)
            seeds["secret-\(index)-protected.asc"] = Array(try key.armored(passphrase: Fixtures.passphrase).utf8)
        }
        // v6 keys of every native type, protected and not, and one without a user ID.
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        for type in [SecretKey.KeyType.curve25519, .curve448, .nistP256] {
            let key = try SecretKey.generate(
                userIDs: ["Fuzz v6 <fuzz6@example.org>"], type: type, version: .v6, creationDate: created)
            seeds["v6-\(type)-cert.bin"] = key.certificate.serialized()
            seeds["v6-\(type)-secret-protected.bin"] = try key.serialized(passphrase: Fixtures.passphrase)
        }
        let anonymous = try SecretKey.generate(userIDs: [], type: .curve25519, version: .v6, creationDate: created)
        seeds["v6-no-user-id.asc"] = Array(try anonymous.armored().utf8)
        seeds["v4-curve448-cert.bin"] =
            try SecretKey.generate(userIDs: ["Fuzz <fuzz@example.org>"], type: .curve448, creationDate: created)
            .certificate.serialized()
        seeds["keyring.bin"] = Fixtures.certificates.flatMap { $0.serialized() }
        seeds["keyring-mixed.bin"] =
            try Fixtures.secretKeys.flatMap { try $0.serialized() } + Fixtures.certificates[0].serialized()
        seeds.merge(boundarySeeds(), uniquingKeysWith: { $1 })
        return seeds
    }

    /// Inputs with fields just below the 16-bit boundaries of the v4 formats: key packets of
    /// an unknown algorithm whose bodies (hashed with a 2-octet length for the fingerprint)
    /// are 65,530 octets, followed by empty trust packets (two octets each, ignored in a key
    /// block) so that a length a few octets longer still parses; and a signature whose
    /// unhashed subpacket area (a 2-octet length) is 65,000 octets. They parse as they are.
    /// libFuzzer does not grow an input past its longest seed (`lim`), so without them those
    /// boundaries are out of reach.
    static func boundarySeeds() -> [String: [UInt8]] {
        let created: [UInt8] = [0x65, 0x53, 0xF1, 0x00]
        let filler = (0..<65_524).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let trailingTrust = Array(repeating: [0xCC, 0x00] as [UInt8], count: 64).flatMap { $0 }
        let trailingUserID = packet(
            tag: 13, Array(String(repeating: "Boundary <boundary@example.org> ", count: 40).utf8))
        let fixture = Fixtures.certificates[0].serialized()
        var seeds: [String: [UInt8]] = [:]
        // A primary key and a subkey of the private/experimental algorithm 100.
        let unknownKeyBody = [4] + created + [100] + filler
        seeds["boundary-unknown-primary.bin"] =
            packet(tag: 6, unknownKeyBody) + trailingTrust
            + packet(tag: 13, Array("Boundary <boundary@example.org>".utf8))
        seeds["boundary-unknown-subkey.bin"] = fixture + packet(tag: 14, unknownKeyBody) + trailingTrust
        // A direct-key signature (EdDSA, SHA-256) with one large unhashed subpacket of the
        // private type 100. It does not verify; it only has to be read and written back.
        var signature: [UInt8] = [4, 0x1F, 22, 8]
        let hashed: [UInt8] = [5, 2] + created
        signature += [0, UInt8(hashed.count)] + hashed
        let large: [UInt8] = [0xFF] + bigEndian(UInt32(64_994 + 1)) + [100] + Array(filler.prefix(64_994))
        signature += [UInt8(large.count >> 8), UInt8(large.count & 0xFF)] + large
        signature += [0x12, 0x34]  // left 16 bits of the hash
        signature += [0x00, 0x08, 0x5A, 0x00, 0x08, 0xA5]  // two one-octet MPIs
        // After the primary key packet (Ed25519: a one-octet length), before the user IDs.
        let primaryEnd = 2 + Int(fixture[1])
        seeds["boundary-unhashed-area.bin"] =
            Array(fixture[..<primaryEnd]) + packet(tag: 2, signature) + Array(fixture[primaryEnd...]) + trailingUserID
        return seeds
    }

    /// A new-format packet with a five-octet length.
    static func packet(tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        [0xC0 | tag, 0xFF] + bigEndian(UInt32(body.count)) + body
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
