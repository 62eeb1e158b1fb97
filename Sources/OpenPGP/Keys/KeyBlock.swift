/// The packets of one transferable key (RFC 9580 §10.1), grouped but not yet validated.
struct KeyBlock: Sendable {
    struct Component: Sendable {
        let publicKey: PublicKeyPacket
        let secret: SecretKeyPacket?
        var signatures: [SignaturePacket] = []
    }

    struct UserIDEntry: Sendable {
        let raw: [UInt8]
        var signatures: [SignaturePacket] = []
    }

    var primary: Component
    var userIDs: [UserIDEntry] = []
    var subkeys: [Component] = []

    /// Splits a packet sequence (a keyring) into key blocks. Unknown packets and user
    /// attributes are skipped; trust and marker packets are ignored.
    static func parse(_ packets: [RawPacket]) throws -> [KeyBlock] {
        var blocks: [KeyBlock] = []
        // Where signatures currently attach: 0 = primary, 1 = last user ID, 2 = last subkey, 3 = skipped.
        var target = 0
        for packet in packets {
            switch packet.tag {
            case .publicKey, .secretKey:
                let component = try makeComponent(packet)
                blocks.append(KeyBlock(primary: component))
                target = 0
            case .publicSubkey, .secretSubkey:
                guard !blocks.isEmpty else { throw orphan(packet) }
                blocks[blocks.count - 1].subkeys.append(try makeComponent(packet))
                target = 2
            case .userID:
                guard !blocks.isEmpty else { throw orphan(packet) }
                blocks[blocks.count - 1].userIDs.append(UserIDEntry(raw: packet.body))
                target = 1
            case .userAttribute:
                guard !blocks.isEmpty else { throw orphan(packet) }
                target = 3
            case .signature:
                guard !blocks.isEmpty else { throw orphan(packet) }
                let signature: SignaturePacket
                do {
                    signature = try SignaturePacket(body: packet.body, offset: packet.bodyOffset)
                } catch let error as OpenPGPError
                    where error.code == .unsupportedVersion || error.code == .unsupportedAlgorithm
                {
                    continue  // e.g. a v3 or v5 signature from another implementation: ignore it
                }
                let last = blocks.count - 1
                switch target {
                case 0: blocks[last].primary.signatures.append(signature)
                case 1: blocks[last].userIDs[blocks[last].userIDs.count - 1].signatures.append(signature)
                case 2: blocks[last].subkeys[blocks[last].subkeys.count - 1].signatures.append(signature)
                default: break
                }
            case .trust, .marker, .padding:
                continue
            default:
                throw OpenPGPError(
                    .unexpectedPacket, "a \(packet.tag) packet cannot appear in a key", offset: packet.offset,
                    packetTag: packet.tag.rawValue)
            }
        }
        return blocks
    }

    private static func orphan(_ packet: RawPacket) -> OpenPGPError {
        OpenPGPError(
            .malformedPacket, "a \(packet.tag) packet comes before any primary key", offset: packet.offset,
            packetTag: packet.tag.rawValue)
    }

    private static func makeComponent(_ packet: RawPacket) throws -> Component {
        if packet.tag == .secretKey || packet.tag == .secretSubkey {
            let secret = try SecretKeyPacket(body: packet.body, offset: packet.bodyOffset, tag: packet.tag)
            return Component(publicKey: secret.publicKey, secret: secret)
        }
        var reader = ByteReader(packet.body, baseOffset: packet.bodyOffset, packetTag: packet.tag.rawValue)
        let publicKey = try PublicKeyPacket(reading: &reader)
        guard reader.isAtEnd else { throw reader.malformed("trailing bytes after the public key") }
        return Component(publicKey: publicKey, secret: nil)
    }
}
