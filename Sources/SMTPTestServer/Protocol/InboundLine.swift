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

extension InboundLine {
    /// A line made from text, as the decoder would frame it (for scripted input and tests).
    init(_ text: String, isComplete: Bool = true, moreInputBuffered: Bool = false) {
        self.init(ByteBuffer(string: text), isComplete: isComplete, moreInputBuffered: moreInputBuffered)
    }

    /// A line made from octets (for scripted input and tests).
    init(octets: [UInt8], isComplete: Bool = true, moreInputBuffered: Bool = false) {
        self.init(ByteBuffer(bytes: octets), isComplete: isComplete, moreInputBuffered: moreInputBuffered)
    }

    /// The octets of the piece.
    var octets: [UInt8] { Array(bytes.readableBytesView) }
}
