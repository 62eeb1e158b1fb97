import Foundation

extension MIMEPart {
    /// A text part, `text/<subtype>; charset=<charset>`.
    ///
    /// With `transferEncoding` nil the encoding is chosen from the content: 7bit for ASCII
    /// with lines of at most 76 characters, no trailing whitespace and no line starting with
    /// "From " (so the text survives signing, RFC 3156 §3); quoted-printable otherwise.
    /// Line breaks (LF, CR or CRLF) are written as CRLF.
    ///
    /// Throws `unencodableText` (PSMTP error 434) if the charset cannot represent the text,
    /// `invalidBody` if a requested 7bit/8bit cannot carry it or `binary` is requested.
    public static func text(
        _ text: String, subtype: String = "plain", charset: Charset = .utf8, transferEncoding: TransferEncoding? = nil
    ) throws -> MIMEPart {
        let contentType = try ContentType(
            type: "text", subtype: subtype,
            parameters: [
                MIMEParameter(validatedName: "charset", value: charset.name)
            ])
        let facts = BodyInspection.TextFacts(try charset.encode(text))
        let encoding = transferEncoding ?? (facts.isPlain7Bit ? .sevenBit : .quotedPrintable)
        try checkTextual(facts, encoding: encoding)
        return MIMEPart(contentType: contentType, transferEncoding: encoding, body: .text(text, charset: charset))
    }

    /// A part holding in-memory bytes, base64-encoded by default.
    ///
    /// With `.sevenBit` or `.eightBit` the bytes must be text: their line breaks are written
    /// as CRLF and they are checked (no NUL, lines ≤ 998, ASCII for 7bit). Throws `invalidBody`
    /// for bytes that do not fit, or for `binary`; `invalidParameter` for a multipart type.
    public static func data(
        _ bytes: [UInt8], contentType: ContentType, transferEncoding: TransferEncoding = .base64
    ) throws -> MIMEPart {
        try rejectMultipart(contentType)
        switch transferEncoding {
        case .base64, .quotedPrintable:
            return MIMEPart(contentType: contentType, transferEncoding: transferEncoding, body: .bytes(bytes))
        case .sevenBit, .eightBit, .binary:
            let canonical = BodyInspection.canonicalLineBreaks(bytes)
            try checkTextual(BodyInspection.TextFacts(canonical), encoding: transferEncoding)
            return MIMEPart(contentType: contentType, transferEncoding: transferEncoding, body: .bytes(canonical))
        }
    }

    /// A part whose body is the file at `url`, read in chunks while rendering and written as
    /// base64. The file is not opened here; a missing or unreadable file makes rendering throw
    /// `unreadableAttachment` (PSMTP error 302). Throws `unreadableAttachment` now if `url` is not a
    /// file URL, `invalidParameter` for a multipart type.
    public static func file(_ url: URL, contentType: ContentType) throws -> MIMEPart {
        try rejectMultipart(contentType)
        guard url.isFileURL else {
            throw MailError(
                .unreadableAttachment, "attachments are read from file URLs only", input: url.absoluteString)
        }
        return MIMEPart(contentType: contentType, transferEncoding: .base64, body: .file(url))
    }

    /// A multipart part (`multipart/<subtype>`), e.g. `mixed`, `alternative`, `related`,
    /// `signed` (with `micalg` and `protocol` parameters) or `encrypted` (with `protocol`).
    ///
    /// Without a `boundary` a random one is generated (`=_` and 30 random alphanumerics). Either
    /// way the boundary is checked not to occur in any verbatim content of the descendants
    /// (headers, 7bit/8bit bodies, pre-encoded bytes); base64 and quoted-printable output can
    /// never contain `=_`. Throws `invalidBoundary` for a bad or colliding explicit boundary,
    /// `invalidBody` for no parts, `invalidParameter` for a bad subtype or a `boundary` parameter.
    public static func multipart(
        _ subtype: String, parameters: [MIMEParameter] = [], parts: [MIMEPart], boundary: String? = nil
    ) throws -> MIMEPart {
        guard !parts.isEmpty else {
            throw MailError(.invalidBody, "a multipart needs at least one part")
        }
        if parameters.contains(where: { $0.name == "boundary" }) {
            throw MailError(.invalidParameter, "pass the boundary as the boundary argument")
        }
        _ = try ContentType(type: "multipart", subtype: subtype)
        let haystacks = try Boundary.verbatimContent(of: parts)
        let chosen: String
        if let boundary {
            try Boundary.validate(boundary)
            guard Boundary.isFree(boundary, in: haystacks) else {
                throw MailError(.invalidBoundary, "the boundary occurs in the parts' content", input: boundary)
            }
            chosen = boundary
        } else {
            chosen = try Boundary.generate(avoiding: haystacks)
        }
        let contentType = ContentType(
            validatedType: "multipart", subtype: subtype,
            parameters: [MIMEParameter(validatedName: "boundary", value: chosen)] + parameters)
        return MIMEPart(
            contentType: contentType, transferEncoding: nil, body: .multipart(Multipart(boundary: chosen, parts: parts))
        )
    }

    /// A part whose body bytes are already transfer-encoded and are written verbatim.
    ///
    /// Throws `invalidBody` unless the bytes have CRLF line breaks only, lines of at most 998
    /// octets, no NUL, and only ASCII for 7bit, quoted-printable or base64.
    public static func preEncoded(
        _ bytes: [UInt8], contentType: ContentType, transferEncoding: TransferEncoding
    ) throws -> MIMEPart {
        try rejectMultipart(contentType)
        try checkVerbatim(bytes, sevenBit: transferEncoding.is7BitSafe)
        if transferEncoding == .binary {
            throw MailError(.invalidBody, "binary transfer encoding is not supported for sending")
        }
        return MIMEPart(contentType: contentType, transferEncoding: transferEncoding, body: .preEncoded(bytes))
    }

    /// A part whose already-encoded body is produced while rendering (see `MIMEBodyStream`).
    /// Throws `invalidBody` for `binary`, `invalidParameter` for a multipart type.
    public static func stream(
        _ stream: MIMEBodyStream, contentType: ContentType, transferEncoding: TransferEncoding
    ) throws -> MIMEPart {
        try rejectMultipart(contentType)
        if transferEncoding == .binary {
            throw MailError(.invalidBody, "binary transfer encoding is not supported for sending")
        }
        return MIMEPart(contentType: contentType, transferEncoding: transferEncoding, body: .stream(stream))
    }

    /// A complete pre-rendered entity (headers, blank line, body) written verbatim, such as
    /// the signed content of a multipart/signed message.
    ///
    /// Throws `invalidBody` unless the bytes have CRLF line breaks only, lines of at most
    /// 998 octets and no NUL, and `malformedMIME` if they do not parse as an entity.
    public init(renderedEntity bytes: [UInt8]) throws {
        try MIMEPart.checkVerbatim(bytes, sevenBit: false)
        let entity = try MIMEEntity.parse(bytes)
        self.init(contentType: entity.contentType, transferEncoding: nil, body: .renderedEntity(bytes))
    }

    private static func rejectMultipart(_ contentType: ContentType) throws {
        if contentType.isMultipart {
            throw MailError(
                .invalidParameter, "use MIMEPart.multipart for multipart types", input: contentType.mimeType)
        }
    }

    private static func checkTextual(_ facts: BodyInspection.TextFacts, encoding: TransferEncoding) throws {
        switch encoding {
        case .sevenBit where !facts.allows7Bit:
            throw MailError(.invalidBody, "7bit needs ASCII without NUL in lines of at most 998 octets")
        case .eightBit where !facts.allows8Bit:
            throw MailError(.invalidBody, "8bit needs lines of at most 998 octets without NUL")
        case .binary:
            throw MailError(.invalidBody, "binary transfer encoding is not supported for sending")
        default:
            break
        }
    }

    static func checkVerbatim(_ bytes: [UInt8], sevenBit: Bool) throws {
        guard BodyInspection.hasOnlyCRLF(bytes) else {
            throw MailError(.invalidBody, "verbatim bytes must use CRLF line breaks only")
        }
        guard !bytes.contains(ASCII.nul) else {
            throw MailError(.invalidBody, "verbatim bytes must not contain NUL")
        }
        guard BodyInspection.longestLine(bytes) <= HeaderWriter.hardLimit else {
            throw MailError(.invalidBody, "verbatim bytes have a line longer than 998 octets")
        }
        if sevenBit && bytes.contains(where: { $0 >= 0x80 }) {
            throw MailError(.invalidBody, "7-bit content must be ASCII")
        }
    }
}
