extension SMTPTestServer {
    /// One ESMTP parameter of a `MAIL FROM` or `RCPT TO` command, such as `SIZE=1024` or `SMTPUTF8`.
    public struct ESMTPParameter: Sendable, Hashable, CustomStringConvertible {
        /// The keyword as the client spelled it, for example `BODY`.
        public var keyword: String
        /// The value after `=`, or `nil` when the parameter has none.
        public var value: String?

        /// Creates a parameter.
        public init(_ keyword: String, value: String? = nil) {
            self.keyword = keyword
            self.value = value
        }

        /// The parameter as it appears on the wire: `KEYWORD` or `KEYWORD=value`.
        public var description: String {
            value.map { "\(keyword)=\($0)" } ?? keyword
        }
    }
}

extension Array where Element == SMTPTestServer.ESMTPParameter {
    /// The first parameter whose keyword matches `keyword`, ignoring case.
    public func first(keyword: String) -> SMTPTestServer.ESMTPParameter? {
        first { $0.keyword.caseInsensitiveEquals(keyword) }
    }

    /// Whether a parameter with the keyword `keyword` (ignoring case) is present.
    public func contains(keyword: String) -> Bool {
        first(keyword: keyword) != nil
    }
}

extension StringProtocol {
    /// ASCII case-insensitive comparison, as SMTP keywords and verbs need.
    func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        uppercased() == other.uppercased()
    }
}
