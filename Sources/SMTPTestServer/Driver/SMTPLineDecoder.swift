import NIOCore

/// Frames client input into lines ending in LF, byte-exact (the LF, and a CR before it, stay
/// in the line). A line longer than `maximumPieceLength` arrives in pieces, so that a client
/// that never sends LF cannot make the server buffer without bound; a piece never ends with
/// CR, so a CRLF pair is never split.
struct SMTPLineDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = InboundLine

    let maximumPieceLength: Int

    /// `maximumPieceLength` must exceed the longest command line, so that commands arrive whole.
    init(maximumPieceLength: Int = 4096) {
        precondition(
            maximumPieceLength > SMTPServerStateMachine.maximumCommandLength,
            "pieces must be able to hold a whole command line")
        self.maximumPieceLength = maximumPieceLength
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> InboundLine? {
        let view = buffer.readableBytesView
        if let lf = view.prefix(maximumPieceLength).firstIndex(of: ASCII.lf) {
            let piece = buffer.readSlice(length: lf - view.startIndex + 1)!
            return InboundLine(piece, isComplete: true, moreInputBuffered: buffer.readableBytes > 0)
        }
        guard buffer.readableBytes >= maximumPieceLength else { return nil }
        let lastIndex = buffer.readerIndex + maximumPieceLength - 1
        let length =
            buffer.getInteger(at: lastIndex, as: UInt8.self) == ASCII.cr
            ? maximumPieceLength - 1 : maximumPieceLength
        let piece = buffer.readSlice(length: length)!
        return InboundLine(piece, isComplete: false, moreInputBuffered: buffer.readableBytes > 0)
    }

    /// At end of input, whatever remains after the last LF is passed on as an incomplete piece.
    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundLine? {
        if let line = try decode(buffer: &buffer) { return line }
        guard buffer.readableBytes > 0 else { return nil }
        let rest = buffer.readSlice(length: buffer.readableBytes)!
        return InboundLine(rest, isComplete: false, moreInputBuffered: false)
    }
}

extension SMTPLineDecoder {
    /// Frames `reads` as if each arrived in one socket read, followed by end of input; the
    /// decoder's behaviour without a channel, for tests.
    func frames(of reads: [[UInt8]]) throws -> [InboundLine] {
        let processor = NIOSingleStepByteToMessageProcessor(self)
        var lines: [InboundLine] = []
        for read in reads {
            try processor.process(buffer: ByteBuffer(bytes: read)) { lines.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { lines.append($0) }
        return lines
    }
}
