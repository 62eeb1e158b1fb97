import Foundation

/// Values made once per key for the whole test run (keys a peer generates, say), shared by
/// test cases running in parallel: the first caller for a key makes the value while later
/// callers for the same key wait for it; callers for other keys are not held up. A failure
/// is remembered and thrown to every caller.
final class OnceCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    // @unchecked: `entries` is only touched under `lock`, each entry's result only under its own lock.
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var result: Result<Value, any Error>?
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private let make: @Sendable (Key) throws -> Value

    init(_ make: @escaping @Sendable (Key) throws -> Value) {
        self.make = make
    }

    func value(for key: Key) throws -> Value {
        let entry = lock.withLock {
            if let existing = entries[key] { return existing }
            let created = Entry()
            entries[key] = created
            return created
        }
        return try entry.lock.withLock {
            if let result = entry.result { return try result.get() }
            let result = Result { try make(key) }
            entry.result = result
            return try result.get()
        }
    }
}
