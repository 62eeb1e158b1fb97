/// A Content-Transfer-Encoding (RFC 2045 §6).
public enum TransferEncoding: String, Sendable, Hashable, CaseIterable {
    /// ASCII lines of at most 998 octets; written as is.
    case sevenBit = "7bit"
    /// Lines of at most 998 octets, 8-bit allowed (needs 8BITMIME); written as is.
    case eightBit = "8bit"
    /// Arbitrary octets (needs BINARYMIME). Accepted when parsing only.
    case binary = "binary"
    /// Quoted-printable.
    case quotedPrintable = "quoted-printable"
    /// Base64 in 76-character lines.
    case base64 = "base64"

    /// Parses a field value, ignoring case and surrounding whitespace; nil if unknown.
    public init?(fieldValue: String) {
        self.init(rawValue: ASCII.lowercased(ASCII.trimmingWSP(fieldValue)))
    }

    /// Whether the encoded form is plain 7-bit ASCII (7bit, quoted-printable, base64).
    public var is7BitSafe: Bool { self != .eightBit && self != .binary }
}
