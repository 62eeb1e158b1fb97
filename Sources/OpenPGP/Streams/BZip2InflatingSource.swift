import CBZip2

/// Inflates a BZip2 body as it is read, counting its input and output
/// against the message's ``DecompressionBudget`` (which enforces ``DecompressionLimits``). Streams written
/// one after another (as parallel bzip2 tools do) are read in turn; anything else after a
/// stream is corrupt data.
final class BZip2InflatingSource: ByteSource {
    private let body: ByteSource
    private let budget: DecompressionBudget
    /// Whether this decompressor reads the output of an enclosing one.
    private let nested: Bool
    private let offset: Int
    private let stream: UnsafeMutablePointer<bz_stream>
    /// Compressed input; allocated once so libbz2's `next_in` stays valid between calls.
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    /// Whether libbz2 is inside a stream (initialised, not yet at its end).
    private var decoding = false
    private var finished = false

    /// A decompressor of `body` accounted in `budget`; `nested` when `body` is output of an
    /// enclosing decompressor.
    init(body: ByteSource, budget: DecompressionBudget, nested: Bool, offset: Int) throws {
        self.body = body
        self.budget = budget
        self.nested = nested
        self.offset = offset
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        do {
            try startStream()
        } catch {
            stream.deallocate()
            input.deallocate()
            throw error
        }
    }

    /// A decompressor with a budget of its own.
    convenience init(body: ByteSource, limits: DecompressionLimits, offset: Int) throws {
        try self.init(body: body, budget: DecompressionBudget(limits), nested: false, offset: offset)
    }

    deinit {
        if decoding { BZ2_bzDecompressEnd(stream) }
        stream.deallocate()
        input.deallocate()
    }

    /// Starts decoding a stream, keeping the unread input.
    private func startStream() throws {
        let (next, available) = (stream.pointee.next_in, stream.pointee.avail_in)
        stream.initialize(to: bz_stream())
        (stream.pointee.next_in, stream.pointee.avail_in) = (next, available)
        guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
            throw OpenPGPError(.decompressionFailed, "libbz2 could not start inflating", offset: offset)
        }
        decoding = true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while !finished {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try body.read(into: input)
                if count == 0 {
                    inputEnded = true
                } else {
                    budget.consumed(count, nested: nested)
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: CChar.self)
                    stream.pointee.avail_in = UInt32(count)
                }
            }
            if !decoding {
                // Between streams: the end of the input ends the data, more input starts a stream.
                guard stream.pointee.avail_in > 0 else {
                    if inputEnded { finished = true }
                    continue
                }
                try startStream()
            }
            let pending = stream.pointee.avail_in
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(min(buffer.count, 1 << 30))
            let capacity = Int(stream.pointee.avail_out)
            let status = BZ2_bzDecompress(stream)
            let written = capacity - Int(stream.pointee.avail_out)
            try budget.produced(written, offset: offset)
            switch status {
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(stream)
                decoding = false
            case BZ_OK where written == 0 && stream.pointee.avail_in == pending:
                // No progress: the input ended before the end-of-stream marker.
                throw OpenPGPError(.decompressionFailed, "compressed data ends early", offset: offset)
            case BZ_OK:
                break
            default:
                throw OpenPGPError(
                    .decompressionFailed, "compressed data is corrupt (libbz2 \(status))", offset: offset)
            }
            if written > 0 { return written }
        }
        return 0
    }
}
