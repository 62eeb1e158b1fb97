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

    /// The file name shown to the recipient, if any.
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
    /// file name. Throws `invalidParameter`, or `invalidHeaderValue` for a bad content ID or
    /// description.
    public init(
        filename: String?, data: [UInt8], contentType: ContentType? = nil,
        disposition: ContentDisposition.Kind = .attachment, contentID: String? = nil, description: String? = nil
    ) throws {
        try self.init(
            filename: filename, source: .data(data), contentType: contentType, disposition: disposition,
            contentID: contentID, description: description)
    }

    /// An attachment read from a file when rendering; the file name defaults to the URL's
    /// last path component and the content type to one guessed from it. Throws
    /// `unreadableAttachment` if `url` is not a file URL.
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

    private init(
        filename: String?, source: Source, contentType: ContentType?, disposition: ContentDisposition.Kind,
        contentID: String?, description: String?
    ) throws {
        // Validate everything the MIME part will need, so building it cannot fail later.
        let part = try Attachment.makePart(
            filename: filename, source: source,
            contentType: contentType ?? filename.map(ContentType.inferred(fromFilename:)) ?? .octetStream,
            disposition: disposition, contentID: contentID, description: description)
        self.filename = filename
        self.contentType = part.contentType
        self.source = source
        self.disposition = disposition
        self.contentID = part.contentID
        self.description = part.contentDescription
    }

    /// The MIME part: the content type gets a `name` parameter and the disposition a
    /// `filename` parameter (RFC 2231-encoded when needed).
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
        case .data(let bytes): part = try MIMEPart.data(bytes, contentType: type)
        case .file(let url): part = try MIMEPart.file(url, contentType: type)
        }
        return
            try part
            .withDisposition(ContentDisposition(disposition, filename: filename))
            .withContentID(contentID)
            .withDescription(description)
    }
}
