/// Building key blocks back from validated keys, splitting keyrings key by key, and merging
/// two copies of one key.
extension KeyBlock {
    /// The packets of a validated certificate, with the given secret parts.
    init(certificate: Certificate, secrets: [Fingerprint: SecretKeyPacket]) {
        let primary = certificate.primaryKey
        self.init(
            primary: Component(
                publicKey: primary.packet, secret: secrets[primary.fingerprint], signatures: primary.signatures))
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
            } catch let error as OpenPGPError
                where error.code == .unsupportedVersion || error.code == .unsupportedAlgorithm
            {
                skipped.append(error)
            }
        }
        return (blocks, skipped)
    }

    /// Adds what `other` — another copy of the same primary key — knows: signatures, user IDs
    /// and subkeys not yet present, and secret parts (an unlocked one is preferred).
    mutating func merge(_ other: KeyBlock) {
        var merger = KeyBlockMerger(self)
        merger.add(other)
        self = merger.block
    }
}

/// Merges copies of one key (same primary key) into the first, in time linear in their
/// size: user IDs are found by their bytes, subkeys by fingerprint (computed once each) and
/// signatures in sets. Everything new is appended in the order it is met, as a scan would.
struct KeyBlockMerger {
    /// The merged key.
    private(set) var block: KeyBlock
    private var primarySignatures: Set<SignaturePacket>
    /// The first user ID with these bytes, and the signatures of every user ID.
    private var userIDPositions: [[UInt8]: Int] = [:]
    private var userIDSignatures: [Set<SignaturePacket>] = []
    /// The first subkey with this fingerprint, and the signatures of every subkey.
    private var subkeyPositions: [Fingerprint: Int] = [:]
    private var subkeySignatures: [Set<SignaturePacket>] = []

    init(_ block: KeyBlock) {
        self.block = block
        primarySignatures = Set(block.primary.signatures)
        for (index, entry) in block.userIDs.enumerated() {
            if userIDPositions[entry.raw] == nil { userIDPositions[entry.raw] = index }
            userIDSignatures.append(Set(entry.signatures))
        }
        for (index, component) in block.subkeys.enumerated() {
            let fingerprint = component.publicKey.fingerprint
            if subkeyPositions[fingerprint] == nil { subkeyPositions[fingerprint] = index }
            subkeySignatures.append(Set(component.signatures))
        }
    }

    /// Adds what `other` knows: signatures, user IDs and subkeys not yet present, and secret
    /// parts (an unlocked one is preferred).
    mutating func add(_ other: KeyBlock) {
        block.primary.merge(other.primary, seen: &primarySignatures)
        for entry in other.userIDs {
            if let index = userIDPositions[entry.raw] {
                block.userIDs[index].signatures.appendNew(entry.signatures, seen: &userIDSignatures[index])
            } else {
                userIDPositions[entry.raw] = block.userIDs.count
                userIDSignatures.append(Set(entry.signatures))
                block.userIDs.append(entry)
            }
        }
        for component in other.subkeys {
            let fingerprint = component.publicKey.fingerprint
            if let index = subkeyPositions[fingerprint] {
                block.subkeys[index].merge(component, seen: &subkeySignatures[index])
            } else {
                subkeyPositions[fingerprint] = block.subkeys.count
                subkeySignatures.append(Set(component.signatures))
                block.subkeys.append(component)
            }
        }
    }
}

extension KeyBlock.Component {
    /// Adds `other`'s signatures not in `seen` (this component's), and the better secret part.
    fileprivate mutating func merge(_ other: KeyBlock.Component, seen: inout Set<SignaturePacket>) {
        signatures.appendNew(other.signatures, seen: &seen)
        self = KeyBlock.Component(
            publicKey: publicKey, secret: Self.better(secret, other.secret), signatures: signatures)
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
    /// Appends the signatures not already present; `seen` holds this array's signatures.
    fileprivate mutating func appendNew(_ others: [SignaturePacket], seen: inout Set<SignaturePacket>) {
        for signature in others where seen.insert(signature).inserted { append(signature) }
    }
}
