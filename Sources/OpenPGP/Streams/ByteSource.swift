import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a streaming operation reads its input from. Reads fill part of a buffer and return
/// how many bytes they wrote; 0 means the end of the input.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Calls `body` with each chunk of the rest of the input, in order, until the end.
    public func forEachChunk(chunkSize: Int = 1 << 16, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            guard count > 0 else { return }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// Everything left in the input, in memory.
    public func readToEnd() throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk { out += $0 }
        return out
    }
}

/// Reads from bytes in memory.
public final class ArrayByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
        }
        position += count
        return count
    }
}

/// Reads a file (or any file descriptor) with plain `read(2)` calls.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    /// Opens `url` for reading.
    public init(url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw StreamError.cannotOpen(url.path, errno) }
        self.descriptor = descriptor
        ownsDescriptor = true
    }

    /// Reads from an open descriptor (e.g. standard input), which stays open.
    public init(fileDescriptor: Int32) {
        descriptor = fileDescriptor
        ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Foundation.read(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw StreamError.readFailed(errno)
        }
    }
}

/// Writes bytes to a file descriptor through a buffer; the output of streaming operations.
public final class FileByteSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    /// Creates (or truncates) the file at `url`.
    public init(url: URL, permissions: mode_t = 0o644) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, permissions)
        guard descriptor >= 0 else { throw StreamError.cannotOpen(url.path, errno) }
        self.descriptor = descriptor
        ownsDescriptor = true
        buffer.reserveCapacity(capacity)
    }

    /// Writes to an open descriptor (e.g. standard output), which stays open.
    public init(fileDescriptor: Int32) {
        descriptor = fileDescriptor
        ownsDescriptor = false
        buffer.reserveCapacity(capacity)
    }

    deinit {
        try? flush()
        if ownsDescriptor { close(descriptor) }
    }

    /// Queues bytes, writing whenever the buffer fills.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(bytes)
        } else {
            buffer += bytes
        }
    }

    /// Writes out everything queued.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StreamError.writeFailed(errno)
            }
            offset += written
        }
    }
}

/// I/O failures of the stream helpers.
public enum StreamError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(String, Int32)
    case readFailed(Int32)
    case writeFailed(Int32)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code): "cannot open \(path): \(String(cString: strerror(code)))"
        case .readFailed(let code): "read failed: \(String(cString: strerror(code)))"
        case .writeFailed(let code): "write failed: \(String(cString: strerror(code)))"
        }
    }
}
