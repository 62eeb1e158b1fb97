import Foundation

/// Renders a part (optionally preceded by message headers) as a sequence of chunks, pulled
/// one at a time. Bodies are encoded and files read only as chunks are requested, so memory
/// stays bounded by the chunk size plus the in-memory bodies.
public struct MIMERenderer {
    private let part: MIMEPart
    private let leadingHeaders: MessageHeaders
    private let options: MIMERenderingOptions
    private var steps: [RenderStep]?
    private var nextStep = 0
    private var active: Active?

    private enum Active {
        case literal([UInt8], offset: Int)
        case base64Bytes([UInt8], offset: Int, encoder: Base64.LineEncoder)
        case base64File(FileChunkReader, encoder: Base64.LineEncoder)
        case stream(any MIMEByteSource, checker: StreamChecker)
    }

    /// At most 1024 base64 lines of input per step.
    private static let base64InputChunk = 57 * 1024

    /// Input bytes whose base64 lines (78 octets per 57 bytes) fill about `room` octets.
    private static func base64Input(forRoom room: Int) -> Int {
        min(base64InputChunk, max(1, room / 78) * 57)
    }

    /// Creates a renderer; nothing is rendered until `nextChunk()`.
    public init(part: MIMEPart, leadingHeaders: MessageHeaders = [], options: MIMERenderingOptions = .default) {
        self.part = part
        self.leadingHeaders = leadingHeaders
        self.options = options
    }

    /// The next chunk of roughly `options.chunkSize` bytes, or nil when done.
    public mutating func nextChunk() throws -> [UInt8]? {
        if steps == nil { steps = try RenderPlanner.plan(part, leadingHeaders: leadingHeaders, options: options) }
        let target = max(options.chunkSize, 4096)
        var out: [UInt8] = []
        out.reserveCapacity(target + 160)
        while out.count < target {
            if active == nil {
                guard let steps, nextStep < steps.count else { break }
                active = try start(steps[nextStep])
                nextStep += 1
            }
            try advance(into: &out, room: target - out.count)
        }
        return out.isEmpty ? nil : out
    }

    private func start(_ step: RenderStep) throws -> Active {
        switch step {
        case .literal(let bytes): .literal(bytes, offset: 0)
        case .base64Bytes(let bytes): .base64Bytes(bytes, offset: 0, encoder: Base64.LineEncoder())
        case .base64File(let url): .base64File(try FileChunkReader(url: url), encoder: Base64.LineEncoder())
        case .stream(let stream, let sevenBit, let boundaries):
            .stream(try stream.makeSource(), checker: StreamChecker(sevenBit: sevenBit, boundaries: boundaries))
        }
    }

    /// Moves the active step forward by about `room` bytes; clears it when it is exhausted.
    private mutating func advance(into out: inout [UInt8], room: Int) throws {
        guard let current = active else { return }
        active = nil  // keep buffers uniquely referenced while mutating them
        switch current {
        case .literal(let bytes, let offset):
            let end = min(bytes.count, offset + max(room, 1))
            out += bytes[offset..<end]
            if end < bytes.count { active = .literal(bytes, offset: end) }
        case .base64Bytes(let bytes, let offset, var encoder):
            let end = min(bytes.count, offset + MIMERenderer.base64Input(forRoom: room))
            bytes.withUnsafeBytes { buffer in
                encoder.encode(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), into: &out)
            }
            if end < bytes.count {
                active = .base64Bytes(bytes, offset: end, encoder: encoder)
            } else {
                encoder.finish(into: &out)
            }
        case .base64File(let reader, var encoder):
            let data = try reader.read(upTo: MIMERenderer.base64Input(forRoom: room))
            if data.isEmpty {
                encoder.finish(into: &out)
            } else {
                data.withUnsafeBytes { encoder.encode($0, into: &out) }
                active = .base64File(reader, encoder: encoder)
            }
        case .stream(var source, var checker):
            if let chunk = try source.nextChunk() {
                try checker.check(chunk)
                out += chunk
                active = .stream(source, checker: checker)
            } else {
                try checker.finish()
            }
        }
    }
}

/// The rendering of a part as an `AsyncSequence` of byte chunks, produced on demand.
public struct MIMEChunks: AsyncSequence, Sendable {
    /// A chunk of rendered bytes.
    public typealias Element = [UInt8]

    let part: MIMEPart
    let leadingHeaders: MessageHeaders
    let options: MIMERenderingOptions

    /// Produces the chunks of one rendering.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var renderer: MIMERenderer

        /// The next chunk, or nil when done.
        public mutating func next() async throws -> [UInt8]? {
            try renderer.nextChunk()
        }
    }

    /// Starts a rendering.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(renderer: MIMERenderer(part: part, leadingHeaders: leadingHeaders, options: options))
    }
}

extension MIMEPart {
    /// Writes the entity (headers, blank line, body) to `output` chunk by chunk.
    public func render(to output: inout some MIMEOutput, options: MIMERenderingOptions = .default) throws {
        var renderer = MIMERenderer(part: self, options: options)
        while let chunk = try renderer.nextChunk() { try output.write(chunk) }
    }

    /// The entity's canonical bytes: headers, blank line, body, CRLF line breaks. These are
    /// the bytes a multipart/signed signature covers (RFC 3156 §5).
    public func renderedBytes(options: MIMERenderingOptions = .default) throws -> [UInt8] {
        var out: [UInt8] = []
        try render(to: &out, options: options)
        return out
    }

    /// The entity's rendering as an async sequence of chunks.
    public func chunks(options: MIMERenderingOptions = .default) -> MIMEChunks {
        MIMEChunks(part: self, leadingHeaders: [], options: options)
    }
}
