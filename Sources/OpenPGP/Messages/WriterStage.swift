/// One stage of the message writer pipeline: takes bytes, transforms them, passes them on.
/// Stages are used by one task at a time and are not `Sendable`.
protocol WriterStage: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes everything and finishes the stage and all stages after it.
    func finish() throws
}

extension WriterStage {
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// The end of the pipeline: hands bytes to the caller, armoring them first if asked.
final class OutputStage: WriterStage {
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private var armor: ArmorWriter?
    private var buffer: [UInt8] = []

    init(armor: ArmorWriter?, output: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        self.output = output
        self.armor = armor
        if let armor { try armor.begin().withUnsafeBytes(output) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard armor != nil else { return try output(bytes) }
        buffer.removeAll(keepingCapacity: true)
        armor!.write(bytes, into: &buffer)
        if !buffer.isEmpty { try buffer.withUnsafeBytes(output) }
    }

    func finish() throws {
        guard armor != nil else { return }
        buffer.removeAll(keepingCapacity: true)
        armor!.finish(into: &buffer)
        try buffer.withUnsafeBytes(output)
    }
}

/// Frames what it is given as the body of one packet with partial body lengths (RFC 9580
/// §4.2.1.4), so the total length need not be known in advance.
final class PartialLengthStage: WriterStage {
    /// Chunk size: a power of two, at least 512 as the first partial chunk must be.
    static let chunkSize = 1 << 16
    private let next: WriterStage
    private var pending: [UInt8] = []
    private var packetFinished = false

    init(tag: PacketTag, next: WriterStage) throws {
        self.next = next
        pending.reserveCapacity(Self.chunkSize)
        try next.write([0xC0 | tag.rawValue])
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let take = min(Self.chunkSize - pending.count, bytes.count - offset)
            pending += UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take])
            offset += take
            if pending.count == Self.chunkSize {
                // 0xE0 | log2(size) announces a partial chunk of that size.
                try next.write([0xE0 | UInt8(Self.chunkSize.trailingZeroBitCount)])
                try next.write(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Ends this packet (the last chunk has a definite length) and finishes the next stage.
    func finish() throws {
        try finishPacket()
        try next.finish()
    }

    /// Ends this packet but leaves the next stage open, for packets that follow it.
    func finishPacket() throws {
        guard !packetFinished else { return }
        packetFinished = true
        try next.write(PacketFraming.encodeLength(pending.count))
        try next.write(pending)
        pending.removeAll()
    }
}
