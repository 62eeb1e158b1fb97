import NIOCore

/// The server's byte stream to replies, for a `NIOSingleStepByteToMessageProcessor`: NIO
/// accumulates the bytes, ``SMTPReplyParser`` takes complete lines off them (bounding line
/// length and reply size).
///
/// A class, so that the channel handler can ask the same instance the processor drives
/// whether a reply is half read (the processor keeps its decoder to itself). It is used only
/// on its channel's event loop.
final class SMTPReplyDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    private var parser: SMTPReplyParser

    init(parser: SMTPReplyParser) {
        self.parser = parser
    }

    /// Whether lines of a multi-line reply were read but not its last line.
    var isInsideReply: Bool {
        self.parser.isInsideReply
    }

    func decode(buffer: inout ByteBuffer) throws -> SMTPReply? {
        try self.parser.parse(&buffer)
    }

    func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SMTPReply? {
        try self.parser.parse(&buffer)
    }
}
