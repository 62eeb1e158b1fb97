/// Reads big-endian fields from a byte array, with bounds checks that throw instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// Offset of `bytes[0]` in the whole input, for error messages.
    let baseOffset: Int
    /// Packet tag being read, for error messages.
    var packetTag: UInt8?

    init(_ bytes: [UInt8], baseOffset: Int = 0, packetTag: UInt8? = nil) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.baseOffset = baseOffset
        self.packetTag = packetTag
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }
    var absoluteOffset: Int { baseOffset + position }

    func truncated(_ what: String) -> OpenPGPError {
        OpenPGPError(.truncatedPacket, "input ends inside \(what)", offset: absoluteOffset, packetTag: packetTag)
    }

    func malformed(_ what: String) -> OpenPGPError {
        OpenPGPError(.malformedPacket, what, offset: absoluteOffset, packetTag: packetTag)
    }

    mutating func readByte(_ what: String = "a field") throws -> UInt8 {
        guard position < end else { throw truncated(what) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ what: String = "a field") throws -> UInt16 {
        let b = try readBytes(2, what)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    mutating func readUInt32(_ what: String = "a field") throws -> UInt32 {
        let b = try readBytes(4, what)
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    mutating func readBytes(_ count: Int, _ what: String = "a field") throws -> [UInt8] {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func readRest() -> [UInt8] {
        defer { position = end }
        return Array(bytes[position..<end])
    }

    /// A multiprecision integer (RFC 9580 §3.2): bit count, then the big-endian bytes.
    mutating func readMPI(_ what: String = "an MPI") throws -> [UInt8] {
        let bits = Int(try readUInt16(what))
        return try readBytes((bits + 7) / 8, what)
    }
}

/// Appends big-endian fields to a byte array.
extension Array where Element == UInt8 {
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends an MPI; leading zero bytes are dropped as the encoding requires. Throws
    /// `invalidArgument` for a magnitude longer than the 16-bit bit count can describe.
    mutating func appendMPI(_ magnitude: [UInt8]) throws {
        let trimmed = magnitude.drop { $0 == 0 }
        guard let first = trimmed.first else {
            appendUInt16(0)
            return
        }
        let bits = (trimmed.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        guard let bitCount = UInt16(exactly: bits) else {
            throw OpenPGPError(
                .invalidArgument, "a \(bits)-bit integer does not fit an OpenPGP MPI (at most 65,535 bits)")
        }
        appendUInt16(bitCount)
        append(contentsOf: trimmed)
    }

    /// Appends a one-octet length and `field` (curve OIDs, KDF parameters); throws
    /// `invalidArgument` when `field` is longer than 255 bytes.
    mutating func appendOneOctetLengthField(_ field: [UInt8], _ what: String) throws {
        guard let length = UInt8(exactly: field.count) else {
            throw OpenPGPError(.invalidArgument, "\(what) of \(field.count) bytes does not fit a one-octet length")
        }
        append(length)
        append(contentsOf: field)
    }
}

/// Left-pads a big-endian magnitude with zeros to `count` bytes (MPIs drop leading zeros).
func leftPadded(_ bytes: [UInt8], to count: Int) -> [UInt8]? {
    let trimmed = Array(bytes.drop { $0 == 0 })
    guard trimmed.count <= count else { return nil }
    return [UInt8](repeating: 0, count: count - trimmed.count) + trimmed
}

/// Hexadecimal rendering helpers.
extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Parses hexadecimal text (either case, optional spaces); nil when it is not hex.
func bytes(fromHex text: String) -> [UInt8]? {
    let digits = text.utf8.filter { $0 != UInt8(ascii: " ") }
    guard digits.count % 2 == 0 else { return nil }
    var result: [UInt8] = []
    result.reserveCapacity(digits.count / 2)
    var high: UInt8?
    for digit in digits {
        let value: UInt8
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
        default: return nil
        }
        if let h = high {
            result.append(h << 4 | value)
            high = nil
        } else {
            high = value
        }
    }
    return result
}
