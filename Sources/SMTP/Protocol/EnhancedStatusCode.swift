/// An enhanced mail system status code (RFC 3463): `class.subject.detail`, for example
/// `5.1.1` ("bad destination mailbox address").
public struct EnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// The class: 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public var statusClass: Int
    /// The subject (0...999), for example 1 for addressing.
    public var subject: Int
    /// The detail (0...999).
    public var detail: Int

    /// Creates a status code from its three components.
    ///
    /// - Parameters:
    ///   - statusClass: 2, 4 or 5.
    ///   - subject: 0...999.
    ///   - detail: 0...999.
    public init(statusClass: Int, subject: Int, detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses a status code written as `class.subject.detail`.
    ///
    /// - Parameter text: For example `"5.1.1"`. Returns `nil` unless the class is 2, 4 or
    ///   5 and subject and detail are one to three digits each.
    public init?(_ text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts[0].count == 1,
            let statusClass = Self.number(parts[0]), [2, 4, 5].contains(statusClass),
            (1...3).contains(parts[1].count), let subject = Self.number(parts[1]),
            (1...3).contains(parts[2].count), let detail = Self.number(parts[2])
        else {
            return nil
        }
        self.init(statusClass: statusClass, subject: subject, detail: detail)
    }

    /// Parses the status code at the start of a reply line (RFC 2034), if its class
    /// matches the first digit of the reply code and it is followed by a space or the end
    /// of the line.
    init?(prefixOf line: String, replyCode: Int) {
        let token = line.utf8.prefix { $0 != UInt8(ascii: " ") }
        guard let status = EnhancedStatusCode(String(decoding: token, as: UTF8.self)),
            status.statusClass == replyCode / 100
        else {
            return nil
        }
        self = status
    }

    /// `class.subject.detail`.
    public var description: String {
        "\(self.statusClass).\(self.subject).\(self.detail)"
    }

    private static func number(_ digits: Substring.UTF8View) -> Int? {
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                return nil
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return digits.isEmpty ? nil : value
    }
}
