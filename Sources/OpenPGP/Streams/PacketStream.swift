/// Reads packets one after another from a stream. Data packets (literal, compressed,
/// encrypted) are not loaded: their body is a ``ByteSource`` that follows partial lengths.
final class PacketStream {
    let input: BufferedSource
    private var current: PacketBodySource?

    init(_ input: BufferedSource) { self.input = input }

    /// The next packet's tag and body, or nil at the end. The previous body is skipped if
    /// its reader did not consume it.
    func next() throws -> (tag: PacketTag, offset: Int, body: PacketBodySource)? {
        if let current { try drain(current) }
        current = nil
        let start = input.offset
        guard let first = try input.readByte() else { return nil }
        guard first & 0x80 != 0 else {
            throw OpenPGPError(.malformedPacket, "not an OpenPGP packet header (0x\([first].hexString))", offset: start)
        }
        let tag: PacketTag
        let length: PacketBodySource.Length
        if first & 0x40 != 0 {
            tag = PacketTag(rawValue: first & 0x3F)
            length = try PacketBodySource.readNewFormatLength(input, tag: tag)
            if case .partial(let size) = length, size < 512 {
                throw OpenPGPError(
                    .malformedPacket, "the first partial body chunk must be at least 512 bytes", offset: start,
                    packetTag: tag.rawValue)
            }
        } else {
            tag = PacketTag(rawValue: (first >> 2) & 0x0F)
            switch first & 0x03 {
            case 0: length = .definite(Int(try input.readExactly(1, "a packet length")[0]))
            case 1:
                let b = try input.readExactly(2, "a packet length")
                length = .definite(Int(b[0]) << 8 | Int(b[1]))
            case 2:
                let b = try input.readExactly(4, "a packet length")
                length = .definite(Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3]))
            default:
                length = .indeterminate
            }
        }
        if length.isStreamed && !tag.allowsPartialLengths {
            throw OpenPGPError(
                .malformedPacket, "\(tag) packets may not have a partial or indeterminate length", offset: start,
                packetTag: tag.rawValue)
        }
        let body = PacketBodySource(input: input, tag: tag, length: length)
        current = body
        return (tag, start, body)
    }
}

/// The body of one packet, read through its partial-length chunks.
final class PacketBodySource: ByteSource {
    enum Length {
        case definite(Int)
        case partial(Int)
        case indeterminate

        var isStreamed: Bool {
            if case .definite = self { return false }
            return true
        }
    }

    let tag: PacketTag
    private let input: BufferedSource
    /// Bytes left in the current chunk.
    private var remaining: Int
    /// Whether more chunks follow the current one.
    private var moreChunks: Bool
    private let indeterminate: Bool

    init(input: BufferedSource, tag: PacketTag, length: Length) {
        self.input = input
        self.tag = tag
        switch length {
        case .definite(let count):
            remaining = count
            moreChunks = false
            indeterminate = false
        case .partial(let count):
            remaining = count
            moreChunks = true
            indeterminate = false
        case .indeterminate:
            remaining = 0
            moreChunks = false
            indeterminate = true
        }
    }

    /// Offset of the next body byte in the enclosing layer.
    var offset: Int { input.offset }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if indeterminate { return try input.read(into: buffer) }
        while remaining == 0 {
            guard moreChunks else { return 0 }
            switch try Self.readNewFormatLength(input, tag: tag) {
            case .definite(let count):
                remaining = count
                moreChunks = false
            case .partial(let count):
                remaining = count
            case .indeterminate:
                throw OpenPGPError(
                    .malformedPacket, "invalid partial length", offset: input.offset, packetTag: tag.rawValue)
            }
        }
        let count = try input.read(
            into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, remaining)]))
        guard count > 0 else {
            throw OpenPGPError(
                .truncatedPacket, "input ends inside the body of a \(tag) packet", offset: input.offset,
                packetTag: tag.rawValue)
        }
        remaining -= count
        return count
    }

    /// Reads exactly `count` bytes from the start of the body (e.g. a version byte).
    func readPrefix(_ count: Int, _ what: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = try out.withUnsafeMutableBytes {
                try self.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
            }
            guard read > 0 else {
                throw OpenPGPError(
                    .truncatedPacket, "input ends inside \(what)", offset: offset, packetTag: tag.rawValue)
            }
            filled += read
        }
        return out
    }

    /// Reads the whole (small) body; for non-data packets.
    func readAll(limit: Int = 1 << 20) throws -> [UInt8] {
        try OpenPGP.readAll(self, limit: limit, what: "a \(tag) packet")
    }

    static func readNewFormatLength(_ input: BufferedSource, tag: PacketTag) throws -> Length {
        guard let first = try input.readByte().map(Int.init) else {
            throw OpenPGPError(
                .truncatedPacket, "input ends inside a packet length", offset: input.offset, packetTag: tag.rawValue)
        }
        switch first {
        case 0..<192:
            return .definite(first)
        case 192..<224:
            let second = Int(try input.readExactly(1, "a packet length")[0])
            return .definite(((first - 192) << 8) + second + 192)
        case 255:
            let b = try input.readExactly(4, "a packet length")
            return .definite(Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3]))
        default:
            return .partial(1 << (first & 0x1F))
        }
    }
}
