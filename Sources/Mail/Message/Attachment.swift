import Foundation

/// A file attached to a message: in-memory bytes or a file read lazily at render time.
public struct Attachment: Sendable {
    /// Where the content comes from.
    public enum Source: Sendable {
        /// Bytes in memory.
        case data([UInt8])
        /// A file, read in chunks when the message is rendered (never loaded whole).
        case file(URL)
    }

    /// The file name shown to the recipient, if any: the last path component of the name
    /// given (both `/` and `\` count as separators).
    public let filename: String?
    /// The media type.
    public let contentType: ContentType
    /// The content.
    public let source: Source
    /// Attachment (shown separately) or inline (e.g. an image referenced from HTML).
    public let disposition: ContentDisposition.Kind
    /// The Content-ID without `<>`, for `cid:` references from HTML.
    public let contentID: String?
    /// A Content-Description, if any.
    public let description: String?
    /// The temporary file behind a spooled `.file` source, removed when the last copy of
    /// the attachment is gone (see `init(…contentsOf:)`); nil otherwise.
    private(set) var spooledFile: SpooledFile?

    /// An attachment of in-memory bytes; the content type defaults to one guessed from the
    /// file name.
    ///
    /// Only the file name's last path component is sent. A `text/*` type without `charset`
    /// gets `charset=us-ascii` for 7-bit data or `charset=utf-8` for valid UTF-8. A
    /// `message/rfc822` type (e.g. guessed from `.eml`) is embedded like
    /// `init(embeddedMessage:filename:)` does, or sent as `application/octet-stream` when the
    /// bytes are not a message. Throws `invalidParameter` (also for a file name without a
    /// usable last component: empty, `.` or `..`), or `invalidHeaderValue` for a bad content
    /// ID or description.
    public init(
        filename: String?, data: [UInt8], contentType: ContentType? = nil,
        disposition: ContentDisposition.Kind = .attachment, contentID: String? = nil, description: String? = nil
    ) throws {
        try self.init(
            filename: filename, source: .data(data), contentType: contentType, disposition: disposition,
            contentID: contentID, description: description)
    }

    /// An attachment read from a file when rendering; the file name defaults to the URL's
    /// last path component and the content type to one guessed from it.
    ///
    /// The file is not read here, so a `text/*` type gets no `charset` added, and a
    /// `message/rfc822` type (`.eml`) is sent as
    /// `application/octet-stream` (base64 is not allowed for message/rfc822, RFC 2046 §5.2.1);
    /// read the bytes and use `init(embeddedMessage:filename:)` to embed a message. Throws
    /// `unreadableAttachment` if `url` is not a file URL, and as `init(filename:data:…)`.
    public init(
        fileURL url: URL, filename: String? = nil, contentType: ContentType? = nil,
        disposition: ContentDisposition.Kind = .attachment, contentID: String? = nil, description: String? = nil
    ) throws {
        guard url.isFileURL else {
            throw MailError(
                .unreadableAttachment, "attachments are read from file URLs only", input: url.absoluteString)
        }
        try self.init(
            filename: filename ?? url.lastPathComponent, source: .file(url), contentType: contentType,
            disposition: disposition, contentID: contentID, description: description)
    }

    /// An attachment rendered from a spooled temporary file that it keeps alive.
    init(
        filename: String?, spooledFile: SpooledFile, contentType: ContentType?, disposition: ContentDisposition.Kind,
        contentID: String?, description: String?
    ) throws {
        try self.init(
            filename: filename, source: .file(spooledFile.url), contentType: contentType, disposition: disposition,
            contentID: contentID, description: description)
        self.spooledFile = spooledFile
    }

    /// A message attached as a `message/rfc822` part (a forwarded `.eml`).
    ///
    /// RFC 2046 §5.2.1 allows only 7bit, 8bit or binary for message/rfc822, so a message whose
    /// bytes are 7-bit with lines of at most 998 octets (line breaks written as CRLF) is
    /// embedded as it is, 7bit. Any other message (8-bit text, longer lines) is sent as a
    /// base64 `application/octet-stream` file named `filename`, or `message.eml` without one,
    /// rather than as 8bit, which needs 8BITMIME all the way. Throws `malformedMIME` if the
    /// bytes do not start with a header block (`Name: value` lines).
    public init(
        embeddedMessage bytes: [UInt8], filename: String? = nil, disposition: ContentDisposition.Kind = .attachment,
        description: String? = nil
    ) throws {
        guard Attachment.isMessage(bytes) else {
            throw MailError(.malformedMIME, "an embedded message must start with a header block")
        }
        try self.init(
            filename: filename, source: .data(bytes), contentType: Attachment.messageType, disposition: disposition,
            contentID: nil, description: description)
    }

    /// `message` rendered and attached as a `message/rfc822` part; see
    /// `init(embeddedMessage:filename:)`. Throws what rendering `message` throws.
    public init(
        embedding message: MailMessage, filename: String? = nil, disposition: ContentDisposition.Kind = .attachment,
        description: String? = nil
    ) throws {
        try self.init(
            embeddedMessage: message.renderedBytes(), filename: filename, disposition: disposition,
            description: description)
    }

    private init(
        filename: String?, source: Source, contentType: ContentType?, disposition: ContentDisposition.Kind,
        contentID: String?, description: String?
    ) throws {
        var filename = try filename.map(Attachment.lastPathComponent)
        var type = contentType ?? filename.map(ContentType.inferred(fromFilename:)) ?? .octetStream
        var source = source
        if type.mimeType == Attachment.messageType.mimeType {
            if let canonical = Attachment.sevenBitMessage(source) {
                source = .data(canonical)
            } else {
                type = .octetStream
                filename = filename ?? Attachment.defaultMessageFilename
            }
        }
        if type.isText, type[parameter: "charset"] == nil, case .data(let bytes) = source,
            let charset = Attachment.charset(of: bytes)
        {
            type = try type.setting("charset", to: charset)
        }
        // Validate everything the MIME part will need, so building it cannot fail later.
        let part = try Attachment.makePart(
            filename: filename, source: source, contentType: type, disposition: disposition,
            contentID: contentID, description: description)
        self.filename = filename
        self.contentType = part.contentType
        self.source = source
        self.disposition = disposition
        self.contentID = part.contentID
        self.description = part.contentDescription
    }

    /// The MIME part: the content type gets a `name` parameter (RFC 2047-encoded when needed,
    /// for old Outlook) and the disposition a `filename` parameter (RFC 2231-encoded when needed).
    public func mimePart() throws -> MIMEPart {
        try Attachment.makePart(
            filename: filename, source: source, contentType: contentType, disposition: disposition,
            contentID: contentID, description: description)
    }

    private static func makePart(
        filename: String?, source: Source, contentType: ContentType, disposition: ContentDisposition.Kind,
        contentID: String?, description: String?
    ) throws -> MIMEPart {
        var type = contentType
        if let filename, type[parameter: "name"] == nil { type = try type.setting("name", to: filename) }
        let part: MIMEPart
        switch source {
        case .data(let bytes):
            // `init` sends only 7-bit messages as message/rfc822 (RFC 2046 §5.2.1).
            let isMessage = type.mimeType == messageType.mimeType
            part = try MIMEPart.data(bytes, contentType: type, transferEncoding: isMessage ? .sevenBit : .base64)
        case .file(let url): part = try MIMEPart.file(url, contentType: type)
        }
        return
            try part
            .withDisposition(ContentDisposition(disposition, filename: filename))
            .withContentID(contentID)
            .withDescription(description)
    }
}
