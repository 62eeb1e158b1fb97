/// Building the MIME tree, the top-level headers and the rendering of the whole message.
extension MailMessage {
    /// The body as a MIME part, without the top-level message headers.
    ///
    /// `customBody` if set; otherwise text, HTML and the extra `alternatives`
    /// (multipart/alternative when more than one, in that order), HTML
    /// with its inline `cid:` attachments (multipart/related), and the other attachments
    /// (multipart/mixed). Boundaries derive from the message's random token, so the same
    /// message always yields the same tree. Throws only if a boundary cannot be found.
    public func mimeTree() throws -> MIMEPart {
        if let customBody { return customBody }
        var counter = 0
        func multipart(_ subtype: String, _ parameters: [MIMEParameter], _ parts: [MIMEPart]) throws -> MIMEPart {
            counter += 1
            let suffix = String(counter)
            let preferred = "=_\(boundaryToken)_\(String(repeating: "0", count: max(0, 3 - suffix.count)))\(suffix)"
            do {
                return try MIMEPart.multipart(subtype, parameters: parameters, parts: parts, boundary: preferred)
            } catch let error as MailError where error.code == .invalidBoundary {
                return try MIMEPart.multipart(subtype, parameters: parameters, parts: parts)
            }
        }

        let isInline = { (attachment: Attachment) in attachment.disposition == .inline && attachment.contentID != nil }
        let related = htmlBody == nil ? [] : attachments.filter(isInline)
        let mixed = htmlBody == nil ? attachments : attachments.filter { !isInline($0) }

        let text = try textBody.map { try MIMEPart.plainText($0, charset: textCharset, format: textFormat) }
        var html = try htmlBody.map { try MIMEPart.text($0, subtype: "html", charset: htmlCharset) }
        if let htmlPart = html, !related.isEmpty {
            html = try multipart(
                "related", [MIMEParameter(validatedName: "type", value: "text/html")],
                [htmlPart] + related.map { try $0.mimePart() })
        }
        // Text, HTML, then the extra alternatives: RFC 2046 puts the preferred one last.
        let choices = [text, html].compactMap { $0 } + alternatives
        let body: MIMEPart
        switch choices.count {
        case 0: body = try MIMEPart.text("")
        case 1: body = choices[0]
        default: body = try multipart("alternative", [], choices)
        }
        if mixed.isEmpty { return body }
        return try multipart("mixed", [], [body] + mixed.map { try $0.mimePart() })
    }

    /// The top-level header fields in the order they are written: Date, From, Sender,
    /// Reply-To, To, Cc, Subject, Message-ID, In-Reply-To, References,
    /// Disposition-Notification-To, Return-Receipt-To, Importance, Priority, X-Priority,
    /// Sensitivity, the List-* fields, the extra headers, MIME-Version. Never Bcc.
    public func topLevelHeaders() -> MessageHeaders {
        var fields: [HeaderField] = []
        func add(_ name: String, _ content: HeaderField.Content) {
            fields.append(HeaderField(validatedName: name, content: content))
        }
        if let date { add("Date", .structured(MailDate.format(date, timeZone: dateTimeZone))) }
        add("From", .addresses([from]))
        if let sender { add("Sender", .addresses([sender])) }
        if !replyTo.isEmpty { add("Reply-To", .addresses(replyTo)) }
        if !to.isEmpty { add("To", .addresses(to)) }
        if !cc.isEmpty { add("Cc", .addresses(cc)) }
        add("Subject", .unstructured(subject))
        if let messageID { add("Message-ID", .structured("<\(messageID)>")) }
        if !inReplyTo.isEmpty { add("In-Reply-To", .structured(inReplyTo.map { "<\($0)>" }.joined(separator: " "))) }
        if !references.isEmpty { add("References", .structured(references.map { "<\($0)>" }.joined(separator: " "))) }
        if let readReceiptTo { add("Disposition-Notification-To", .addresses([readReceiptTo])) }
        if let deliveryNotificationTo { add("Return-Receipt-To", .addresses([deliveryNotificationTo])) }
        if let importance { add("Importance", .structured(importance.headerValue)) }
        if let priority {
            add("Priority", .structured(priority.headerValue))
            add("X-Priority", .structured(priority.xPriorityValue))
        }
        if let sensitivity { add("Sensitivity", .structured(sensitivity.headerValue)) }
        fields += listHeaders.fields
        fields += extraHeaders.fields
        add("MIME-Version", .structured("1.0"))
        return MessageHeaders(fields)
    }

    /// Writes the whole message (top-level headers, MIME headers, body) to `output` in chunks;
    /// file attachments are read as they are written.
    public func render(to output: inout some MIMEOutput, options: MIMERenderingOptions = .default) throws {
        var renderer = MIMERenderer(part: try mimeTree(), leadingHeaders: topLevelHeaders(), options: options)
        while let chunk = try renderer.nextChunk() { try output.write(chunk) }
    }

    /// The whole message in memory. Prefer `render(to:)` or `chunks()` for large attachments.
    public func renderedBytes(options: MIMERenderingOptions = .default) throws -> [UInt8] {
        var out: [UInt8] = []
        try render(to: &out, options: options)
        return out
    }

    /// The whole message as an async sequence of chunks produced on demand.
    public func chunks(options: MIMERenderingOptions = .default) throws -> MIMEChunks {
        MIMEChunks(part: try mimeTree(), leadingHeaders: topLevelHeaders(), options: options)
    }
}
