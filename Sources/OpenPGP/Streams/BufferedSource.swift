#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A buffer in front of a ``ByteSource`` that also offers byte-wise reads for headers and
/// knows how far into its input it is.
final class BufferedSource: ByteSource {
    private let source: ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var reachedEnd = false
    /// Bytes handed out so far: the offset of the next byte in this layer's input.
    private(set) var offset = 0

    init(_ source: ByteSource, capacity: Int = 1 << 16) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: capacity)
    }

    /// Makes at least one byte available; false at the end of the input.
    private func fill() throws -> Bool {
        if start < end { return true }
        guard !reachedEnd else { return false }
        start = 0
        end = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if end == 0 { reachedEnd = true }
        return end > 0
    }

    /// The next byte, or nil at the end.
    func readByte() throws -> UInt8? {
        guard try fill() else { return nil }
        defer {
            start += 1
            offset += 1
        }
        return buffer[start]
    }

    /// The next byte without consuming it, or nil at the end.
    func peekByte() throws -> UInt8? {
        guard try fill() else { return nil }
        return buffer[start]
    }

    /// Exactly `count` bytes, or a `truncatedPacket` error naming `what`.
    func readExactly(_ count: Int, _ what: String) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            guard try fill() else {
                throw OpenPGPError(.truncatedPacket, "input ends inside \(what)", offset: offset)
            }
            let take = min(count - out.count, end - start)
            out += buffer[start..<start + take]
            start += take
            offset += take
        }
        return out
    }

    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        guard target.count > 0, try fill() else { return 0 }
        let count = min(target.count, end - start)
        buffer.withUnsafeBytes { source in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<start + count]))
        }
        start += count
        offset += count
        return count
    }

    /// Reads up to and including the next LF, appending the line without its LF to `line`.
    /// False when the input ended before any byte; throws once a line passes `maximumLength`.
    func readLine(into line: inout [UInt8], maximumLength: Int) throws -> Bool {
        var readAny = false
        while try fill() {
            readAny = true
            let found: Int? = buffer.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return nil }
                guard let hit = memchr(base + start, 0x0A, end - start) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            let stop = found ?? end
            line += buffer[start..<stop]
            let consumed = stop - start + (found == nil ? 0 : 1)
            start += consumed
            offset += consumed
            if found != nil { return true }
            if line.count > maximumLength { return true }
        }
        return readAny
    }

    /// Whether the input is exhausted.
    func isAtEnd() throws -> Bool { try !fill() }
}

/// Reads everything left in `source`, failing beyond `limit` bytes.
func readAll(_ source: ByteSource, limit: Int = .max, what: String) throws -> [UInt8] {
    var out: [UInt8] = []
    try source.forEachChunk { chunk in
        out += chunk
        if out.count > limit {
            throw OpenPGPError(.malformedPacket, "\(what) is larger than \(limit) bytes")
        }
    }
    return out
}

/// Reads and drops everything left in `source`.
func drain(_ source: ByteSource) throws {
    try source.forEachChunk { _ in }
}

/// At most `limit` bytes of another source.
final class LimitedSource: ByteSource {
    private let source: ByteSource
    private var remaining: Int

    init(_ source: ByteSource, limit: Int) {
        self.source = source
        remaining = limit
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0 else { return 0 }
        let count = try source.read(
            into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, remaining)]))
        remaining -= count
        return count
    }
}

/// Bytes already read, followed by the rest of their source.
final class ConcatenatedSource: ByteSource {
    private var head: [UInt8]
    private var headStart = 0
    private let tail: ByteSource

    init(_ head: [UInt8], _ tail: ByteSource) {
        self.head = head
        self.tail = tail
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard headStart < head.count else { return try tail.read(into: buffer) }
        let count = min(buffer.count, head.count - headStart)
        head.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[headStart..<headStart + count]))
        }
        headStart += count
        return count
    }
}
