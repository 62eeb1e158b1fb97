/// Building key blocks back from validated keys, splitting keyrings key by key, and merging
/// two copies of one key.
extension KeyBlock {
    /// The packets of a validated certificate, with the given secret parts.
    init(certificate: Certificate, secrets: [Fingerprint: SecretKeyPacket]) {
        let primary = certificate.primaryKey
        self.init(
            primary: Component(publicKey: primary.packet, secret: secrets[primary.fingerprint], signatures: primary.signatures))
        userIDs = certificate.userIDs.map { UserIDEntry(raw: $0.raw, signatures: $0.signatures) }
        subkeys = certificate.subkeys.map {
            Component(publicKey: $0.packet, secret: secrets[$0.fingerprint], signatures: $0.signatures)
        }
    }

    /// The primary key's fingerprint.
    var fingerprint: Fingerprint { primary.publicKey.fingerprint }

    /// How many user IDs, subkeys and signatures the block holds (merging only ever adds).
    var packetCount: Int {
        primary.signatures.count + userIDs.reduce(0) { $0 + 1 + $1.signatures.count }
            + subkeys.reduce(0) { $0 + 1 + $1.signatures.count }
    }

    /// The secret parts present, by key fingerprint.
    var secrets: [Fingerprint: SecretKeyPacket] {
        var secrets: [Fingerprint: SecretKeyPacket] = [:]
        for component in [primary] + subkeys {
            if let secret = component.secret { secrets[component.publicKey.fingerprint] = secret }
        }
        return secrets
    }

    /// Parses every key of a packet sequence on its own. Keys this engine cannot read (an
    /// unsupported version or algorithm) are returned as errors instead of failing the whole
    /// keyring; malformed packets still throw.
    static func parseEach(_ packets: [RawPacket]) throws -> (blocks: [KeyBlock], skipped: [OpenPGPError]) {
        var groups: [[RawPacket]] = []
        for packet in packets {
            if packet.tag == .publicKey || packet.tag == .secretKey || groups.isEmpty {
                groups.append([packet])
            } else {
                groups[groups.count - 1].append(packet)
            }
        }
        var blocks: [KeyBlock] = []
        var skipped: [OpenPGPError] = []
        for group in groups {
            do {
                blocks += try parse(group)
            } catch let error as OpenPGPError where error.code == .unsupportedVersion || error.code == .unsupportedAlgorithm {
                skipped.append(error)
            }
        }
        return (blocks, skipped)
    }

    /// Adds what `other` — another copy of the same primary key — knows: signatures, user IDs
    /// and subkeys not yet present, and secret parts (an unlocked one is preferred).
    mutating func merge(_ other: KeyBlock) {
        primary.merge(other.primary)
        for entry in other.userIDs {
            if let index = userIDs.firstIndex(where: { $0.raw == entry.raw }) {
                userIDs[index].signatures.appendNew(entry.signatures)
            } else {
                userIDs.append(entry)
            }
        }
        for component in other.subkeys {
            if let index = subkeys.firstIndex(where: { $0.publicKey.fingerprint == component.publicKey.fingerprint }) {
                subkeys[index].merge(component)
            } else {
                subkeys.append(component)
            }
        }
    }
}

extension KeyBlock.Component {
    fileprivate mutating func merge(_ other: KeyBlock.Component) {
        signatures.appendNew(other.signatures)
        self = KeyBlock.Component(publicKey: publicKey, secret: Self.better(secret, other.secret), signatures: signatures)
    }

    /// The more useful of two secret parts: unlocked over locked, real over a GnuPG stub.
    private static func better(_ a: SecretKeyPacket?, _ b: SecretKeyPacket?) -> SecretKeyPacket? {
        guard let a else { return b }
        guard let b else { return a }
        func rank(_ packet: SecretKeyPacket) -> Int { !packet.isLocked ? 2 : packet.hasSecretMaterial ? 1 : 0 }
        return rank(b) > rank(a) ? b : a
    }
}

extension Array where Element == SignaturePacket {
    /// Appends the signatures not already present.
    fileprivate mutating func appendNew(_ others: [SignaturePacket]) {
        for signature in others where !contains(signature) { append(signature) }
    }
}
