/// What a delivery status notification (RFC 3461) returns of the message.
public enum SMTPDSNReturn: Hashable, Sendable {
    /// The whole message (`RET=FULL`).
    case fullMessage
    /// Only the headers (`RET=HDRS`).
    case headersOnly
}

/// When a recipient's server should send a delivery status notification (RFC 3461 `NOTIFY`).
public struct SMTPDSNNotify: Hashable, Sendable {
    /// A condition that triggers a notification.
    public enum Condition: String, Hashable, Sendable, CaseIterable {
        /// The message was delivered.
        case success = "SUCCESS"
        /// Delivery failed.
        case failure = "FAILURE"
        /// Delivery is delayed.
        case delay = "DELAY"
    }

    /// The conditions; empty means `NEVER`.
    public var conditions: Set<Condition>

    /// Notify on each of `conditions`.
    public init(_ conditions: Set<Condition>) {
        self.conditions = conditions
    }

    /// Never notify (`NOTIFY=NEVER`).
    public static let never = SMTPDSNNotify([])

    /// The `NOTIFY` value: `NEVER` or the conditions in the RFC's order.
    var parameterValue: String {
        guard !self.conditions.isEmpty else {
            return "NEVER"
        }
        return Condition.allCases.filter(self.conditions.contains).map(\.rawValue).joined(separator: ",")
    }
}

/// How the message content is declared with `BODY=` (RFC 6152).
public enum SMTPBodyType: Hashable, Sendable {
    /// Only 7-bit ASCII lines (`BODY=7BIT`).
    case sevenBit
    /// 8-bit octets in lines (`BODY=8BITMIME`); needs the server's `8BITMIME`.
    case eightBitMIME
    /// Any octets, sent exactly as given: no line-ending conversion, no line-length limit
    /// (`BODY=BINARYMIME`, RFC 3030). Needs the server's `BINARYMIME` and `CHUNKING`, and
    /// ``SMTPSession/Configuration/useChunking``.
    case binaryMIME
}

/// RFC 3461 section 4's `xtext`: `+` followed by two upper-case hexadecimal digits for any
/// octet outside `!`–`~` and for `+` and `=`.
enum XText {
    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            if byte >= 0x21, byte <= 0x7E, byte != UInt8(ascii: "+"), byte != UInt8(ascii: "=") {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                output += "+" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}
