/// The type of a signature (RFC 9580 §5.2.1).
public struct SignatureType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let binary = SignatureType(rawValue: 0x00)
    public static let text = SignatureType(rawValue: 0x01)
    public static let standalone = SignatureType(rawValue: 0x02)
    public static let genericCertification = SignatureType(rawValue: 0x10)
    public static let personaCertification = SignatureType(rawValue: 0x11)
    public static let casualCertification = SignatureType(rawValue: 0x12)
    public static let positiveCertification = SignatureType(rawValue: 0x13)
    public static let subkeyBinding = SignatureType(rawValue: 0x18)
    public static let primaryKeyBinding = SignatureType(rawValue: 0x19)
    public static let directKey = SignatureType(rawValue: 0x1F)
    public static let keyRevocation = SignatureType(rawValue: 0x20)
    public static let subkeyRevocation = SignatureType(rawValue: 0x28)
    public static let certificationRevocation = SignatureType(rawValue: 0x30)
    public static let timestamp = SignatureType(rawValue: 0x40)
    public static let thirdPartyConfirmation = SignatureType(rawValue: 0x50)

    /// Whether this is one of the four user ID certification types.
    public var isCertification: Bool { (0x10...0x13).contains(rawValue) }

    public var description: String { "0x" + [rawValue].hexString }
}

/// A version 4 or 6 signature packet (RFC 9580 §5.2.3).
///
/// A parsed signature keeps its body exactly as read: hashing and writing it out again use
/// those bytes, never a re-encoding (a re-encoded subpacket area can grow past the 16-bit
/// length field, and an unhashed area is not covered by the signature, so anyone may pad it).
struct SignaturePacket: Sendable, Hashable {
    let version: UInt8
    let type: SignatureType
    let publicKeyAlgorithm: PublicKeyAlgorithm
    let hashAlgorithm: HashAlgorithm
    /// The hashed subpacket area exactly as serialised: it is part of the signed data.
    let hashedArea: [UInt8]
    let hashedSubpackets: [Subpacket]
    let unhashedSubpackets: [Subpacket]
    /// The left 16 bits of the signed hash.
    let hashPrefix: [UInt8]
    /// The salt of a v6 signature, hashed before the signed data; empty for v4.
    let salt: [UInt8]
    /// The algorithm-specific signature values (MPIs, or one native field), in order.
    let signatureValues: [[UInt8]]
    /// The packet body as parsed, or as written for a new signature.
    let body: [UInt8]

    /// The largest subpacket area a v4 signature's two-octet length field can describe.
    static let maxSubpacketAreaLength = Int(UInt16.max)

    /// A new signature, v4 or (with a salt of the hash's ``HashAlgorithm/v6SaltSize``) v6.
    /// Throws `invalidArgument` when a subpacket area does not fit its length field.
    init(
        version: UInt8 = 4, type: SignatureType, publicKeyAlgorithm: PublicKeyAlgorithm, hashAlgorithm: HashAlgorithm,
        hashedSubpackets: [Subpacket], unhashedSubpackets: [Subpacket], hashPrefix: [UInt8], salt: [UInt8] = [],
        signatureValues: [[UInt8]]
    ) throws {
        guard version == 4 ? salt.isEmpty : version == 6 && salt.count == hashAlgorithm.v6SaltSize else {
            throw OpenPGPError(
                .invalidArgument,
                "a version \(version) signature with \(hashAlgorithm) cannot have a salt of \(salt.count) bytes")
        }
        self.version = version
        self.type = type
        self.publicKeyAlgorithm = publicKeyAlgorithm
        self.hashAlgorithm = hashAlgorithm
        self.hashedSubpackets = hashedSubpackets
        self.unhashedSubpackets = unhashedSubpackets
        self.hashPrefix = hashPrefix
        self.salt = salt
        // MPIs carry no leading zero bytes: store them as they will read back.
        let values =
            publicKeyAlgorithm.signatureValuesAreMPIs
            ? signatureValues.map { Array($0.drop { $0 == 0 }) } : signatureValues
        self.signatureValues = values

        let hashedArea = hashedSubpackets.flatMap(\.serialized)
        let unhashedArea = unhashedSubpackets.flatMap(\.serialized)
        let limit = version == 6 ? Int(UInt32.max) : Self.maxSubpacketAreaLength
        guard hashedArea.count <= limit, unhashedArea.count <= limit else {
            throw OpenPGPError(
                .invalidArgument,
                "a signature subpacket area of \(max(hashedArea.count, unhashedArea.count)) bytes is larger than \(limit) bytes"
            )
        }
        self.hashedArea = hashedArea
        var body: [UInt8] = [version, type.rawValue, publicKeyAlgorithm.rawValue, hashAlgorithm.rawValue]
        for area in [hashedArea, unhashedArea] {
            // Both fit their length fields (checked above).
            if version == 6 {
                body.appendUInt32(UInt32(truncatingIfNeeded: area.count))
            } else {
                body.appendUInt16(UInt16(truncatingIfNeeded: area.count))
            }
            body += area
        }
        body += hashPrefix
        if version == 6 { body += [UInt8(truncatingIfNeeded: salt.count)] + salt }
        for value in values {
            if publicKeyAlgorithm.signatureValuesAreMPIs { try body.appendMPI(value) } else { body += value }
        }
        self.body = body
    }

    init(body: [UInt8], offset: Int) throws {
        var reader = ByteReader(body, baseOffset: offset, packetTag: PacketTag.signature.rawValue)
        version = try reader.readByte("the signature version")
        guard version == 4 || version == 6 else {
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) signatures are not supported", offset: offset,
                packetTag: PacketTag.signature.rawValue)
        }
        type = SignatureType(rawValue: try reader.readByte("the signature type"))
        publicKeyAlgorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the signature algorithm"))
        hashAlgorithm = HashAlgorithm(rawValue: try reader.readByte("the hash algorithm"))
        let isV6 = version == 6
        func areaLength(_ what: String) throws -> Int {
            let length = isV6 ? Int(exactly: try reader.readUInt32(what)) : Int(try reader.readUInt16(what))
            // Longer than the packet: reading the area reports the truncation.
            return length ?? Int.max
        }
        let hashedLength = try areaLength("the hashed subpacket length")
        let hashedOffset = reader.absoluteOffset
        hashedArea = try reader.readBytes(hashedLength, "the hashed subpackets")
        hashedSubpackets = try Subpacket.parseArea(hashedArea, baseOffset: hashedOffset)
        let unhashedLength = try areaLength("the unhashed subpacket length")
        let unhashedOffset = reader.absoluteOffset
        unhashedSubpackets = try Subpacket.parseArea(
            try reader.readBytes(unhashedLength, "the unhashed subpackets"), baseOffset: unhashedOffset)
        hashPrefix = try reader.readBytes(2, "the hash prefix")
        if version == 6 {
            // A salt of the wrong size for its hash is kept: the signature then fails to verify.
            salt = try reader.readBytes(Int(try reader.readByte("the salt size")), "the salt")
        } else {
            salt = []
        }
        var values: [[UInt8]] = []
        switch publicKeyAlgorithm {
        case .rsaEncryptOrSign, .rsaSignOnly:
            values = [try reader.readMPI("an RSA signature")]
        case .dsa, .ecdsa, .eddsaLegacy:
            values = [try reader.readMPI("signature r"), try reader.readMPI("signature s")]
        case .ed25519:
            values = [try reader.readBytes(Ed25519.signatureSize, "the Ed25519 signature")]
        case .ed448:
            values = [try reader.readBytes(Ed448.signatureSize, "the Ed448 signature")]
        default:
            values = [reader.readRest()]
        }
        signatureValues = values
        self.body = body
    }

    /// The whole packet, framed with a new-format header around ``body``.
    var serialized: [UInt8] {
        PacketFraming.packet(tag: .signature, body: body)
    }

    /// What is hashed after the signed data (RFC 9580 §5.2.4): version, type, algorithms
    /// and the hashed area as they stand in ``body``, then `04 FF` (v4) or `06 FF` (v6) and
    /// their length.
    var hashTrailer: [UInt8] {
        let header = version == 6 ? 8 : 6
        var out = Array(body[..<(header + hashedArea.count)])
        // The body was read from (or made as) one in-memory packet: its length fits 32 bits.
        let length = UInt32(truncatingIfNeeded: out.count)
        out += [version, 0xFF]
        out.appendUInt32(length)
        return out
    }

    /// A hash context for this signature with its salt already hashed (v6); the signed data
    /// goes in next.
    func makeHashContext() throws -> HashContext {
        try HashContext(hashAlgorithm, salt: salt)
    }

    // MARK: Subpacket accessors (hashed area unless noted)

    func hashed(_ kind: Subpacket.Kind) -> Subpacket? {
        hashedSubpackets.last { $0.kind == kind }
    }

    var creationTime: UInt32? {
        guard let body = hashed(.signatureCreationTime)?.body, body.count == 4 else { return nil }
        return UInt32(body[0]) << 24 | UInt32(body[1]) << 16 | UInt32(body[2]) << 8 | UInt32(body[3])
    }

    /// Seconds after creation when the signature expires; nil or 0 means never.
    var signatureExpirationSeconds: UInt32? { uint32(.signatureExpirationTime) }

    /// Seconds after key creation when the key expires; nil or 0 means never.
    var keyExpirationSeconds: UInt32? { uint32(.keyExpirationTime) }

    private func uint32(_ kind: Subpacket.Kind) -> UInt32? {
        guard let body = hashed(kind)?.body, body.count == 4 else { return nil }
        return UInt32(body[0]) << 24 | UInt32(body[1]) << 16 | UInt32(body[2]) << 8 | UInt32(body[3])
    }

    var keyFlags: KeyFlags? { hashed(.keyFlags).map { KeyFlags(subpacketBody: $0.body) } }

    var isPrimaryUserID: Bool { hashed(.primaryUserID)?.body.first.map { $0 != 0 } ?? false }

    var preferredSymmetricAlgorithms: [SymmetricAlgorithm] {
        hashed(.preferredSymmetricAlgorithms)?.body.map(SymmetricAlgorithm.init(rawValue:)) ?? []
    }

    var preferredHashAlgorithms: [HashAlgorithm] {
        hashed(.preferredHashAlgorithms)?.body.map(HashAlgorithm.init(rawValue:)) ?? []
    }

    var preferredCompressionAlgorithms: [CompressionAlgorithm] {
        hashed(.preferredCompressionAlgorithms)?.body.map(CompressionAlgorithm.init(rawValue:)) ?? []
    }

    /// The issuer fingerprint from either area (the unhashed one is a hint only).
    var issuerFingerprint: Fingerprint? {
        let subpacket = hashed(.issuerFingerprint) ?? unhashedSubpackets.last { $0.kind == .issuerFingerprint }
        guard let body = subpacket?.body, body.count == 21 || body.count == 33 else { return nil }
        return Fingerprint(bytes: Array(body.dropFirst()))
    }

    /// The issuer key ID, from either area, or derived from the issuer fingerprint.
    var issuerKeyID: KeyID? {
        let subpacket = hashed(.issuerKeyID) ?? unhashedSubpackets.last { $0.kind == .issuerKeyID }
        if let body = subpacket?.body, body.count == 8 { return KeyID(bytes: body) }
        return issuerFingerprint?.keyID
    }

    /// The Intended Recipient Fingerprint subpackets (hashed area): the keys an encrypted and
    /// signed message was meant for (RFC 9580 §5.2.3.36).
    var intendedRecipients: [Fingerprint] {
        hashedSubpackets.filter { $0.kind == .intendedRecipientFingerprint }.compactMap { subpacket in
            let body = subpacket.body
            guard (body.first == 4 && body.count == 21) || (body.first == 6 && body.count == 33) else { return nil }
            return Fingerprint(bytes: Array(body.dropFirst()))
        }
    }

    /// Embedded signatures (primary key binding back-signatures), from either area.
    var embeddedSignatures: [SignaturePacket] {
        (hashedSubpackets + unhashedSubpackets).filter { $0.kind == .embeddedSignature }.compactMap {
            try? SignaturePacket(body: $0.body, offset: 0)
        }
    }

    /// A critical subpacket this engine does not understand: the signature must be ignored.
    var hasUnknownCriticalSubpacket: Bool {
        hashedSubpackets.contains { $0.isCritical && !$0.kind.isKnown }
    }
}

extension PublicKeyAlgorithm {
    /// Whether this algorithm's signature values are MPIs (all but the native EdDSA ones).
    var signatureValuesAreMPIs: Bool {
        [.rsaEncryptOrSign, .rsaSignOnly, .dsa, .ecdsa, .eddsaLegacy].contains(self)
    }
}

extension HashAlgorithm {
    /// The salt size of a v6 signature made with this hash (RFC 9580 §9.5); nil for a hash v6
    /// signatures do not use.
    var v6SaltSize: Int? {
        switch self {
        case .sha256, .sha224, .sha3_256: 16
        case .sha384: 24
        case .sha512, .sha3_512: 32
        default: nil
        }
    }
}

extension HashContext {
    /// A context that has already hashed `salt` (a v6 signature's salt; nothing for v4).
    convenience init(_ algorithm: HashAlgorithm, salt: [UInt8]) throws {
        try self.init(algorithm)
        if !salt.isEmpty { update(salt) }
    }
}
