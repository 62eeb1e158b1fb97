import Foundation

/// A value guarded by a lock, shared between event loop threads and tasks.
///
/// `Synchronization.Mutex` would need macOS 15 (the package supports macOS 14) and
/// `NIOLockedValueBox` a further product dependency, so this wraps `NSLock`.
// `@unchecked Sendable`: `value` is only read or written inside `withLock`, under `lock`.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
