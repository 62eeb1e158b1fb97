import Foundation

/// The ID of a queue entry: 26 lowercase characters `[0-9a-z]` sortable by enqueue time (time prefix + random),
/// safe as a file name.
///
/// The first 11 characters are the enqueue time in microseconds since 1970 in base 36 (zero-padded, so the
/// order of IDs is the order of enqueue times up to the year 5700); the last 15 are random (77 bits), so IDs
/// made in the same microsecond by different processes do not collide.
public struct MailQueueEntryID: Hashable, Sendable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The 26 characters.
    public let rawValue: String

    /// The length of every ID.
    static let length = 26
    /// The length of the time prefix.
    static let timeLength = 11

    /// Accepts exactly 26 characters from `[0-9a-z]`.
    ///
    /// - Parameter rawValue: The text of an ID.
    public init?(rawValue: String) {
        let bytes = rawValue.utf8
        guard bytes.count == Self.length, bytes.allSatisfy(Self.isIDCharacter) else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// Parses an ID from its ``description``.
    ///
    /// - Parameter description: The text of an ID.
    public init?(_ description: String) {
        self.init(rawValue: description)
    }

    /// The 26 characters.
    public var description: String {
        self.rawValue
    }

    /// The enqueue time encoded in the ID's prefix (microsecond precision).
    public var enqueuedAt: Date {
        var microseconds: Int64 = 0
        for byte in self.rawValue.utf8.prefix(Self.timeLength) {
            // At most 36^11 < 2^57: no overflow.
            microseconds = microseconds * 36 + Int64(Self.digitValue(byte))
        }
        return Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// Orders by enqueue time, then by the random suffix.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// A new ID for an entry enqueued at `date`.
    package static func generate(at date: Date = Date()) -> MailQueueEntryID {
        let maximum = Int64(36).power(Self.timeLength) - 1
        let microseconds = min(
            max(Int64(exactly: (date.timeIntervalSince1970 * 1_000_000).rounded(.down)) ?? 0, 0), maximum)
        var text = Self.base36(UInt64(microseconds), width: Self.timeLength)
        // 36^12 and 36^3 fit in 64 bits; `random(in:)` is uniform.
        text += Self.base36(UInt64.random(in: 0..<UInt64(36).power(12)), width: 12)
        text += Self.base36(UInt64.random(in: 0..<UInt64(36).power(3)), width: 3)
        return MailQueueEntryID(rawValue: text)!
    }

    private static func base36(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 36, uppercase: false)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func isIDCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func digitValue(_ byte: UInt8) -> Int {
        byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : Int(byte - UInt8(ascii: "a")) + 10
    }
}

extension FixedWidthInteger {
    /// `self` raised to `exponent` (callers keep the result in range).
    fileprivate func power(_ exponent: Int) -> Self {
        var result: Self = 1
        for _ in 0..<exponent {
            result *= self
        }
        return result
    }
}
