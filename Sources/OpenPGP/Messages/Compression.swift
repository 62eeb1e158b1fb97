import CZlib

/// Limits that stop decompression bombs (DESIGN.md: "cap decompression (ratio and depth)").
///
/// The size and ratio limits apply to a whole message, over all its compression layers: what
/// the message finally decompresses to is measured against the compressed bytes read at the
/// outermost layer, so compression nested inside compression multiplies visibly. (Output a
/// nested decompressor reads back as its own input is not counted twice.) Data that is not
/// compressed is not counted: it cannot be larger than the input it comes from.
public struct DecompressionLimits: Sendable, Hashable {
    /// The most bytes one message may decompress to, over all compression layers.
    public var maxOutputBytes: Int
    /// Once the output passes `ratioGrace` bytes, it may not exceed this many times the
    /// compressed input read at the outermost layer.
    public var maxRatio: Int
    /// Output allowed before the ratio is enforced (small, very compressible inputs are fine).
    public var ratioGrace: Int
    /// How deeply compressed and encrypted containers may nest.
    public var maxNestingDepth: Int

    /// Limits for reading into a stream or file: 4 GiB of output, 2048-fold expansion after
    /// the first 16 MiB, containers eight deep.
    public init(
        maxOutputBytes: Int = 1 << 32, maxRatio: Int = 2048, ratioGrace: Int = 16 << 20, maxNestingDepth: Int = 8
    ) {
        self.maxOutputBytes = maxOutputBytes
        self.maxRatio = maxRatio
        self.ratioGrace = ratioGrace
        self.maxNestingDepth = maxNestingDepth
    }

    /// The default for reading into a stream or file (``init(maxOutputBytes:maxRatio:ratioGrace:maxNestingDepth:)``
    /// with its defaults): 4 GiB of output.
    public static let streaming = DecompressionLimits()

    /// The default for the APIs that return the whole plaintext in memory: as ``streaming``,
    /// but at most 256 MiB of output. That is well above any message mail systems deliver
    /// (their size limits are 10–150 MB), while a plaintext held in memory, as an array that
    /// grows by doubling and is then parsed, stays within what a process can afford.
    public static let inMemory = DecompressionLimits(maxOutputBytes: 256 << 20)
}

/// One message's decompression account, shared by all its decompressors: the output of every
/// layer, less what nested layers read back as input, against the compressed input read at
/// the outermost layer.
final class DecompressionBudget {
    let limits: DecompressionLimits
    /// Compressed bytes read by outermost decompressors.
    private(set) var input = 0
    /// Decompressed bytes the message has expanded to so far.
    private(set) var output = 0
    /// How many decompressors enclose the part of the message being read.
    private(set) var openLayers = 0

    init(_ limits: DecompressionLimits) {
        self.limits = limits
    }

    /// Runs `body`, the reading of a Compressed Data packet's content, one layer deeper if
    /// `decompressing` (not for the "uncompressed" algorithm).
    func withLayer<T>(decompressing: Bool, _ body: () throws -> T) rethrows -> T {
        guard decompressing else { return try body() }
        openLayers += 1
        defer { openLayers -= 1 }
        return try body()
    }

    /// A decompressor read `count` compressed bytes. For a `nested` one they were output of
    /// an enclosing layer and now stand for what they expand to.
    func consumed(_ count: Int, nested: Bool) {
        if nested { output -= count } else { input += count }
    }

    /// A decompressor produced `count` bytes: throws `decompressionLimitExceeded` once the
    /// message's output breaks a limit.
    func produced(_ count: Int, offset: Int) throws {
        output += count
        try limits.enforce(outputCount: output, inputCount: input, offset: offset)
    }
}

/// The stage that writes a Compressed Data packet with `algorithm` (ZIP, ZLIB or BZip2).
func compressionStage(for algorithm: CompressionAlgorithm, level: Int, next: WriterStage) throws -> WriterStage {
    switch algorithm {
    case .bzip2: try BZip2Stage(level: level, next: next)
    default: try DeflateStage(algorithm: algorithm, level: level, next: next)
    }
}

/// Writes a Compressed Data packet (ZIP or ZLIB), compressing in streaming fashion.
final class DeflateStage: WriterStage {
    private let body: PartialLengthStage
    private let stream: UnsafeMutablePointer<z_stream>
    /// Compressed bytes on their way out: 8 KiB, doubled whenever deflate fills it, up to
    /// 64 KiB, so that a small message does not clear 64 KiB. (Deflate's output does not
    /// depend on the size of the buffer it writes into.)
    private var output = [UInt8](repeating: 0, count: 1 << 13)
    private var finished = false

    init(algorithm: CompressionAlgorithm, level: Int, next: WriterStage) throws {
        guard algorithm == .zip || algorithm == .zlib else {
            throw OpenPGPError(.unsupportedAlgorithm, "compression algorithm \(algorithm) is not supported yet")
        }
        guard (0...9).contains(level) else {
            throw OpenPGPError(.invalidArgument, "compression level must be 0–9, got \(level)")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Raw deflate for ZIP (negative window bits), zlib framing for ZLIB. ZIP uses an
        // 8 KiB window as PGP and GnuPG do: about a third faster for a few percent in size.
        guard pgpmail_deflateInit2(stream, Int32(level), algorithm == .zip ? -13 : 15) == Z_OK else {
            stream.deallocate()
            throw OpenPGPError(.cryptoFailure, "zlib could not start compressing")
        }
        body = try PartialLengthStage(tag: .compressedData, next: next)
        try body.write([algorithm.rawValue])
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try bytes.forEachSlice { slice in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: slice.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(slice.count)
            try pump(flush: Z_NO_FLUSH)
        }
    }

    /// Finishes the compressed packet only; the stages after it stay open.
    func finishPacket() throws {
        guard !finished else { return }
        finished = true
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try pump(flush: Z_FINISH)
        try body.finishPacket()
    }

    func finish() throws {
        try finishPacket()
        try body.finish()
    }

    private func pump(flush: Int32) throws {
        while true {
            let capacity = output.count
            let (status, produced) = output.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(capacity)
                let status = deflate(stream, flush)
                return (status, capacity - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw OpenPGPError(.cryptoFailure, "zlib failed while compressing (\(status))")
            }
            if produced > 0 {
                try output.withUnsafeBytes { try body.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if produced == capacity && capacity < 1 << 16 {
                output = [UInt8](repeating: 0, count: capacity * 2)
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && produced < capacity {
                return
            }
        }
    }
}

extension DecompressionLimits {
    /// Throws `decompressionLimitExceeded` once `outputCount` bytes inflated from
    /// `inputCount` break a limit.
    func enforce(outputCount: Int, inputCount: Int, offset: Int) throws {
        if outputCount > maxOutputBytes {
            throw OpenPGPError(
                .decompressionLimitExceeded, "compressed data expands beyond \(maxOutputBytes) bytes (over all layers)",
                offset: offset)
        }
        if outputCount > ratioGrace, outputCount / max(inputCount, 1) > maxRatio {
            throw OpenPGPError(
                .decompressionLimitExceeded, "compressed data expands more than \(maxRatio)-fold (over all layers)",
                offset: offset)
        }
    }
}
