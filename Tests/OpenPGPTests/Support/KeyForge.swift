import Foundation

@testable import OpenPGP

/// Makes the self-signatures a generated key does not have (extra user IDs, direct-key
/// signatures, revocations) with the key's own primary secret, as packet bytes to append to
/// or merge with the key.
struct KeyForge {
    let key: SecretKey
    private let signer: SigningKey

    init(_ key: SecretKey) throws {
        self.key = key
        signer = SigningKey(
            publicKey: key.certificate.primaryKey.packet,
            secret: try key.secretParameters(for: key.certificate.primaryKey))
    }

    var primaryPacket: [UInt8] { PacketFraming.packet(tag: .publicKey, body: key.certificate.primaryKey.packet.body) }

    /// A user ID packet and its self-certification, to append after the key's packets.
    func userID(_ text: String, created: Date = Date(), subpackets: [Subpacket] = []) throws -> [UInt8] {
        let raw = Array(text.utf8)
        let signature = try sign(.positiveCertification, created: created, subpackets: subpackets) {
            $0.update(Certificate.userIDHashPrefix(raw))
        }
        return PacketFraming.packet(tag: .userID, body: raw) + signature.serialized
    }

    /// The primary key with a new direct-key signature: merge it with the key.
    func directKey(created: Date = Date(), subpackets: [Subpacket]) throws -> [UInt8] {
        primaryPacket + (try sign(.directKey, created: created, subpackets: subpackets) { _ in }).serialized
    }

    /// The primary key with its revocation: merge it with the key.
    func revocation(_ code: UInt8, _ text: String, created: Date = Date()) throws -> [UInt8] {
        primaryPacket
            + (try sign(.keyRevocation, created: created, subpackets: [reason(code, text)]) { _ in }).serialized
    }

    /// The primary key, one of its user IDs and that user ID's revocation: merge it with the key.
    func userIDRevocation(_ text: String, _ code: UInt8, _ reasonText: String, created: Date = Date()) throws -> [UInt8]
    {
        let raw = Array(text.utf8)
        let signature = try sign(.certificationRevocation, created: created, subpackets: [reason(code, reasonText)]) {
            $0.update(Certificate.userIDHashPrefix(raw))
        }
        return primaryPacket + PacketFraming.packet(tag: .userID, body: raw) + signature.serialized
    }

    /// The primary key, a subkey and the subkey's revocation: merge it with the key.
    func subkeyRevocation(
        _ subkey: KeyComponent, _ code: UInt8, _ text: String, created: Date = Date()
    ) throws -> [UInt8] {
        let signature = try sign(.subkeyRevocation, created: created, subpackets: [reason(code, text)]) {
            $0.update(subkey.packet.hashPrefix)
        }
        return primaryPacket + PacketFraming.packet(tag: .publicSubkey, body: subkey.packet.body) + signature.serialized
    }

    private func reason(_ code: UInt8, _ text: String) -> Subpacket {
        Subpacket(.reasonForRevocation, [code] + Array(text.utf8))
    }

    /// A signature by the primary key over the primary key followed by what `feed` adds.
    private func sign(
        _ type: SignatureType, created: Date, subpackets: [Subpacket], feed: (HashContext) -> Void
    ) throws -> SignaturePacket {
        let primary = key.certificate.primaryKey.packet
        return try signer.makeSignature(
            type: type, hash: .sha256, creationTime: UInt32(created.timeIntervalSince1970),
            extraHashedSubpackets: subpackets
        ) {
            $0.update(primary.hashPrefix)
            feed($0)
        }
    }
}
