import CZlib

/// Inflates a ZIP (raw deflate) or ZLIB body as it is read, counting its input and output
/// against the message's ``DecompressionBudget`` (which enforces ``DecompressionLimits``).
final class ZlibInflatingSource: ByteSource {
    private let body: ByteSource
    private let raw: Bool
    private let budget: DecompressionBudget
    /// Whether this decompressor reads the output of an enclosing one.
    private let nested: Bool
    private let offset: Int
    private let stream: UnsafeMutablePointer<z_stream>
    /// Compressed input; allocated once so zlib's `next_in` stays valid between calls.
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var streamEnded = false

    /// A decompressor of `body` accounted in `budget`; `nested` when `body` is output of an
    /// enclosing decompressor.
    init(body: ByteSource, raw: Bool, budget: DecompressionBudget, nested: Bool, offset: Int) throws {
        self.body = body
        self.raw = raw
        self.budget = budget
        self.nested = nested
        self.offset = offset
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        guard pgpmail_inflateInit2(stream, raw ? -15 : 15) == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw OpenPGPError(.decompressionFailed, "zlib could not start inflating", offset: offset)
        }
    }

    /// A decompressor with a budget of its own.
    convenience init(body: ByteSource, raw: Bool, limits: DecompressionLimits, offset: Int) throws {
        try self.init(body: body, raw: raw, budget: DecompressionBudget(limits), nested: false, offset: offset)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while !streamEnded {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try body.read(into: input)
                if count == 0 {
                    inputEnded = true
                } else {
                    budget.consumed(count, nested: nested)
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(count)
                }
            }
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            // zlib counts output in 32-bit lengths: fill at most 1 GiB per call.
            let capacity = min(buffer.count, 1 << 30)
            stream.pointee.avail_out = uInt(capacity)
            let status = inflate(stream, Z_NO_FLUSH)
            let written = capacity - Int(stream.pointee.avail_out)
            try budget.produced(written, offset: offset)
            switch status {
            case Z_STREAM_END:
                streamEnded = true
            case Z_OK:
                break
            case Z_BUF_ERROR where written == 0 && inputEnded:
                // No input left and no progress. Raw deflate without its final block marker
                // (some writers omit it) is accepted; zlib framing must be complete.
                guard raw else {
                    throw OpenPGPError(.decompressionFailed, "compressed data ends early", offset: offset)
                }
                streamEnded = true
            case Z_BUF_ERROR:
                break
            default:
                throw OpenPGPError(.decompressionFailed, "compressed data is corrupt (zlib \(status))", offset: offset)
            }
            if written > 0 { return written }
        }
        return 0
    }
}
