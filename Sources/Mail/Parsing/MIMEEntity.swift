/// A parsed MIME entity (a whole message or one part of it), with exact byte ranges into the
/// input so signed content can be verified byte for byte.
///
/// All entities of one parse share the input buffer; `rawBytes` and `rawBody` are slices of it.
public struct MIMEEntity: Sendable {
    /// One header field as found in the input.
    public struct Header: Sendable, Hashable {
        /// The field name as written.
        public let name: String
        /// The value unfolded (CRLF before whitespace removed) and trimmed, still encoded.
        public let rawValue: String

        /// The value with RFC 2047 encoded-words decoded (as unstructured text).
        public var decodedValue: String { EncodedWord.decode(rawValue) }
    }

    /// The header fields in order.
    public let headers: [Header]
    /// The byte range of each field of `headers` in the input (its lines and line breaks).
    let headerRanges: [Range<Int>]
    /// The media type (`text/plain; charset=us-ascii` when absent, per RFC 2045).
    public let contentType: ContentType
    /// The Content-Disposition, if present.
    public let contentDisposition: ContentDisposition?
    /// The children of a multipart entity, in order; empty otherwise.
    public let children: [MIMEEntity]
    /// The entity's byte range in the parsed input (headers through body).
    public let range: Range<Int>
    /// The body's byte range in the parsed input.
    public let bodyRange: Range<Int>
    let source: [UInt8]

    /// Parses a message or entity. Line breaks may be CRLF or LF.
    ///
    /// Throws `malformedMIME` for header lines without a colon, invalid Content-Type or
    /// Content-Disposition syntax, multiparts without a usable boundary, parts or closing
    /// delimiter, and nesting deeper than 64 levels.
    public static func parse(_ bytes: [UInt8]) throws -> MIMEEntity {
        try EntityParser.parse(bytes, range: 0..<bytes.count, depth: 0, defaultType: EntityParser.defaultContentType)
    }

    /// The exact bytes of the entity as they appeared in the input.
    public var rawBytes: ArraySlice<UInt8> { source[range] }

    /// The exact bytes of the field at `index` of `headers`, folding and line breaks included.
    func rawHeaderField(at index: Int) -> ArraySlice<UInt8> { source[headerRanges[index]] }

    /// The body exactly as it appeared in the input (still transfer-encoded).
    public var rawBody: ArraySlice<UInt8> { source[bodyRange] }

    /// Whether the entity is multipart.
    public var isMultipart: Bool { contentType.isMultipart }

    /// The decoded value of the first field named `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.first { ASCII.caseInsensitiveEquals($0.name, name) }?.decodedValue
    }

    /// All fields named `name` (case-insensitive), in order.
    public func headers(named name: String) -> [Header] {
        headers.filter { ASCII.caseInsensitiveEquals($0.name, name) }
    }

    /// The mailboxes in the first field named `name` (To, Cc, From, …); empty if absent.
    /// Throws `invalidAddress` if the field does not parse.
    public func addresses(_ name: String) throws -> [MailAddress] {
        guard let field = headers.first(where: { ASCII.caseInsensitiveEquals($0.name, name) }) else { return [] }
        return try MailAddress.parseList(field.rawValue)
    }

    /// The Content-Transfer-Encoding value as written, lower-cased, or nil if absent.
    public var transferEncodingValue: String? {
        headers.first { ASCII.caseInsensitiveEquals($0.name, "Content-Transfer-Encoding") }
            .map { ASCII.lowercased(ASCII.trimmingWSP($0.rawValue)) }
    }

    /// The transfer encoding (7bit when absent); nil if the value is not a known encoding.
    public var transferEncoding: TransferEncoding? {
        transferEncodingValue.map { TransferEncoding(fieldValue: $0) } ?? .sevenBit
    }

    /// The Content-ID without angle brackets, if present.
    public var contentID: String? {
        header("Content-ID").map { value in
            var bytes = Array(ASCII.trimmingWSP(value).utf8)
            if bytes.first == ASCII.lessThan && bytes.last == ASCII.greaterThan && bytes.count >= 2 {
                bytes = Array(bytes.dropFirst().dropLast())
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The file name from Content-Disposition `filename`, else Content-Type `name`
    /// (RFC 2231 decoded; RFC 2047 encoded-words, which some mailers use, decoded too).
    public var filename: String? {
        guard let name = contentDisposition?.filename ?? contentType[parameter: "name"] else { return nil }
        return EncodedWord.looksEncoded(name.utf8) ? EncodedWord.decode(name) : name
    }

    /// The body with its transfer encoding undone.
    /// Throws `malformedMIME` for an unknown encoding or broken base64.
    public func decodedBody() throws -> [UInt8] {
        guard let encoding = transferEncoding else {
            throw MailError(
                .malformedMIME, "unsupported transfer encoding", header: "Content-Transfer-Encoding",
                input: transferEncodingValue)
        }
        switch encoding {
        case .base64: return try Base64.decode(rawBody)
        case .quotedPrintable: return QuotedPrintable.decode(rawBody)
        case .sevenBit, .eightBit, .binary: return Array(rawBody)
        }
    }

    /// The decoded body as text in the `charset` parameter's charset (UTF-8 if unknown or
    /// absent), with CRLF line breaks turned into LF.
    public func decodedText() throws -> String {
        let bytes = try decodedBody()
        var lf: [UInt8] = []
        lf.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if byte == ASCII.cr && index + 1 < bytes.count && bytes[index + 1] == ASCII.lf { continue }
            lf.append(byte)
        }
        let charset = contentType[parameter: "charset"].flatMap(Charset.init(name:)) ?? .utf8
        return charset.decode(lf)
    }
}
