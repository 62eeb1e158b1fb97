import NIOConcurrencyHelpers

/// Wakes tasks waiting for new work: ``signal()`` resumes every waiter and is remembered, so that a waiter that
/// arrives late (it looked for work before the signal and waits after it) returns at once.
final class WakeUpSignal: Sendable {
    private struct State {
        var lastSignal: ContinuousClock.Instant?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Wakes every waiter.
    func signal() {
        let waiters = self.state.withLockedValue { state in
            state.lastSignal = .now
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns after a signal later than `since`, or after `timeout`; throws `CancellationError` if cancelled.
    func wait(since: ContinuousClock.Instant, timeout: Duration) async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal(since: since) }
            await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    private func waitForSignal(since: ContinuousClock.Instant) async {
        let id = self.state.withLockedValue { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLockedValue { state in
                    if Task.isCancelled || (state.lastSignal.map { $0 > since } ?? false) {
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
