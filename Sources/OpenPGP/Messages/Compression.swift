import CZlib

/// Limits that stop decompression bombs (DESIGN.md: "cap decompression (ratio and depth)").
public struct DecompressionLimits: Sendable, Hashable {
    /// The most bytes one compressed packet may expand to.
    public var maxOutputBytes: Int
    /// Once output passes `ratioGrace` bytes, output ÷ input may not exceed this.
    public var maxRatio: Int
    /// Output allowed before the ratio is enforced (small, very compressible inputs are fine).
    public var ratioGrace: Int
    /// How deeply compressed and encrypted containers may nest.
    public var maxNestingDepth: Int

    public init(maxOutputBytes: Int = 1 << 32, maxRatio: Int = 2048, ratioGrace: Int = 16 << 20, maxNestingDepth: Int = 8) {
        self.maxOutputBytes = maxOutputBytes
        self.maxRatio = maxRatio
        self.ratioGrace = ratioGrace
        self.maxNestingDepth = maxNestingDepth
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
    private var output = [UInt8](repeating: 0, count: 1 << 16)
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
        guard bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
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
        let capacity = output.count
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(capacity)
                let status = deflate(stream, flush)
                return (status, capacity - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw OpenPGPError(.cryptoFailure, "zlib failed while compressing (\(status))")
            }
            if produced > 0 { try output.withUnsafeBytes { try body.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
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
            throw OpenPGPError(.decompressionLimitExceeded, "compressed data expands beyond \(maxOutputBytes) bytes", offset: offset)
        }
        if outputCount > ratioGrace, outputCount / max(inputCount, 1) > maxRatio {
            throw OpenPGPError(.decompressionLimitExceeded, "compressed data expands more than \(maxRatio)-fold", offset: offset)
        }
    }
}

