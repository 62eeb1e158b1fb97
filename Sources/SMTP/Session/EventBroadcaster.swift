import NIOConcurrencyHelpers

/// Fans events (of a session or a client) out to any number of `AsyncStream` subscribers.
///
/// Each subscriber has its own bounded buffer that keeps the newest events: a subscriber
/// that does not keep up loses its oldest undelivered events and never slows down the
/// producer. Subscribing and publishing are synchronous, so a subscriber sees every event
/// published after its ``makeStream(bufferingNewest:)`` call returned.
final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
        var isFinished = false
    }

    private let state = NIOLockedValueBox(State())

    /// A new stream of the events published from now on.
    ///
    /// - Parameter limit: How many undelivered events the stream keeps (at least 1).
    func makeStream(bufferingNewest limit: Int) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Event.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let id: Int? = self.state.withLockedValue { state in
            guard !state.isFinished else {
                return nil
            }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { state in
                _ = state.subscribers.removeValue(forKey: id)
            }
        }
        return stream
    }

    /// Whether anybody listens (to skip building events nobody reads).
    var hasSubscribers: Bool {
        self.state.withLockedValue { !$0.subscribers.isEmpty }
    }

    /// Delivers `event` to every current subscriber.
    func publish(_ event: Event) {
        let subscribers = self.state.withLockedValue { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield(event)
        }
    }

    /// Ends every stream; later subscribers get a finished stream.
    func finish() {
        let subscribers = self.state.withLockedValue { state in
            state.isFinished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
