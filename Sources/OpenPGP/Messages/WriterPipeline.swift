import Foundation

/// Runs the inner stages of a ``MessageWriter`` (literal data, signature hashing, compression,
/// encryption) on a second thread while the caller's thread armors and delivers what the
/// previous piece produced: two cores work on a large message at once.
///
/// It starts in direct mode — every write goes through all stages on the caller's thread —
/// and starts its thread only once a message has passed ``threshold`` bytes, so small
/// messages (mail bodies) pay nothing. The caller's `output` closure is only ever called on
/// the caller's thread. Memory stays bounded: at most one piece of input (``pieceSize``) is
/// queued and one piece's output is in flight.
final class WriterPipeline {
    /// Input collected before it is handed over.
    static let pieceSize = 256 * 1024
    /// Bytes written directly before the second thread starts.
    static let threshold = 1 << 20

    /// The inner stages' entry point and completion (signatures and flushing).
    private let front: Front
    /// Where the inner stages' output goes: collected while pipelined, passed through before.
    private let collector: Collector
    /// Armor and the caller's output.
    private let sink: WriterStage
    private var written = 0
    private var worker: Worker?
    private var input: [UInt8] = []
    /// The first error: the message is broken, and every later call throws it again (and
    /// never waits for a worker that has stopped taking pieces).
    private var failure: (any Error)?

    /// `front` is everything before `sink`; `collector` must be the stage the inner stages
    /// write into, forwarding to `sink`.
    init(front: Front, collector: Collector, sink: WriterStage) {
        self.front = front
        self.collector = collector
        self.sink = sink
    }

    deinit { worker?.stop() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try failingForGood { try append(bytes) }
    }

    func finish() throws {
        try failingForGood { try complete() }
    }

    private func failingForGood(_ body: () throws -> Void) throws {
        if let failure { throw failure }
        do {
            try body()
        } catch {
            failure = error
            throw error
        }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        written += bytes.count
        guard let worker else {
            try front.write(bytes)
            if written >= Self.threshold { startWorker() }
            return
        }
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let take = min(Self.pieceSize - input.count, remaining.count)
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining.prefix(take)))
            remaining = remaining.dropFirst(take)
            if input.count == Self.pieceSize { try hand(to: worker, finishing: false) }
        }
    }

    private func complete() throws {
        guard let worker else {
            try front.finish()
            return
        }
        try hand(to: worker, finishing: true)
        // The last piece's output, then the armor's tail.
        let last = try worker.waitIdle()
        worker.stop()
        self.worker = nil
        try deliver(last.output)
        try sink.finish()
    }

    private func startWorker() {
        collector.collecting = true
        worker = Worker(front: front, collector: collector)
        input.reserveCapacity(Self.pieceSize)
    }

    /// Waits for the worker to finish the previous piece, gives it this one, and delivers the
    /// previous piece's output while the worker runs.
    private func hand(to worker: Worker, finishing: Bool) throws {
        var (usedInput, output) = try worker.waitIdle()
        usedInput.removeAll(keepingCapacity: true)
        let piece = input
        input = usedInput
        worker.start(piece, finishing: finishing)
        try deliver(output)
        output.removeAll(keepingCapacity: true)
        worker.recycle(output)
    }

    private func deliver(_ output: [UInt8]) throws {
        guard !output.isEmpty else { return }
        try output.withUnsafeBytes { try sink.write($0) }
    }
}

extension WriterPipeline {
    /// The inner stages as two calls.
    struct Front {
        let write: (UnsafeRawBufferPointer) throws -> Void
        let finish: () throws -> Void
    }

    /// The last inner stage: forwards to the sink in direct mode, collects while pipelined.
    final class Collector: WriterStage {
        private let sink: WriterStage
        var collecting = false
        var collected: [UInt8] = []

        init(sink: WriterStage) { self.sink = sink }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            if collecting {
                collected.append(contentsOf: bytes)
            } else {
                try sink.write(bytes)
            }
        }

        /// Finishing the inner stages finishes the sink (armor tail) — on the caller's thread,
        /// after the last output, so here it is only noted.
        func finish() throws {
            if !collecting { try sink.finish() }
        }
    }
}

extension WriterPipeline {
    /// The second thread and the hand-over of pieces.
    ///
    /// `@unchecked Sendable`: the inner stages, the piece and the collected output belong to
    /// one thread at a time — the worker between `start` and the `idle` signal, the caller
    /// otherwise — and the semaphores order every hand-over (a signal happens before the
    /// wait it releases returns).
    final class Worker: @unchecked Sendable {
        private let front: Front
        private let collector: Collector
        private let work = DispatchSemaphore(value: 0)
        private let idle = DispatchSemaphore(value: 0)
        private var piece: [UInt8] = []
        private var finishing = false
        private var stopping = false
        private var failure: (any Error)?
        /// An empty buffer with capacity, for the next piece's output.
        private var spareOutput: [UInt8] = []

        init(front: Front, collector: Collector) {
            self.front = front
            self.collector = collector
            let thread = Thread { [self] in run() }
            thread.name = "PGPMail.MessageWriter"
            thread.start()
            // Idle until the first piece: the first `waitIdle` returns at once.
            idle.signal()
        }

        /// Waits until the worker is idle; returns the piece it used (for reuse) and the output
        /// it produced, or throws what the inner stages threw.
        func waitIdle() throws -> (input: [UInt8], output: [UInt8]) {
            idle.wait()
            if let failure { throw failure }
            // Swap the collected output for the buffer delivered last time, so both keep their
            // capacity (a fresh one per piece costs page faults).
            let output = collector.collected
            collector.collected = spareOutput
            spareOutput = []
            let used = piece
            piece = []
            return (used, output)
        }

        /// Takes back an emptied output buffer after delivery, for reuse.
        func recycle(_ output: [UInt8]) {
            spareOutput = output
        }

        /// Gives the worker a piece; call only after `waitIdle`.
        func start(_ piece: [UInt8], finishing: Bool) {
            self.piece = piece
            self.finishing = finishing
            work.signal()
        }

        /// Ends the thread; call only when idle (after `waitIdle`) or before any `start`.
        func stop() {
            stopping = true
            work.signal()
        }

        private func run() {
            while true {
                work.wait()
                if stopping { return }
                do {
                    try piece.withUnsafeBytes { try front.write($0) }
                    if finishing { try front.finish() }
                } catch {
                    failure = error
                }
                idle.signal()
            }
        }
    }
}
