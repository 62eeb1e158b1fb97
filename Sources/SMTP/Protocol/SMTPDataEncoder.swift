import NIOCore

/// Turns message content into the octets sent after `DATA`'s `354` (RFC 5321 section 4.5.2).
///
/// It works incrementally over chunks of any size and produces the same output whatever
/// the chunk boundaries:
/// - every bare CR and bare LF becomes CRLF (a CR at the end of one chunk followed by an LF
///   at the start of the next is one CRLF);
/// - a line that starts with `.` gets a second `.` (dot-stuffing);
/// - ``finish(into:)`` ends the content with CRLF if it does not already end with a line
///   break, then writes the terminating `.` CRLF. Empty content produces only `.` CRLF.
///
/// A line longer than ``maximumLineLength`` octets (998 by default, not counting the CRLF
/// nor the dot added for stuffing) makes ``encode(_:into:)`` throw
/// ``SMTPError/Code/lineTooLong``. Octets of the chunk before the offending line may
/// already have been written to the output; the content cannot be sent any more.
///
/// With ``Framing/bdat`` (RFC 3030 `BDAT` chunks, whose length frames the content) there is
/// no dot-stuffing and no terminating `.` line; line endings and lengths are handled the same.
///
/// The encoder works on bytes only and never decodes text.
public struct SMTPDataEncoder: Sendable {
    /// How the content is delimited on the wire.
    public enum Framing: Hashable, Sendable {
        /// After `DATA`: dot-stuffed, ended by `.` CRLF.
        case data
        /// In `BDAT` chunks: as it is, the chunk sizes delimit it.
        case bdat
        /// In `BDAT` chunks with `BODY=BINARYMIME`: every octet exactly as given, no
        /// line-ending conversion and no line-length limit.
        case binary
    }

    /// The longest line RFC 5321 allows: 1000 octets including CRLF.
    public static let defaultMaximumLineLength = 998

    /// The longest accepted line in octets, excluding CRLF and the stuffing dot.
    public let maximumLineLength: Int
    /// How the content is delimited.
    public let framing: Framing

    private var atLineStart = true
    private var pendingCR = false
    private var lineLength = 0
    /// Dots added by dot-stuffing so far (not part of the message's size, RFC 1870).
    private(set) var stuffedDots = 0

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let dot = UInt8(ascii: ".")

    /// Creates an encoder at the start of a message.
    ///
    /// - Parameters:
    ///   - maximumLineLength: The longest accepted line (excluding CRLF).
    ///   - framing: `DATA` (dot-stuffing and terminator) or `BDAT` (neither).
    public init(maximumLineLength: Int = SMTPDataEncoder.defaultMaximumLineLength, framing: Framing = .data) {
        precondition(maximumLineLength > 0, "maximumLineLength must be positive")
        self.maximumLineLength = maximumLineLength
        self.framing = framing
    }

    /// Encodes the next chunk of content.
    ///
    /// - Parameters:
    ///   - chunk: The next bytes of the message, in any chunking.
    ///   - output: The buffer the encoded bytes are appended to.
    /// - Throws: ``SMTPError/Code/lineTooLong``.
    public mutating func encode<Bytes: Sequence<UInt8>>(
        _ chunk: Bytes, into output: inout ByteBuffer
    ) throws(SMTPError) {
        let error: SMTPError??
        error = chunk.withContiguousStorageIfAvailable { storage in
            self.encodeBytes(UnsafeRawBufferPointer(storage), into: &output)
        }
        switch error {
        case .some(.some(let failure)):
            throw failure
        case .some(.none):
            return
        case .none:
            let copy = Array(chunk)
            if let failure = copy.withUnsafeBytes({ self.encodeBytes($0, into: &output) }) {
                throw failure
            }
        }
    }

    /// Encodes the readable bytes of `chunk` as the next chunk of content.
    ///
    /// - Parameters:
    ///   - chunk: The next bytes of the message; it is not modified.
    ///   - output: The buffer the encoded bytes are appended to.
    /// - Throws: ``SMTPError/Code/lineTooLong``.
    public mutating func encode(_ chunk: ByteBuffer, into output: inout ByteBuffer) throws(SMTPError) {
        if let failure = chunk.withUnsafeReadableBytes({ self.encodeBytes($0, into: &output) }) {
            throw failure
        }
    }

    /// Ends the content: writes a pending line break, a final CRLF if the content does not
    /// end with one, and the terminating `.` CRLF. The encoder is then ready for another
    /// message.
    ///
    /// - Parameter output: The buffer the bytes are appended to.
    public mutating func finish(into output: inout ByteBuffer) {
        if self.framing != .binary, self.pendingCR || !self.atLineStart {
            output.writeStaticString("\r\n")
        }
        if self.framing == .data {
            output.writeStaticString(".\r\n")
        }
        self.pendingCR = false
        self.atLineStart = true
        self.lineLength = 0
    }

    /// Encodes a complete message in memory, including the terminating `.` line for `DATA`.
    ///
    /// - Parameters:
    ///   - content: The whole message (headers and body).
    ///   - maximumLineLength: The longest accepted line (excluding CRLF).
    ///   - framing: `DATA` or `BDAT`.
    /// - Returns: The octets to send after `354` (or in `BDAT` chunks).
    /// - Throws: ``SMTPError/Code/lineTooLong`` before anything could have been sent.
    public static func encodeMessage<Bytes: Sequence<UInt8>>(
        _ content: Bytes, maximumLineLength: Int = SMTPDataEncoder.defaultMaximumLineLength, framing: Framing = .data
    ) throws(SMTPError) -> ByteBuffer {
        var encoder = SMTPDataEncoder(maximumLineLength: maximumLineLength, framing: framing)
        var output = ByteBuffer()
        output.reserveCapacity(content.underestimatedCount + content.underestimatedCount / 32 + 5)
        try encoder.encode(content, into: &output)
        encoder.finish(into: &output)
        return output
    }

    /// Encodes a complete message like ``encodeMessage(_:maximumLineLength:framing:)`` and
    /// also returns its size as RFC 1870 defines it for `SIZE=`: octets with CRLF line
    /// endings, without stuffing dots and without the terminating `.` line.
    static func encodeMessageMeasuring<Bytes: Sequence<UInt8>>(
        _ content: Bytes, framing: Framing = .data
    ) throws(SMTPError) -> (encoded: ByteBuffer, messageSize: Int) {
        var encoder = SMTPDataEncoder(framing: framing)
        var output = ByteBuffer()
        output.reserveCapacity(content.underestimatedCount + content.underestimatedCount / 32 + 5)
        try encoder.encode(content, into: &output)
        encoder.finish(into: &output)
        let terminator = framing == .data ? 3 : 0
        return (output, output.readableBytes - encoder.stuffedDots - terminator)
    }

    private mutating func endLine(into output: inout ByteBuffer) {
        output.writeStaticString("\r\n")
        self.atLineStart = true
        self.lineLength = 0
    }

    /// The encoding loop; returns the error instead of throwing so that it can run inside
    /// the `rethrows` closures of the buffer accessors.
    private mutating func encodeBytes(
        _ input: UnsafeRawBufferPointer, into output: inout ByteBuffer
    ) -> SMTPError? {
        let count = input.count
        guard count > 0 else {
            return nil
        }
        if self.framing == .binary {
            output.writeBytes(input)
            return nil
        }
        var index = 0
        if self.pendingCR {
            // The previous chunk ended with CR: it is a line break either way, and an LF
            // right here belongs to it.
            self.pendingCR = false
            if input[0] == Self.lf {
                index = 1
            }
            self.endLine(into: &output)
        }
        while index < count {
            if self.atLineStart, input[index] == Self.dot, self.framing == .data {
                output.writeInteger(Self.dot)
                self.stuffedDots += 1
            }
            var runEnd = index
            while runEnd < count, input[runEnd] != Self.cr, input[runEnd] != Self.lf {
                runEnd += 1
            }
            let runLength = runEnd - index
            if runLength > 0 {
                if self.lineLength + runLength > self.maximumLineLength {
                    return SMTPError(
                        .lineTooLong,
                        "message line longer than \(self.maximumLineLength) octets")
                }
                output.writeBytes(UnsafeRawBufferPointer(rebasing: input[index..<runEnd]))
                self.lineLength += runLength
                self.atLineStart = false
            }
            guard runEnd < count else {
                break
            }
            if input[runEnd] == Self.lf {
                index = runEnd + 1
                self.endLine(into: &output)
            } else if runEnd + 1 < count {
                index = input[runEnd + 1] == Self.lf ? runEnd + 2 : runEnd + 1
                self.endLine(into: &output)
            } else {
                self.pendingCR = true
                index = runEnd + 1
            }
        }
        return nil
    }
}
