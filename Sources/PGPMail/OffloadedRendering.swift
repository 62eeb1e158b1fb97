import Mail
import NIOConcurrencyHelpers
import NIOPosix

/// The rendered chunks of a MIME entity, each produced on a thread of NIO's blocking pool.
///
/// Rendering is synchronous work that may block: attachment files are read and OpenPGP
/// encryption and signing run as chunks are pulled. Done in the sending task it would hold
/// a thread of Swift's cooperative pool for the whole rendering, so a few hundred concurrent
/// sends could starve every other task of the process. Here each chunk is rendered on
/// `NIOThreadPool` and the task only awaits it.
struct OffloadedMIMEChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    let part: MIMEPart
    let leadingHeaders: MessageHeaders
    let options: MIMERenderingOptions
    let threadPool: NIOThreadPool

    init(
        part: MIMEPart, leadingHeaders: MessageHeaders, options: MIMERenderingOptions = .default,
        threadPool: NIOThreadPool = .singleton
    ) {
        self.part = part
        self.leadingHeaders = leadingHeaders
        self.options = options
        self.threadPool = threadPool
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let renderer: RendererBox
        let threadPool: NIOThreadPool

        mutating func next() async throws -> [UInt8]? {
            let renderer = self.renderer
            return try await self.threadPool.runIfActive { try renderer.nextChunk() }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            renderer: RendererBox(
                MIMERenderer(part: self.part, leadingHeaders: self.leadingHeaders, options: self.options)),
            threadPool: self.threadPool)
    }
}

/// A renderer handed between the iterating task and the pool's threads.
///
/// `@unchecked Sendable`: the renderer holds file handles and encryption state that are not
/// `Sendable`, but nothing in it is bound to a thread, and it is only ever touched under the
/// lock, by one thread at a time (the iterator asks for one chunk after the other).
final class RendererBox: @unchecked Sendable {
    private let lock = NIOLock()
    private var renderer: MIMERenderer

    init(_ renderer: MIMERenderer) {
        self.renderer = renderer
    }

    /// The next chunk, or nil when the rendering is complete.
    func nextChunk() throws -> [UInt8]? {
        try self.lock.withLock { try self.renderer.nextChunk() }
    }
}
