/// An error raised while composing, rendering or parsing mail.
///
/// `code` is stable and meant for programs; `message` and the context properties
/// (`header`, `input`, `offset`) are for people reading logs.
public struct MailError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error category.
    ///
    /// The set is closed: only the library creates codes. New codes may be added in minor
    /// releases, so `switch` statements over codes should keep a `default` branch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// An address is not a plausible mailbox or contains forbidden characters.
        public static let invalidAddress = Code("invalidAddress")
        /// A header name is empty or contains characters other than printable ASCII without ':'.
        public static let invalidHeaderName = Code("invalidHeaderName")
        /// A header value contains CR, LF, NUL or cannot be written within 998 octets per line.
        public static let invalidHeaderValue = Code("invalidHeaderValue")
        /// A MIME type, parameter name or parameter value is not acceptable.
        public static let invalidParameter = Code("invalidParameter")
        /// A multipart boundary is syntactically invalid or occurs in the content it delimits.
        public static let invalidBoundary = Code("invalidBoundary")
        /// Body bytes cannot be written with the requested transfer encoding
        /// (bare CR or LF, NUL, 8-bit data in 7bit, lines over 998 octets).
        public static let invalidBody = Code("invalidBody")
        /// Text cannot be represented in the requested charset.
        public static let unencodableText = Code("unencodableText")
        /// The headers of a pre-rendered entity cannot be changed.
        public static let preRenderedEntity = Code("preRenderedEntity")
        /// A file attachment could not be opened or read while rendering.
        public static let unreadableAttachment = Code("unreadableAttachment")
        /// Input to the MIME parser is not well-formed.
        public static let malformedMIME = Code("malformedMIME")

        /// The code's stable name, for example `invalidAddress`.
        public var description: String { name }
    }

    /// What went wrong, as a stable category.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The header concerned, if any.
    public let header: String?
    /// The offending input, shortened and with control characters escaped.
    public let input: String?
    /// The byte offset into parsed input, for parser errors.
    public let offset: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, header: String? = nil, input: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.header = header
        self.input = input.map(MailError.sanitized)
        self.offset = offset
    }

    /// The numeric error code of the PSMTP class for the same condition, if there is one.
    ///
    /// 302 "Cannot open AttachedFile"; 434 "Unable to convert string to selected CodePage".
    public var psmtpErrorCode: Int? {
        switch code {
        case .unreadableAttachment: 302
        case .unencodableText: 434
        default: nil
        }
    }

    /// A one-line summary with all context.
    public var description: String {
        var text = "MailError.\(code): \(message)"
        if let header { text += " (header \(header))" }
        if let offset { text += " (offset \(offset))" }
        if let input { text += " (input \"\(input)\")" }
        return text
    }

    private static func sanitized(_ input: String) -> String {
        var out = ""
        for scalar in input.unicodeScalars.prefix(200) {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if input.unicodeScalars.count > 200 { out += "…" }
        return out
    }
}
