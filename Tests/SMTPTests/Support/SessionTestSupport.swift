import NIOConcurrencyHelpers
import SMTP
import Testing

func sessionConfiguration(port: Int, commandTimeout: Duration = .seconds(10)) -> SMTPSession.Configuration {
    var configuration = SMTPSession.Configuration(host: "127.0.0.1", port: port)
    configuration.tls = .none  // the scripted and in-process test servers speak clear text
    configuration.localHostname = "client.test"
    configuration.connectTimeout = .seconds(10)
    configuration.commandTimeout = commandTimeout
    configuration.disconnectTimeout = .seconds(2)
    return configuration
}

/// Runs `body` and returns the `SMTPError` it throws, or `nil` if it succeeds. Any other
/// error is recorded as a test issue.
func smtpError<Value>(
    _ body: () async throws -> Value, sourceLocation: SourceLocation = #_sourceLocation
) async -> SMTPError? {
    do {
        _ = try await body()
        return nil
    } catch let error as SMTPError {
        return error
    } catch {
        Issue.record("expected an SMTPError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Collects the events of a stream in the background.
final class EventRecorder: Sendable {
    private let events = NIOLockedValueBox<[SMTPEvent]>([])
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<SMTPEvent>) {
        let events = self.events
        self.task = Task {
            for await event in stream {
                events.withLockedValue { $0.append(event) }
            }
        }
    }

    var recorded: [SMTPEvent] {
        self.events.withLockedValue { $0 }
    }

    /// Waits until the stream finished.
    func finished() async {
        await self.task.value
    }

    /// Waits (up to about 10 s) until an event satisfies `predicate`.
    func waitFor(_ predicate: (SMTPEvent) -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if self.recorded.contains(where: predicate) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The protocol trail as `C: …` / `S: …` lines.
    var trail: [String] {
        self.recorded.compactMap { event in
            guard case .protocolTrail(let direction, let line) = event else {
                return nil
            }
            return (direction == .clientToServer ? "C: " : "S: ") + line
        }
    }
}

/// An async sequence of byte chunks produced on demand, which counts how many chunks were
/// requested (to observe back-pressure).
struct CountingChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    let chunk: [UInt8]
    let count: Int
    let pulled = NIOLockedValueBox(0)
    let failAfter: Int?

    init(chunk: [UInt8], count: Int, failAfter: Int? = nil) {
        self.chunk = chunk
        self.count = count
        self.failAfter = failAfter
    }

    struct SourceFailure: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: CountingChunks

        mutating func next() async throws -> [UInt8]? {
            let index = self.sequence.pulled.withLockedValue { pulled -> Int in
                pulled += 1
                return pulled
            }
            if let failAfter = self.sequence.failAfter, index > failAfter {
                throw SourceFailure()
            }
            return index <= self.sequence.count ? self.sequence.chunk : nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }
}
