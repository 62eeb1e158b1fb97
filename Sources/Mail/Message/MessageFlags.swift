/// How important the message is to its recipients (PSMTP `Importance`; `Importance` header).
public enum Importance: Int, Sendable, Hashable, CaseIterable {
    /// `Importance: high` (PSMTP miHigh, 1).
    case high = 1
    /// `Importance: normal` (PSMTP miNormal, 2).
    case normal = 2
    /// `Importance: low` (PSMTP miLow, 3).
    case low = 3

    /// The header value.
    public var headerValue: String {
        switch self {
        case .high: "high"
        case .normal: "normal"
        case .low: "low"
        }
    }
}

/// The delivery priority (PSMTP `Priority`; `Priority` and `X-Priority` headers).
public enum Priority: Int, Sendable, Hashable, CaseIterable {
    /// `Priority: normal`, `X-Priority: 3 (Normal)` (PSMTP epNormal, 1).
    case normal = 1
    /// `Priority: urgent`, `X-Priority: 1 (Highest)` (PSMTP epUrgent, 2).
    case urgent = 2
    /// `Priority: non-urgent`, `X-Priority: 5 (Lowest)` (PSMTP epNonUrgent, 3).
    case nonUrgent = 3

    /// The RFC 2156 `Priority` header value.
    public var headerValue: String {
        switch self {
        case .normal: "normal"
        case .urgent: "urgent"
        case .nonUrgent: "non-urgent"
        }
    }

    /// The `X-Priority` header value understood by common mail clients.
    public var xPriorityValue: String {
        switch self {
        case .normal: "3 (Normal)"
        case .urgent: "1 (Highest)"
        case .nonUrgent: "5 (Lowest)"
        }
    }
}

/// How sensitive the content is (PSMTP `Sensitivity`; RFC 2156 `Sensitivity` header).
public enum Sensitivity: Int, Sendable, Hashable, CaseIterable {
    /// `Sensitivity: Personal` (PSMTP esPersonal, 1).
    case personal = 1
    /// `Sensitivity: Private` (PSMTP esPrivate, 2).
    case `private` = 2
    /// `Sensitivity: Company-Confidential` (PSMTP esCompanyConfidential, 3).
    case companyConfidential = 3

    /// The header value.
    public var headerValue: String {
        switch self {
        case .personal: "Personal"
        case .private: "Private"
        case .companyConfidential: "Company-Confidential"
        }
    }
}
