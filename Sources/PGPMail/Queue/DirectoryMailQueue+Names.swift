import Foundation

/// The file names of the directory queue's states. The state lives in the name, so finding due entries or
/// expired leases needs only a directory listing, and every transition is one `rename(2)` of an exact name.
///
/// - `queued/<id>.<attempts>.<notBefore>`
/// - `claimed/<id>.<attempts>.<leaseExpiry>.<owner token>`
/// - `sent/<id>.<attempts>` and `failed/<id>.<attempts>`
/// - `reasons/<id>.<attempt index>` (the error of that attempt)
///
/// Times are milliseconds since 1970 in decimal. The owner token is up to 24 characters of the owner (others
/// replaced by `_`) and a 64-bit FNV-1a hash of the whole owner, so any owner string gives a short, safe name.
enum QueueFileName {
    /// Attempt counts above this make a name invalid (a garbled name must not drive loops).
    static let maximumAttempts = 1_000_000

    /// The attempt count after one more attempt, held at ``maximumAttempts`` so the name stays valid.
    static func attempt(after attempts: Int) -> Int {
        min(attempts + 1, self.maximumAttempts)
    }

    struct Queued: Hashable {
        var id: MailQueueEntryID
        var attempts: Int
        var notBefore: Int64
    }

    struct Claimed: Hashable {
        var id: MailQueueEntryID
        var attempts: Int
        var leaseExpiry: Int64
        var ownerToken: String
    }

    struct Finished: Hashable {
        var id: MailQueueEntryID
        var attempts: Int
    }

    static func name(_ entry: Queued) -> String {
        "\(entry.id.rawValue).\(entry.attempts).\(entry.notBefore)"
    }

    static func name(_ entry: Claimed) -> String {
        "\(entry.id.rawValue).\(entry.attempts).\(entry.leaseExpiry).\(entry.ownerToken)"
    }

    static func name(_ entry: Finished) -> String {
        "\(entry.id.rawValue).\(entry.attempts)"
    }

    static func reason(_ id: MailQueueEntryID, attempt: Int) -> String {
        "\(id.rawValue).\(attempt)"
    }

    static func parseQueued(_ name: String) -> Queued? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let id = MailQueueEntryID(rawValue: String(parts[0])),
            let attempts = self.attempts(parts[1]), let notBefore = self.time(parts[2])
        else {
            return nil
        }
        return Queued(id: id, attempts: attempts, notBefore: notBefore)
    }

    static func parseClaimed(_ name: String) -> Claimed? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let id = MailQueueEntryID(rawValue: String(parts[0])),
            let attempts = self.attempts(parts[1]), let expiry = self.time(parts[2]), !parts[3].isEmpty
        else {
            return nil
        }
        return Claimed(id: id, attempts: attempts, leaseExpiry: expiry, ownerToken: String(parts[3]))
    }

    static func parseFinished(_ name: String) -> Finished? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = MailQueueEntryID(rawValue: String(parts[0])),
            let attempts = self.attempts(parts[1])
        else {
            return nil
        }
        return Finished(id: id, attempts: attempts)
    }

    /// The ID of an entry file of `state`, nil for names that are not entries (ignored).
    static func id(of name: String, in state: MailQueueEntryState) -> MailQueueEntryID? {
        switch state {
        case .queued: return self.parseQueued(name)?.id
        case .claimed: return self.parseClaimed(name)?.id
        case .sent, .failed: return self.parseFinished(name)?.id
        }
    }

    private static func attempts(_ text: Substring) -> Int? {
        guard text.utf8.count <= 7, let value = Int(text), value >= 0, value <= self.maximumAttempts else {
            return nil
        }
        return value
    }

    private static func time(_ text: Substring) -> Int64? {
        guard text.utf8.count <= 16, let value = Int64(text), value >= 0 else {
            return nil
        }
        return value
    }

    /// Milliseconds since 1970, clamped to 0...10^15 (year 33658) so that no date traps.
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite else {
            return value > 0 ? 1_000_000_000_000_000 : 0
        }
        return Int64(min(max(value, 0), 1_000_000_000_000_000))
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A short token for `owner` that is safe in a file name and has no dot.
    static func ownerToken(_ owner: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in owner.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        var readable = ""
        for scalar in owner.unicodeScalars.prefix(24) {
            let isSafe =
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_"
            readable.unicodeScalars.append(isSafe ? scalar : "_")
        }
        let hex = String(hash, radix: 16)
        return readable + "~" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Duration {
    /// Whole milliseconds, clamped to 0...10 years: a lease or a wait given by a caller, safe to add to a time.
    package var clampedMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0 else {
            return 0
        }
        let limit: Int64 = 10 * 366 * 86_400
        return min(seconds, limit) * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
