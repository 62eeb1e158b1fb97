import Foundation

/// A MIME entity to render: content headers and a body.
///
/// Parts are immutable values built by the factories (`text`, `data`, `file`, `multipart`,
/// `preEncoded`, `stream`, `init(renderedEntity:)`) and refined by `with…` methods that
/// return copies. Rendering the same part twice gives the same bytes (boundaries are fixed
/// at construction), so a part can be rendered once to sign it and again to send it.
public struct MIMEPart: Sendable {
    /// The media type.
    public let contentType: ContentType
    /// The transfer encoding; nil for multipart and pre-rendered entities (no header).
    public let transferEncoding: TransferEncoding?
    /// The Content-Disposition, if any.
    public let disposition: ContentDisposition?
    /// The Content-ID without angle brackets, if any.
    public let contentID: String?
    /// The Content-Description, if any.
    public let contentDescription: String?
    /// Further header fields, written after the content fields.
    public let otherHeaders: MessageHeaders
    /// The body.
    public let body: MIMEBody
    /// The header folding width this part and its descendants are always rendered with,
    /// whatever the render options say: set on content whose exact bytes were signed.
    let fixedHeaderLineLength: Int?

    init(
        contentType: ContentType, transferEncoding: TransferEncoding?, body: MIMEBody,
        disposition: ContentDisposition? = nil, contentID: String? = nil, contentDescription: String? = nil,
        otherHeaders: MessageHeaders = [], fixedHeaderLineLength: Int? = nil
    ) {
        self.contentType = contentType
        self.transferEncoding = transferEncoding
        self.disposition = disposition
        self.contentID = contentID
        self.contentDescription = contentDescription
        self.otherHeaders = otherHeaders
        self.body = body
        self.fixedHeaderLineLength = fixedHeaderLineLength
    }

    /// The part's header fields in render order (empty for a pre-rendered entity, whose
    /// headers are inside its bytes).
    public var headers: MessageHeaders {
        if case .renderedEntity = body { return [] }
        var fields: [HeaderField] = [HeaderField(contentType: contentType)]
        if let transferEncoding {
            fields.append(
                HeaderField(validatedName: "Content-Transfer-Encoding", content: .structured(transferEncoding.rawValue))
            )
        }
        if let disposition { fields.append(HeaderField(contentDisposition: disposition)) }
        if let contentID {
            fields.append(HeaderField(validatedName: "Content-ID", content: .structured("<\(contentID)>")))
        }
        if let contentDescription {
            fields.append(HeaderField(validatedName: "Content-Description", content: .unstructured(contentDescription)))
        }
        return MessageHeaders(fields + otherHeaders.fields)
    }

    /// The children of a multipart part, else empty.
    public var parts: [MIMEPart] {
        if case .multipart(let multipart) = body { return multipart.parts }
        return []
    }

    /// The boundary of a multipart part, else nil.
    public var boundary: String? {
        if case .multipart(let multipart) = body { return multipart.boundary }
        return nil
    }

    // MARK: Refinements

    /// A copy with the given Content-Disposition (nil removes it).
    public func withDisposition(_ disposition: ContentDisposition?) throws -> MIMEPart {
        try requireHeaders()
        return copy(disposition: .some(disposition))
    }

    /// A copy with the given Content-ID (with or without `<>`; nil removes it).
    /// Throws `invalidHeaderValue` unless it looks like `left@right`.
    public func withContentID(_ id: String?) throws -> MIMEPart {
        try requireHeaders()
        return copy(contentID: .some(try id.map(MessageID.validated)))
    }

    /// A copy with the given Content-Description (nil removes it).
    /// Throws `invalidHeaderValue` for control characters other than TAB.
    public func withDescription(_ text: String?) throws -> MIMEPart {
        try requireHeaders()
        if let text { try HeaderField.validate(value: text, name: "Content-Description") }
        return copy(contentDescription: .some(text.map(ASCII.trimmingWSP)))
    }

    /// A copy with an extra header field. Content fields have typed properties and are
    /// rejected here with `invalidHeaderName`.
    public func addingHeader(_ field: HeaderField) throws -> MIMEPart {
        try requireHeaders()
        let typed = [
            "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Description",
        ]
        if typed.contains(where: field.matches) {
            throw MailError(.invalidHeaderName, "set \(field.name) through MIMEPart's typed API", header: field.name)
        }
        return copy(otherHeaders: otherHeaders.appending(field))
    }

    /// A copy that renders with `maxHeaderLineLength`, its descendants too, under any render
    /// options: the bytes a signature covers must be the bytes that are sent.
    func fixingHeaderLineLength(_ maxHeaderLineLength: Int) -> MIMEPart {
        MIMEPart(
            contentType: contentType, transferEncoding: transferEncoding, body: body, disposition: disposition,
            contentID: contentID, contentDescription: contentDescription, otherHeaders: otherHeaders,
            fixedHeaderLineLength: maxHeaderLineLength)
    }

    private func requireHeaders() throws {
        if case .renderedEntity = body {
            throw MailError(.preRenderedEntity, "the headers of a pre-rendered entity cannot be changed")
        }
    }

    private func copy(
        disposition: ContentDisposition?? = nil, contentID: String?? = nil, contentDescription: String?? = nil,
        otherHeaders: MessageHeaders? = nil
    ) -> MIMEPart {
        MIMEPart(
            contentType: contentType, transferEncoding: transferEncoding, body: body,
            disposition: disposition ?? self.disposition, contentID: contentID ?? self.contentID,
            contentDescription: contentDescription ?? self.contentDescription,
            otherHeaders: otherHeaders ?? self.otherHeaders, fixedHeaderLineLength: fixedHeaderLineLength)
    }
}
