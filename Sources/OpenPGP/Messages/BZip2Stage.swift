import CBZip2

/// Writes a Compressed Data packet with BZip2 (algorithm 3), compressing in streaming
/// fashion through libbz2.
final class BZip2Stage: WriterStage {
    private let body: PartialLengthStage
    private let stream: UnsafeMutablePointer<bz_stream>
    private var output = [UInt8](repeating: 0, count: 1 << 16)
    private var finished = false

    /// - Parameter level: 1–9, the block size in units of 100 000 bytes; BZip2 has no
    ///   "store" level, so 0 is taken as 1.
    init(level: Int, next: WriterStage) throws {
        guard (0...9).contains(level) else {
            throw OpenPGPError(.invalidArgument, "compression level must be 0–9, got \(level)")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        guard BZ2_bzCompressInit(stream, Int32(max(level, 1)), 0, 0) == BZ_OK else {
            stream.deallocate()
            throw OpenPGPError(.cryptoFailure, "libbz2 could not start compressing")
        }
        do {
            body = try PartialLengthStage(tag: .compressedData, next: next)
            try body.write([CompressionAlgorithm.bzip2.rawValue])
        } catch {
            BZ2_bzCompressEnd(stream)
            stream.deallocate()
            throw error
        }
    }

    deinit {
        BZ2_bzCompressEnd(stream)
        stream.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try bytes.forEachSlice { slice in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: slice.baseAddress!.assumingMemoryBound(to: CChar.self))
            stream.pointee.avail_in = UInt32(slice.count)
            try pump(action: BZ_RUN)
        }
    }

    /// Finishes the compressed packet only; the stages after it stay open.
    func finishPacket() throws {
        guard !finished else { return }
        finished = true
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try pump(action: BZ_FINISH)
        try body.finishPacket()
    }

    func finish() throws {
        try finishPacket()
        try body.finish()
    }

    private func pump(action: Int32) throws {
        let capacity = output.count
        while true {
            let (status, produced) = output.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                stream.pointee.avail_out = UInt32(capacity)
                let status = BZ2_bzCompress(stream, action)
                return (status, capacity - Int(stream.pointee.avail_out))
            }
            guard status == BZ_RUN_OK || status == BZ_FINISH_OK || status == BZ_STREAM_END else {
                throw OpenPGPError(.cryptoFailure, "libbz2 failed while compressing (\(status))")
            }
            if produced > 0 {
                try output.withUnsafeBytes { try body.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if action == BZ_FINISH {
                if status == BZ_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && produced < capacity {
                return
            }
        }
    }
}
