/// An ESMTP parameter of `MAIL FROM` or `RCPT TO` (RFC 5321 section 4.1.2), for example
/// `SIZE=1024`, `BODY=8BITMIME` or `SMTPUTF8`.
public struct SMTPParameter: Hashable, Sendable, CustomStringConvertible {
    /// The keyword: letters, digits and hyphens, starting with a letter or digit.
    public var keyword: String
    /// The value, if the parameter has one: printable characters other than `=` and space
    /// (UTF-8 is allowed, for SMTPUTF8).
    public var value: String?

    /// Creates a parameter.
    ///
    /// - Parameters:
    ///   - keyword: For example `"SIZE"`.
    ///   - value: For example `"1024"`, or `nil` for a keyword-only parameter.
    public init(_ keyword: String, _ value: String? = nil) {
        self.keyword = keyword
        self.value = value
    }

    /// `SIZE=n`: the message size declared to the server (RFC 1870).
    public static func size(_ octets: Int) -> SMTPParameter {
        SMTPParameter("SIZE", String(octets))
    }

    /// `BODY=8BITMIME` (RFC 6152).
    public static let body8BitMIME = SMTPParameter("BODY", "8BITMIME")

    /// `SMTPUTF8` (RFC 6531).
    public static let smtpUTF8 = SMTPParameter("SMTPUTF8")

    /// `KEYWORD` or `KEYWORD=value`.
    public var description: String {
        if let value = self.value {
            return "\(self.keyword)=\(value)"
        }
        return self.keyword
    }

    /// Throws ``SMTPError/Code/invalidInput`` unless keyword and value are well formed.
    public func validate() throws(SMTPError) {
        let keywordBytes = self.keyword.utf8
        guard let first = keywordBytes.first, Self.isAlphaNumeric(first),
            keywordBytes.allSatisfy({ Self.isAlphaNumeric($0) || $0 == UInt8(ascii: "-") })
        else {
            throw SMTPError(.invalidInput, "invalid ESMTP parameter keyword \"\(self.keyword)\"")
        }
        if let value = self.value {
            try SMTPInputValidation.checkNoControlCharacters(value, what: "ESMTP parameter value")
            if value.isEmpty
                || value.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "=") })
            {
                throw SMTPError(
                    .invalidInput, "ESMTP parameter value for \(self.keyword) is empty or contains space or '='")
            }
        }
    }

    private static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
