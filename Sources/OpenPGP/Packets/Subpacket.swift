/// A signature subpacket (RFC 9580 §5.2.3.7): a type, a critical bit and a body.
struct Subpacket: Sendable, Hashable {
    struct Kind: RawRepresentable, Hashable, Sendable {
        let rawValue: UInt8
        static let signatureCreationTime = Kind(rawValue: 2)
        static let signatureExpirationTime = Kind(rawValue: 3)
        static let exportableCertification = Kind(rawValue: 4)
        static let trustSignature = Kind(rawValue: 5)
        static let regularExpression = Kind(rawValue: 6)
        static let revocable = Kind(rawValue: 7)
        static let keyExpirationTime = Kind(rawValue: 9)
        static let preferredSymmetricAlgorithms = Kind(rawValue: 11)
        static let revocationKey = Kind(rawValue: 12)
        static let issuerKeyID = Kind(rawValue: 16)
        static let notationData = Kind(rawValue: 20)
        static let preferredHashAlgorithms = Kind(rawValue: 21)
        static let preferredCompressionAlgorithms = Kind(rawValue: 22)
        static let keyServerPreferences = Kind(rawValue: 23)
        static let preferredKeyServer = Kind(rawValue: 24)
        static let primaryUserID = Kind(rawValue: 25)
        static let policyURI = Kind(rawValue: 26)
        static let keyFlags = Kind(rawValue: 27)
        static let signersUserID = Kind(rawValue: 28)
        static let reasonForRevocation = Kind(rawValue: 29)
        static let features = Kind(rawValue: 30)
        static let signatureTarget = Kind(rawValue: 31)
        static let embeddedSignature = Kind(rawValue: 32)
        static let issuerFingerprint = Kind(rawValue: 33)
        static let intendedRecipientFingerprint = Kind(rawValue: 35)
        static let preferredAEADCiphersuites = Kind(rawValue: 39)

        /// Subpacket types this engine understands; an unknown one marked critical
        /// invalidates its signature (RFC 9580 §5.2.3.7).
        var isKnown: Bool {
            [2, 3, 4, 5, 6, 7, 9, 11, 12, 16, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 39].contains(
                rawValue)
        }
    }

    let kind: Kind
    let isCritical: Bool
    let body: [UInt8]

    init(_ kind: Kind, _ body: [UInt8], critical: Bool = false) {
        self.kind = kind
        self.body = body
        self.isCritical = critical
    }

    var serialized: [UInt8] {
        PacketFraming.encodeLength(body.count + 1) + [kind.rawValue | (isCritical ? 0x80 : 0)] + body
    }

    /// Parses a subpacket area.
    static func parseArea(_ area: [UInt8], baseOffset: Int) throws -> [Subpacket] {
        var reader = ByteReader(area, baseOffset: baseOffset, packetTag: PacketTag.signature.rawValue)
        var subpackets: [Subpacket] = []
        while !reader.isAtEnd {
            let first = Int(try reader.readByte("a subpacket length"))
            let length: Int
            switch first {
            case 0..<192: length = first
            case 192..<255: length = ((first - 192) << 8) + Int(try reader.readByte("a subpacket length")) + 192
            default: length = Int(try reader.readUInt32("a subpacket length"))
            }
            guard length >= 1 else { throw reader.malformed("empty signature subpacket") }
            let typeByte = try reader.readByte("a subpacket type")
            let body = try reader.readBytes(length - 1, "a subpacket body")
            subpackets.append(Subpacket(Kind(rawValue: typeByte & 0x7F), body, critical: typeByte & 0x80 != 0))
        }
        return subpackets
    }

    // MARK: Typed constructors

    static func creationTime(_ time: UInt32) -> Subpacket {
        var body: [UInt8] = []
        body.appendUInt32(time)
        return Subpacket(.signatureCreationTime, body, critical: true)
    }

    static func keyExpiration(_ seconds: UInt32) -> Subpacket {
        var body: [UInt8] = []
        body.appendUInt32(seconds)
        return Subpacket(.keyExpirationTime, body, critical: true)
    }

    /// The issuer fingerprint, with its key version (6 for a 32-byte fingerprint, else 4).
    static func issuer(_ fingerprint: Fingerprint) -> Subpacket {
        Subpacket(.issuerFingerprint, [fingerprint.bytes.count == 32 ? 6 : 4] + fingerprint.bytes)
    }

    static func issuerKeyID(_ keyID: KeyID) -> Subpacket {
        Subpacket(.issuerKeyID, keyID.bytes)
    }

    static func keyFlags(_ flags: KeyFlags) -> Subpacket {
        Subpacket(.keyFlags, flags.encoded, critical: true)
    }
}

/// What a key may be used for (RFC 9580 §5.2.3.29).
public struct KeyFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let certify = KeyFlags(rawValue: 0x01)
    public static let sign = KeyFlags(rawValue: 0x02)
    public static let encryptCommunications = KeyFlags(rawValue: 0x04)
    public static let encryptStorage = KeyFlags(rawValue: 0x08)
    public static let splitKey = KeyFlags(rawValue: 0x10)
    public static let authenticate = KeyFlags(rawValue: 0x20)
    public static let groupKey = KeyFlags(rawValue: 0x80)

    /// Either kind of encryption.
    public static let encrypt: KeyFlags = [.encryptCommunications, .encryptStorage]

    init(subpacketBody: [UInt8]) {
        var value: UInt16 = 0
        if let first = subpacketBody.first { value |= UInt16(first) }
        if subpacketBody.count > 1 { value |= UInt16(subpacketBody[1]) << 8 }
        rawValue = value
    }

    var encoded: [UInt8] {
        rawValue > 0xFF ? [UInt8(rawValue & 0xFF), UInt8(rawValue >> 8)] : [UInt8(rawValue)]
    }
}
