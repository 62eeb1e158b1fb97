/// A sink for rendered bytes (a socket writer, a file, a hash, an array).
public protocol MIMEOutput {
    /// Consumes the next bytes of the rendering.
    mutating func write(_ bytes: some Collection<UInt8>) throws
}

extension Array: MIMEOutput where Element == UInt8 {
    /// Appends the bytes.
    public mutating func write(_ bytes: some Collection<UInt8>) throws {
        append(contentsOf: bytes)
    }
}

/// Options for rendering headers and bodies.
public struct MIMERenderingOptions: Sendable, Hashable {
    /// Header lines are folded to at most this many octets where whitespace allows
    /// (kept within 32...998; PSMTP's MaxHeaderLength, whose default was 80).
    public var maxHeaderLineLength: Int
    /// The approximate size of the chunks handed to a sink (at least 4 KiB).
    public var chunkSize: Int

    /// Creates options.
    public init(maxHeaderLineLength: Int = HeaderField.defaultMaxLineLength, chunkSize: Int = 64 * 1024) {
        self.maxHeaderLineLength = maxHeaderLineLength
        self.chunkSize = chunkSize
    }

    /// 78-octet header lines, 64 KiB chunks.
    public static let `default` = MIMERenderingOptions()
}
