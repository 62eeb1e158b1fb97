/// OpenPGP packet type identifiers (RFC 9580 §5).
struct PacketTag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let publicKeyEncryptedSessionKey = PacketTag(rawValue: 1)
    static let signature = PacketTag(rawValue: 2)
    static let symmetricKeyEncryptedSessionKey = PacketTag(rawValue: 3)
    static let onePassSignature = PacketTag(rawValue: 4)
    static let secretKey = PacketTag(rawValue: 5)
    static let publicKey = PacketTag(rawValue: 6)
    static let secretSubkey = PacketTag(rawValue: 7)
    static let compressedData = PacketTag(rawValue: 8)
    static let symmetricallyEncryptedData = PacketTag(rawValue: 9)
    static let marker = PacketTag(rawValue: 10)
    static let literalData = PacketTag(rawValue: 11)
    static let trust = PacketTag(rawValue: 12)
    static let userID = PacketTag(rawValue: 13)
    static let publicSubkey = PacketTag(rawValue: 14)
    static let userAttribute = PacketTag(rawValue: 17)
    static let symEncryptedIntegrityProtectedData = PacketTag(rawValue: 18)
    static let modificationDetectionCode = PacketTag(rawValue: 19)
    /// GnuPG's non-standard AEAD Encrypted Data packet (draft-koch-librepgp): read, never written.
    static let aeadEncryptedData = PacketTag(rawValue: 20)
    static let padding = PacketTag(rawValue: 21)

    var description: String {
        switch self {
        case .publicKeyEncryptedSessionKey: "PKESK"
        case .signature: "Signature"
        case .symmetricKeyEncryptedSessionKey: "SKESK"
        case .onePassSignature: "One-Pass Signature"
        case .secretKey: "Secret-Key"
        case .publicKey: "Public-Key"
        case .secretSubkey: "Secret-Subkey"
        case .compressedData: "Compressed Data"
        case .symmetricallyEncryptedData: "Symmetrically Encrypted Data"
        case .marker: "Marker"
        case .literalData: "Literal Data"
        case .trust: "Trust"
        case .userID: "User ID"
        case .publicSubkey: "Public-Subkey"
        case .userAttribute: "User Attribute"
        case .symEncryptedIntegrityProtectedData: "SEIPD"
        case .modificationDetectionCode: "MDC"
        case .aeadEncryptedData: "AEAD Encrypted Data"
        case .padding: "Padding"
        default: "packet type \(rawValue)"
        }
    }
}

/// One packet as framed on the wire: its tag and its whole body (partial-length chunks
/// already joined), plus where it started in the input.
struct RawPacket: Sendable, Hashable {
    let tag: PacketTag
    let body: [UInt8]
    /// Offset of the packet header in the input.
    let offset: Int
    /// Offset of the first body byte in the input (body offsets are exact only without
    /// partial lengths).
    let bodyOffset: Int
    /// Whether the body was sent in partial-length chunks (allowed only for data packets).
    let usedPartialLengths: Bool

    /// The packet re-encoded with a new-format header and a definite length.
    var serialized: [UInt8] { PacketFraming.header(tag: tag, length: body.count) + body }
}

/// Packet headers (RFC 9580 §4.2): parsing both formats, writing the new one.
enum PacketFraming {
    /// Parses every packet in `input`.
    static func parse(_ input: [UInt8], baseOffset: Int = 0) throws -> [RawPacket] {
        var reader = ByteReader(input, baseOffset: baseOffset)
        var packets: [RawPacket] = []
        while !reader.isAtEnd {
            packets.append(try parsePacket(&reader))
        }
        return packets
    }

    private static func parsePacket(_ reader: inout ByteReader) throws -> RawPacket {
        let start = reader.absoluteOffset
        let first = try reader.readByte("a packet header")
        guard first & 0x80 != 0 else {
            throw OpenPGPError(.malformedPacket, "not an OpenPGP packet header (0x\([first].hexString))", offset: start)
        }
        if first & 0x40 != 0 {
            let tag = PacketTag(rawValue: first & 0x3F)
            reader.packetTag = tag.rawValue
            var body: [UInt8] = []
            var partial = false
            var bodyOffset: Int?
            while true {
                let length = try readNewFormatLength(&reader)
                bodyOffset = bodyOffset ?? reader.absoluteOffset
                switch length {
                case .definite(let length):
                    body += try reader.readBytes(length, "the body of a \(tag) packet")
                    reader.packetTag = nil
                    if partial && !tag.allowsPartialLengths {
                        throw OpenPGPError(
                            .malformedPacket, "\(tag) packets may not use partial lengths", offset: start,
                            packetTag: tag.rawValue)
                    }
                    return RawPacket(
                        tag: tag, body: body, offset: start, bodyOffset: bodyOffset ?? start,
                        usedPartialLengths: partial)
                case .partial(let length):
                    if !partial && length < 512 {
                        throw OpenPGPError(
                            .malformedPacket, "the first partial body chunk must be at least 512 bytes", offset: start,
                            packetTag: tag.rawValue)
                    }
                    partial = true
                    body += try reader.readBytes(length, "the body of a \(tag) packet")
                }
            }
        } else {
            let tag = PacketTag(rawValue: (first >> 2) & 0x0F)
            reader.packetTag = tag.rawValue
            let lengthType = first & 0x03
            let length: Int? =
                switch lengthType {
                case 0: Int(try reader.readByte("a length"))
                case 1: Int(try reader.readUInt16("a length"))
                case 2: Int(try reader.readUInt32("a length"))
                default: nil
                }
            let bodyOffset = reader.absoluteOffset
            let body: [UInt8]
            if let length {
                body = try reader.readBytes(length, "the body of a \(tag) packet")
            } else {
                // Indeterminate length: the packet runs to the end of the input.
                guard tag.allowsPartialLengths else {
                    throw OpenPGPError(
                        .malformedPacket, "\(tag) packets may not have an indeterminate length", offset: start,
                        packetTag: tag.rawValue)
                }
                body = reader.readRest()
            }
            reader.packetTag = nil
            return RawPacket(tag: tag, body: body, offset: start, bodyOffset: bodyOffset, usedPartialLengths: false)
        }
    }

    private enum Length {
        case definite(Int)
        case partial(Int)
    }

    private static func readNewFormatLength(_ reader: inout ByteReader) throws -> Length {
        let first = Int(try reader.readByte("a length"))
        switch first {
        case 0..<192:
            return .definite(first)
        case 192..<224:
            let second = Int(try reader.readByte("a length"))
            return .definite(((first - 192) << 8) + second + 192)
        case 255:
            return .definite(Int(try reader.readUInt32("a length")))
        default:
            return .partial(1 << (first & 0x1F))
        }
    }

    /// A new-format header with a definite length.
    static func header(tag: PacketTag, length: Int) -> [UInt8] {
        [0xC0 | tag.rawValue] + encodeLength(length)
    }

    /// A new-format definite body length.
    static func encodeLength(_ length: Int) -> [UInt8] {
        switch length {
        case 0..<192:
            return [UInt8(length)]
        case 192..<8384:
            let value = length - 192
            return [UInt8((value >> 8) + 192), UInt8(value & 0xFF)]
        default:
            var bytes: [UInt8] = [0xFF]
            bytes.appendUInt32(UInt32(length))
            return bytes
        }
    }

    /// A whole packet with a definite length.
    static func packet(tag: PacketTag, body: [UInt8]) -> [UInt8] {
        header(tag: tag, length: body.count) + body
    }
}

extension PacketTag {
    /// Only data-carrying packets may use partial or indeterminate lengths.
    var allowsPartialLengths: Bool {
        self == .literalData || self == .compressedData || self == .symmetricallyEncryptedData
            || self == .symEncryptedIntegrityProtectedData || self == .aeadEncryptedData
    }
}
