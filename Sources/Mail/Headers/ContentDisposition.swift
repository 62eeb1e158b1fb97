/// The value of a Content-Disposition field (RFC 2183), with RFC 2231 parameters.
public struct ContentDisposition: Sendable, Hashable, CustomStringConvertible {
    /// The disposition type, lower-cased.
    public struct Kind: RawRepresentable, Sendable, Hashable {
        /// The disposition token.
        public let rawValue: String
        /// Creates a kind from a token (lower-cased).
        public init(rawValue: String) { self.rawValue = ASCII.lowercased(rawValue) }
        /// Shown separately, saved by the user.
        public static let attachment = Kind(rawValue: "attachment")
        /// Shown as part of the message.
        public static let inline = Kind(rawValue: "inline")
    }

    /// Attachment or inline.
    public let kind: Kind
    /// The parameters in order (including `filename`).
    public let parameters: [MIMEParameter]

    /// Creates a disposition; `filename` becomes the first parameter.
    ///
    /// Throws `invalidParameter` for a kind that is not a token or an invalid parameter.
    public init(_ kind: Kind, filename: String? = nil, parameters: [MIMEParameter] = []) throws {
        guard !kind.rawValue.isEmpty, kind.rawValue.utf8.allSatisfy(ASCII.isTokenChar) else {
            throw MailError(.invalidParameter, "disposition type must be a token", input: kind.rawValue)
        }
        var all = try filename.map { [try MIMEParameter("filename", $0)] } ?? []
        all += parameters.filter { filename == nil || $0.name != "filename" }
        self.kind = kind
        self.parameters = all
    }

    /// Parses a Content-Disposition field value. Throws `malformedMIME`.
    public init(parsing value: String) throws {
        var lexer = HeaderLexer(value.utf8)
        try lexer.skipCFWS()
        let token = lexer.readToken()
        guard !token.isEmpty else {
            throw MailError(.malformedMIME, "expected a disposition type", header: "Content-Disposition", input: value)
        }
        kind = Kind(rawValue: token)
        parameters = try ParameterParser.parse(&lexer)
    }

    /// The value of a parameter (name compared case-insensitively), or nil.
    public subscript(parameter name: String) -> String? {
        parameters.first { ASCII.caseInsensitiveEquals($0.name, name) }?.value
    }

    /// The suggested file name, if any.
    public var filename: String? { self[parameter: "filename"] }

    /// The value as a person would read it (not encoded).
    public var description: String {
        ([kind.rawValue] + parameters.map(\.description)).joined(separator: "; ")
    }
}
