import NIOCore

/// A piece of client input as `SMTPLineDecoder` frames it: a whole line including its LF, or,
/// for a line longer than the decoder's piece limit, a part of one.
struct InboundLine: Hashable {
    /// The octets exactly as received.
    var bytes: ByteBuffer
    /// Whether `bytes` ends the line (ends with LF); `false` for a leading part of a long line.
    var isComplete: Bool
    /// Whether more client input was already buffered behind this piece when it was framed.
    var moreInputBuffered: Bool

    init(_ bytes: ByteBuffer, isComplete: Bool = true, moreInputBuffered: Bool = false) {
        self.bytes = bytes
        self.isComplete = isComplete
        self.moreInputBuffered = moreInputBuffered
    }
}

enum ASCII {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let dot = UInt8(ascii: ".")
}
