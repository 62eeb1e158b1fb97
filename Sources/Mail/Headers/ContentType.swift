/// A MIME media type with parameters, the value of a Content-Type field (RFC 2045 §5).
public struct ContentType: Sendable, Hashable, CustomStringConvertible {
    /// The top-level type, lower-cased (e.g. `text`).
    public let type: String
    /// The subtype, lower-cased (e.g. `plain`).
    public let subtype: String
    /// The parameters in order.
    public let parameters: [MIMEParameter]

    /// Creates a media type. Throws `invalidParameter` if `type` or `subtype` is not a token.
    public init(type: String, subtype: String, parameters: [MIMEParameter] = []) throws {
        for part in [type, subtype] where part.isEmpty || !part.utf8.allSatisfy(ASCII.isTokenChar) {
            throw MailError(
                .invalidParameter, "media type and subtype must be RFC 2045 tokens", input: "\(type)/\(subtype)")
        }
        self.init(validatedType: type, subtype: subtype, parameters: parameters)
    }

    /// Creates a media type from `type/subtype` and name-value pairs, e.g.
    /// `try ContentType("text/plain", parameters: ["charset": "utf-8"])`.
    public init(_ mimeType: String, parameters: KeyValuePairs<String, String> = [:]) throws {
        let pieces = mimeType.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw MailError(.invalidParameter, "expected type/subtype", input: mimeType)
        }
        try self.init(
            type: String(pieces[0]), subtype: String(pieces[1]),
            parameters: parameters.map { try MIMEParameter($0.key, $0.value) })
    }

    /// Parses a Content-Type field value such as `text/plain; charset="utf-8"`, including
    /// comments and RFC 2231 parameters. Throws `malformedMIME`.
    public init(parsing value: String) throws {
        var lexer = HeaderLexer(value.utf8)
        try lexer.skipCFWS()
        let type = lexer.readToken()
        try lexer.skipCFWS()
        guard !type.isEmpty, lexer.consume(UInt8(ascii: "/")) else {
            throw MailError(.malformedMIME, "expected type/subtype", header: "Content-Type", input: value)
        }
        try lexer.skipCFWS()
        let subtype = lexer.readToken()
        guard !subtype.isEmpty else {
            throw MailError(.malformedMIME, "expected a subtype", header: "Content-Type", input: value)
        }
        let parameters = try ParameterParser.parse(&lexer)
        self.init(validatedType: type, subtype: subtype, parameters: parameters)
    }

    init(validatedType type: String, subtype: String, parameters: [MIMEParameter]) {
        self.type = ASCII.lowercased(type)
        self.subtype = ASCII.lowercased(subtype)
        self.parameters = parameters
    }

    /// `type/subtype` without parameters.
    public var mimeType: String { "\(type)/\(subtype)" }

    /// The value of a parameter (name compared case-insensitively), or nil.
    public subscript(parameter name: String) -> String? {
        parameters.first { ASCII.caseInsensitiveEquals($0.name, name) }?.value
    }

    /// A copy with `name` set to `value`, replacing an existing parameter of that name in place.
    public func setting(_ name: String, to value: String) throws -> ContentType {
        let parameter = try MIMEParameter(name, value)
        var updated = parameters
        if let index = updated.firstIndex(where: { $0.name == parameter.name }) {
            updated[index] = parameter
        } else {
            updated.append(parameter)
        }
        return ContentType(validatedType: type, subtype: subtype, parameters: updated)
    }

    /// Whether the type is `multipart`.
    public var isMultipart: Bool { type == "multipart" }

    /// Whether the type is `text`.
    public var isText: Bool { type == "text" }

    /// The value as a person would read it, e.g. `text/plain; charset="utf-8"` (not encoded).
    public var description: String {
        ([mimeType] + parameters.map(\.description)).joined(separator: "; ")
    }

    /// `text/plain` without parameters.
    public static let textPlain = ContentType(validatedType: "text", subtype: "plain", parameters: [])
    /// `text/html` without parameters.
    public static let textHTML = ContentType(validatedType: "text", subtype: "html", parameters: [])
    /// `application/octet-stream`.
    public static let octetStream = ContentType(validatedType: "application", subtype: "octet-stream", parameters: [])

    /// A media type guessed from a file name's extension; `application/octet-stream` if unknown.
    public static func inferred(fromFilename filename: String) -> ContentType {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return .octetStream }
        let ext = ASCII.lowercased(filename[filename.index(after: dot)...])
        guard let mimeType = knownExtensions[ext] else { return .octetStream }
        let pieces = mimeType.split(separator: "/")
        return ContentType(validatedType: String(pieces[0]), subtype: String(pieces[1]), parameters: [])
    }

    private static let knownExtensions: [String: String] = [
        "txt": "text/plain", "text": "text/plain", "csv": "text/csv", "htm": "text/html", "html": "text/html",
        "xml": "application/xml", "json": "application/json", "pdf": "application/pdf",
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "svg": "image/svg+xml", "ics": "text/calendar", "eml": "message/rfc822",
        "asc": "application/pgp-keys", "pgp": "application/pgp-encrypted", "sig": "application/pgp-signature",
        "doc": "application/msword", "xls": "application/vnd.ms-excel",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mp3": "audio/mpeg", "mp4": "video/mp4", "wav": "audio/wav",
    ]
}
