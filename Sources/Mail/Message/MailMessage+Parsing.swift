import Foundation

/// Reading a raw message (PSMTP `Message`) into a `MailMessage`.
extension MailMessage {
    /// Parses a raw RFC 5322 message (CRLF or LF line breaks); see `init(entity:)`.
    /// Throws `malformedMIME` if the MIME structure does not parse.
    public init(parsing raw: [UInt8]) throws {
        try self.init(entity: MIMEEntity.parse(raw))
    }

    /// A message from a parsed entity.
    ///
    /// Header fields map to the typed properties: From (exactly one mailbox, required),
    /// Sender, To, Cc, Bcc, Reply-To, Subject (RFC 2047 decoded), Date (with its zone
    /// offset; an unparseable Date is dropped, so a relay adds one), Message-ID, In-Reply-To
    /// and References (tokens that are not `<left@right>` are skipped), Importance, Priority
    /// (else X-Priority), Sensitivity, Disposition-Notification-To, Return-Receipt-To and the
    /// List-* fields.
    /// Values these properties cannot hold (an unknown Importance, `List-Post: NO`, …) and
    /// every other field are kept verbatim in `extraHeaders`, except MIME-Version and
    /// Content-* (the body carries those) and the trace fields Received and Return-Path,
    /// which a relay writes and which must not be sent again. A missing Date or Message-ID
    /// stays missing.
    ///
    /// The body maps to `textBody` (text/plain, format=flowed unflowed), `htmlBody`
    /// (text/html), `alternatives` (other parts of a multipart/alternative), inline
    /// attachments (multipart/related after the HTML) and attachments (multipart/mixed after
    /// the body). Any other structure — multipart/signed, multipart/encrypted, unknown
    /// charsets or transfer encodings, deeper nesting — is kept byte for byte as
    /// `customBody` (a pre-rendered entity of the top-level Content-* fields and body).
    ///
    /// Throws `invalidAddress` (with `header` set) for a missing From, several From
    /// mailboxes or an address field that does not parse, `invalidHeaderValue` for a
    /// Subject with CR, LF or NUL, an invalid Message-ID or a field value with control
    /// characters, and `invalidBody` if a kept-as-is body has lines over 998 octets or NUL.
    public init(entity: MIMEEntity) throws {
        func addresses(_ name: String) throws -> [MailAddress] {
            do {
                return try entity.addresses(name)
            } catch let error as MailError {
                throw MailError(error.code, error.message, header: name, input: error.input)
            }
        }
        let authors = try addresses("From")
        guard let from = authors.first else {
            throw MailError(.invalidAddress, "the message has no From mailbox", header: "From")
        }
        guard authors.count == 1 else {
            throw MailError(.invalidAddress, "a From with several mailboxes is not supported", header: "From")
        }
        try self.init(from: from, to: addresses("To"), subject: entity.header("Subject") ?? "", body: "")
        sender = try addresses("Sender").first
        cc = try addresses("Cc")
        bcc = try addresses("Bcc")
        replyTo = try addresses("Reply-To")
        readReceiptTo = try addresses("Disposition-Notification-To").first
        deliveryNotificationTo = try addresses("Return-Receipt-To").first
        messageID = try entity.headers(named: "Message-ID").first.map { try MessageID.validated($0.rawValue) }
        inReplyTo = entity.headers(named: "In-Reply-To").first.map { MailMessage.messageIDs(in: $0.rawValue) } ?? []
        references = entity.headers(named: "References").first.map { MailMessage.messageIDs(in: $0.rawValue) } ?? []
        date = nil
        if let field = entity.headers(named: "Date").first, let parsed = MailDate.parse(field.rawValue) {
            date = parsed
            dateTimeZone = MailMessage.zone(ofDate: field.rawValue) ?? .gmt
        }

        var consumed: Set<String> = [
            "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "in-reply-to",
            "references", "disposition-notification-to", "return-receipt-to", "mime-version", "received",
            "return-path",
        ]
        func mapped<Value>(_ name: String, _ read: (String) -> Value?) -> Value? {
            guard let field = entity.headers(named: name).first, let value = read(ASCII.trimmingWSP(field.rawValue))
            else { return nil }
            consumed.insert(ASCII.lowercased(name))
            return value
        }
        importance = mapped("Importance") { value in
            Importance.allCases.first { ASCII.caseInsensitiveEquals($0.headerValue, value) }
        }
        priority = mapped("Priority") { value in
            Priority.allCases.first { ASCII.caseInsensitiveEquals($0.headerValue, value) }
        }
        if priority == nil {
            priority = mapped("X-Priority") { value in
                switch value.first {
                case "1", "2": .urgent
                case "3": .normal
                case "4", "5": .nonUrgent
                default: nil
                }
            }
        } else if entity.headers(named: "X-Priority").first != nil {
            consumed.insert("x-priority")  // written again from `priority`
        }
        sensitivity = mapped("Sensitivity") { value in
            Sensitivity.allCases.first { ASCII.caseInsensitiveEquals($0.headerValue, value) }
        }
        let (lists, unparsedLists) = ListHeaders.parse(entity.headers)
        listHeaders = lists

        var extra: [HeaderField] = []
        for field in entity.headers {
            let name = ASCII.lowercased(field.name)
            if consumed.contains(name) || name.hasPrefix("content-") { continue }
            if ListHeaders.fieldNames.contains(where: { ASCII.caseInsensitiveEquals($0, name) })
                && !unparsedLists.contains(field)
            {
                continue
            }
            extra.append(try HeaderField(name: field.name, structuredValue: field.rawValue))
        }
        extraHeaders = MessageHeaders(extra)

        if let content = BodyContent(entity) {
            textBody = content.text
            textCharset = content.textCharset
            textFormat = content.textFormat
            htmlBody = content.html
            htmlCharset = content.htmlCharset
            alternatives = content.alternatives
            attachments = content.attachments
        } else {
            textBody = nil
            customBody = try MailMessage.keptBody(entity)
        }
    }

    /// The `<left@right>` identifiers in an In-Reply-To or References value, without `<>`;
    /// anything else (obsolete phrases, comments, broken IDs) is skipped.
    static func messageIDs(in value: String) -> [String] {
        var ids: [String] = []
        var rest = value[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            if let id = try? MessageID.validated(String(rest[open...close])) { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// The zone of a Date value's `+hhmm` / `-hhmm` offset, if it has one.
    static func zone(ofDate value: String) -> TimeZone? {
        let withoutComments = value.split(separator: "(").first ?? ""
        guard let last = withoutComments.split(whereSeparator: { $0 == " " || $0 == "\t" }).last,
            last.count == 5, let sign = last.first, sign == "+" || sign == "-",
            last.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), let digits = Int(last.dropFirst()),
            digits % 100 < 60, digits / 100 < 24
        else { return nil }
        let seconds = (digits / 100 * 3600 + digits % 100 * 60) * (sign == "-" ? -1 : 1)
        return TimeZone(secondsFromGMT: seconds)
    }

    /// The top-level Content-* fields and body, as they were, with CRLF line breaks.
    static func keptBody(_ entity: MIMEEntity) throws -> MIMEPart {
        var bytes: [UInt8] = []
        for (index, field) in entity.headers.enumerated()
        where ASCII.lowercased(field.name).hasPrefix("content-") {
            bytes += entity.rawHeaderField(at: index)
        }
        if bytes.isEmpty { bytes += Array("Content-Type: text/plain; charset=us-ascii\r\n".utf8) }
        bytes += ASCII.crlf
        bytes += entity.rawBody
        if !BodyInspection.hasOnlyCRLF(bytes) { bytes = BodyInspection.canonicalLineBreaks(bytes) }
        return try MIMEPart(renderedEntity: bytes)
    }
}

/// The parts of a parsed body that `MailMessage` can hold as typed properties.
private struct BodyContent {
    var text: String?
    var textCharset = Charset.utf8
    var textFormat = TextFormat.fixed
    var html: String?
    var htmlCharset = Charset.utf8
    var alternatives: [MIMEPart] = []
    var attachments: [Attachment] = []

    /// Nil if the structure is not one `MailMessage.mimeTree()` builds.
    init?(_ entity: MIMEEntity) {
        do {
            guard try readBody(entity) else { return nil }
        } catch {
            return nil
        }
    }

    /// Reads text, HTML, alternative, related or mixed; false for anything else.
    private mutating func readBody(_ entity: MIMEEntity) throws -> Bool {
        if Self.isAttachment(entity) { return false }
        switch (entity.contentType.type, entity.contentType.subtype) {
        case ("text", "plain"): return try readText(entity)
        case ("text", "html"): return try readHTML(entity)
        case ("multipart", "alternative"): return try readAlternative(entity)
        case ("multipart", "related"): return try readRelated(entity)
        case ("multipart", "mixed"): return try readMixed(entity)
        default: return false
        }
    }

    private static func isAttachment(_ entity: MIMEEntity) -> Bool {
        entity.contentDisposition?.kind == .attachment
    }

    private static func charset(of entity: MIMEEntity) -> Charset? {
        guard let name = entity.contentType[parameter: "charset"] else { return .utf8 }
        return Charset(name: name)
    }

    private mutating func readText(_ entity: MIMEEntity) throws -> Bool {
        guard text == nil, let charset = Self.charset(of: entity) else { return false }
        var content = try entity.decodedText()
        if let format = entity.contentType[parameter: "format"], ASCII.caseInsensitiveEquals(format, "flowed") {
            let delSp = entity.contentType[parameter: "delsp"].map { ASCII.caseInsensitiveEquals($0, "yes") } ?? false
            content = FlowedText.decode(content, delSp: delSp)
            textFormat = .flowed(delSp: delSp)
        }
        text = content
        textCharset = charset
        return true
    }

    private mutating func readHTML(_ entity: MIMEEntity) throws -> Bool {
        guard html == nil, let charset = Self.charset(of: entity) else { return false }
        html = try entity.decodedText()
        htmlCharset = charset
        return true
    }

    private mutating func readAlternative(_ entity: MIMEEntity) throws -> Bool {
        for child in entity.children {
            switch (child.contentType.type, child.contentType.subtype) {
            case ("text", "plain") where text == nil && alternatives.isEmpty && html == nil:
                guard try readText(child) else { return false }
            case ("text", "html") where html == nil && alternatives.isEmpty:
                guard try readHTML(child) else { return false }
            case ("multipart", "related") where html == nil && alternatives.isEmpty:
                guard try readRelated(child) else { return false }
            case ("multipart", _):
                return false
            default:
                alternatives.append(try Self.keptLeaf(child))
            }
        }
        return true
    }

    private mutating func readRelated(_ entity: MIMEEntity) throws -> Bool {
        guard let root = entity.children.first, root.contentType.mimeType == "text/html", try readHTML(root) else {
            return false
        }
        for child in entity.children.dropFirst() {
            guard !child.isMultipart, child.contentID != nil else { return false }
            attachments.append(try Self.attachment(child, defaultDisposition: .inline))
        }
        return true
    }

    private mutating func readMixed(_ entity: MIMEEntity) throws -> Bool {
        var children = entity.children[...]
        if let first = children.first, !Self.isAttachment(first),
            ["text/plain", "text/html"].contains(first.contentType.mimeType) || first.isMultipart
        {
            guard try readBody(first) else { return false }
            children = children.dropFirst()
        }
        for child in children {
            guard !child.isMultipart else { return false }
            attachments.append(try Self.attachment(child, defaultDisposition: .attachment))
        }
        return true
    }

    private static func attachment(
        _ entity: MIMEEntity, defaultDisposition: ContentDisposition.Kind
    ) throws
        -> Attachment
    {
        try Attachment(
            filename: entity.filename, data: entity.decodedBody(), contentType: entity.contentType,
            disposition: entity.contentDisposition?.kind ?? defaultDisposition, contentID: entity.contentID,
            description: entity.header("Content-Description"))
    }

    /// A leaf alternative with its body bytes kept in their transfer encoding.
    private static func keptLeaf(_ entity: MIMEEntity) throws -> MIMEPart {
        guard let encoding = entity.transferEncoding else {
            throw MailError(.malformedMIME, "unsupported transfer encoding")
        }
        var bytes = Array(entity.rawBody)
        if !BodyInspection.hasOnlyCRLF(bytes) { bytes = BodyInspection.canonicalLineBreaks(bytes) }
        var part = try MIMEPart.preEncoded(bytes, contentType: entity.contentType, transferEncoding: encoding)
        if let disposition = entity.contentDisposition { part = try part.withDisposition(disposition) }
        return try part.withContentID(entity.contentID).withDescription(entity.header("Content-Description"))
    }
}
