import Foundation

/// Where a streaming read puts the plaintext. What it receives is provisional: the reader
/// calls `commit()` only after every integrity check passed, and `discard()` otherwise, so
/// a sink never hands out plaintext that failed its integrity check.
public protocol PlaintextSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Everything written is authentic: make it available.
    func commit() throws
    /// The message failed: forget everything written.
    func discard()
}

/// Collects the plaintext in memory; `data` is set only on commit. Read into it with
/// ``DecompressionLimits/inMemory`` limits, as the in-memory APIs do.
public final class MemoryPlaintextSink: PlaintextSink {
    private var pending: [UInt8] = []
    /// The plaintext, once committed.
    public private(set) var data: [UInt8]?

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws { pending += bytes }

    public func commit() throws {
        data = pending
        pending = []
    }

    public func discard() {
        wipe(&pending)
    }
}

/// Writes the plaintext to a temporary file beside `destination` and moves it into place on
/// commit, so the destination only ever holds authenticated plaintext. On discard the
/// temporary file is deleted.
public final class FilePlaintextSink: PlaintextSink {
    public let destination: URL
    private let temporary: URL
    private var output: FileByteSink?

    public init(destination: URL) throws {
        self.destination = destination
        temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        output = try FileByteSink(url: temporary, permissions: 0o600)
    }

    deinit {
        if output != nil { discard() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let output else { throw OpenPGPError(.invalidArgument, "the plaintext sink is already closed") }
        try output.write(bytes)
    }

    public func commit() throws {
        guard let output else { return }
        try output.flush()
        self.output = nil
        if FileManager.default.fileExists(atPath: destination.path) {
            _ = try FileManager.default.replaceItemAt(destination, withItemAt: temporary)
        } else {
            try FileManager.default.moveItem(at: temporary, to: destination)
        }
    }

    public func discard() {
        output = nil
        try? FileManager.default.removeItem(at: temporary)
    }
}
