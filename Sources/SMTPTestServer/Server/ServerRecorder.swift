import NIOConcurrencyHelpers
import NIOCore

/// What a running server has seen, shared by its connections (on any event loop) and the
/// tasks observing it: messages, transcripts, open connections and tasks waiting for messages.
final class ServerRecorder: Sendable {
    typealias ReceivedMessage = SMTPTestServer.ReceivedMessage
    typealias Transcript = SMTPTestServer.Transcript

    /// What a waiting task waits for.
    enum WaitRequest: Sendable {
        /// The oldest message not yet handed out this way.
        case nextMessage
        /// At least this many messages in all.
        case messageCount(Int)
    }

    private struct Waiter: Sendable {
        var id: Int
        var request: WaitRequest
        var continuation: CheckedContinuation<[ReceivedMessage], any Error>
        var timer: Task<Void, Never>?
    }

    private struct State: Sendable {
        var messages: [ReceivedMessage] = []
        var nextMessageIndex = 0
        var transcripts: [Transcript] = []
        var openChannels: [Int: any Channel] = [:]
        var maximumConcurrentConnections = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var isShutDown = false

        /// The answer to `request` if it can be given now, consuming a message for `nextMessage`.
        mutating func satisfy(_ request: WaitRequest) -> [ReceivedMessage]? {
            switch request {
            case .nextMessage:
                guard nextMessageIndex < messages.count else { return nil }
                defer { nextMessageIndex += 1 }
                return [messages[nextMessageIndex]]
            case .messageCount(let count):
                return messages.count >= count ? messages : nil
            }
        }
    }

    private let state = NIOLockedValueBox(State())

    // MARK: Connections

    /// Registers a new connection and returns its number, or `nil` once shut down.
    func openConnection(_ channel: any Channel) -> Int? {
        state.withLockedValue { state in
            guard !state.isShutDown else { return nil }
            state.transcripts.append(Transcript(connectionNumber: state.transcripts.count + 1))
            let number = state.transcripts.count
            state.openChannels[number] = channel
            state.maximumConcurrentConnections = max(state.maximumConcurrentConnections, state.openChannels.count)
            return number
        }
    }

    func closeConnection(_ number: Int) {
        _ = state.withLockedValue { $0.openChannels.removeValue(forKey: number) }
    }

    func append(_ lines: [Transcript.Line], toConnection number: Int) {
        state.withLockedValue { $0.transcripts[number - 1].lines.append(contentsOf: lines) }
    }

    var transcripts: [Transcript] { state.withLockedValue { $0.transcripts } }
    var connectionCount: Int { state.withLockedValue { $0.transcripts.count } }
    var openConnectionCount: Int { state.withLockedValue { $0.openChannels.count } }
    var maximumConcurrentConnections: Int { state.withLockedValue { $0.maximumConcurrentConnections } }

    // MARK: Messages

    var messages: [ReceivedMessage] { state.withLockedValue { $0.messages } }
    var messageCount: Int { state.withLockedValue { $0.messages.count } }

    func record(_ message: ReceivedMessage) {
        let ready = state.withLockedValue { state in
            state.messages.append(message)
            var ready: [(Waiter, [ReceivedMessage])] = []
            var waiting: [Waiter] = []
            for waiter in state.waiters {
                if let result = state.satisfy(waiter.request) {
                    ready.append((waiter, result))
                } else {
                    waiting.append(waiter)
                }
            }
            state.waiters = waiting
            return ready
        }
        for (waiter, result) in ready {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: result)
        }
    }

    /// Waits until `request` can be answered, failing with `SMTPTestServerError` on timeout or
    /// shutdown, and with `CancellationError` when the task is cancelled.
    func wait(for request: WaitRequest, timeout: Duration) async throws -> [ReceivedMessage] {
        let id = state.withLockedValue { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<[ReceivedMessage], any Error>? = state.withLockedValue { state in
                    if let result = state.satisfy(request) { return .success(result) }
                    if state.isShutDown { return .failure(Self.error(.shutDown, request, state)) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    let timer = Task { [weak self] in
                        do { try await Task.sleep(for: timeout) } catch { return }
                        self?.failWaiter(id) { Self.error(.timedOut, request, $0) }
                    }
                    state.waiters.append(Waiter(id: id, request: request, continuation: continuation, timer: timer))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            failWaiter(id) { _ in CancellationError() }
        }
    }

    /// Removes waiter `id`, if still waiting, and fails it with the error `makeError` gives.
    private func failWaiter(_ id: Int, _ makeError: (State) -> any Error) {
        let failed: (Waiter, any Error)? = state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return (state.waiters.remove(at: index), makeError(state))
        }
        guard let (waiter, error) = failed else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private static func error(
        _ code: SMTPTestServerError.Code, _ request: WaitRequest, _ state: State
    ) -> SMTPTestServerError {
        let what =
            switch request {
            case .nextMessage:
                "the next message (\(state.nextMessageIndex) of \(state.messages.count) received already handed out)"
            case .messageCount(let count): "\(count) messages (\(state.messages.count) received)"
            }
        return SMTPTestServerError(
            code: code,
            detail: code == .timedOut ? "timed out waiting for \(what)" : "server shut down while waiting for \(what)")
    }

    // MARK: Shutdown

    /// Refuses further connections, fails every waiter and returns the open connections.
    func shutDown() -> [any Channel] {
        let (channels, waiters) = state.withLockedValue { state in
            state.isShutDown = true
            defer { state.waiters.removeAll() }
            return (
                Array(state.openChannels.values), state.waiters.map { ($0, Self.error(.shutDown, $0.request, state)) }
            )
        }
        for (waiter, error) in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
        return channels
    }
}
