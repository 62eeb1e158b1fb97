import NIOCore

/// The content of one message while it arrives after `354`: removes dot-stuffing, finds the
/// terminating `.` line, enforces the size limit and notes how the client formatted lines.
struct DataReception {
    enum Progress: Hashable {
        /// The piece was content; more is expected.
        case needMoreData
        /// The terminating `.` line arrived.
        case complete
        /// The scripted drop point was reached: the connection is to be closed now.
        case drop
    }

    /// RFC 5321 4.5.3.1.6: 998 octets plus CRLF.
    static let maximumLineLength = 1000

    let transaction: SMTPServerStateMachine.Transaction
    let maximumSize: Int?
    let dropAfterOctets: Int?

    /// The content with dot-stuffing removed; emptied once `maximumSize` is exceeded.
    private(set) var content: ByteBuffer
    /// Octets received as sent (dot-stuffed), excluding the terminating `.` line.
    private(set) var receivedOctets = 0
    /// Octets of content after removing dot-stuffing, counted even once discarded.
    private(set) var contentOctets = 0
    private(set) var exceededMaximumSize = false
    private(set) var hadBareLineEndings = false
    private(set) var hadOverlongLines = false
    private(set) var containsEightBitData = false
    private var atLineStart = true
    private var currentLineLength = 0

    init(
        transaction: SMTPServerStateMachine.Transaction, maximumSize: Int?, dropAfterOctets: Int?,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.transaction = transaction
        self.maximumSize = maximumSize
        self.dropAfterOctets = dropAfterOctets
        self.content = allocator.buffer(capacity: 4096)
    }

    /// Whether the drop point is already reached before any content (`dropAfterOctets == 0`).
    var dropsImmediately: Bool { dropAfterOctets == 0 }

    mutating func receive(_ piece: InboundLine) -> Progress {
        var bytes = piece.bytes
        let length = bytes.readableBytes
        if atLineStart && piece.isComplete && length == 3
            && bytes.readableBytesView.elementsEqual([ASCII.dot, ASCII.cr, ASCII.lf])
        {
            return .complete
        }

        receivedOctets += length
        currentLineLength += length
        if currentLineLength > Self.maximumLineLength { hadOverlongLines = true }
        inspect(bytes)

        if atLineStart && bytes.readableBytesView.first == ASCII.dot {
            bytes.moveReaderIndex(forwardBy: 1)
        }
        contentOctets += bytes.readableBytes
        if let maximumSize, contentOctets > maximumSize {
            if !exceededMaximumSize {
                exceededMaximumSize = true
                content = ByteBuffer()
            }
        } else {
            content.writeBuffer(&bytes)
        }

        atLineStart = piece.isComplete
        if piece.isComplete { currentLineLength = 0 }
        if let dropAfterOctets, receivedOctets >= dropAfterOctets { return .drop }
        return .needMoreData
    }

    /// Looks for bare CR, bare LF and 8-bit octets in one pass. The decoder never ends an
    /// incomplete piece with CR, so a CRLF pair is never split across pieces.
    private mutating func inspect(_ bytes: ByteBuffer) {
        guard !(hadBareLineEndings && containsEightBitData) else { return }
        bytes.withUnsafeReadableBytes { raw in
            var previous: UInt8 = 0
            for byte in raw {
                if byte >= 0x80 {
                    containsEightBitData = true
                } else if byte == ASCII.lf && previous != ASCII.cr {
                    hadBareLineEndings = true
                } else if previous == ASCII.cr && byte != ASCII.lf {
                    hadBareLineEndings = true
                }
                previous = byte
            }
            if previous == ASCII.cr { hadBareLineEndings = true }
        }
    }
}
