import Foundation

/// Copy-returning modifiers.
extension MailMessage {
    private func with(_ change: (inout MailMessage) throws -> Void) rethrows -> MailMessage {
        var copy = self
        try change(&copy)
        return copy
    }

    /// A copy with another author.
    public func withFrom(_ from: MailAddress) -> MailMessage { with { $0.from = from } }

    /// A copy with a Sender (nil removes it).
    public func withSender(_ sender: MailAddress?) -> MailMessage { with { $0.sender = sender } }

    /// A copy with these To recipients.
    public func withTo(_ to: [MailAddress]) -> MailMessage { with { $0.to = to } }

    /// A copy with these Cc recipients.
    public func withCc(_ cc: [MailAddress]) -> MailMessage { with { $0.cc = cc } }

    /// A copy with these Bcc recipients.
    public func withBcc(_ bcc: [MailAddress]) -> MailMessage { with { $0.bcc = bcc } }

    /// A copy with these Reply-To addresses.
    public func withReplyTo(_ replyTo: [MailAddress]) -> MailMessage { with { $0.replyTo = replyTo } }

    /// A copy with another subject. Throws `invalidHeaderValue` for a control character other
    /// than TAB (CR, LF, NUL, ESC, …).
    public func withSubject(_ subject: String) throws -> MailMessage {
        try HeaderField.validate(value: subject, name: "Subject")
        return with { $0.subject = subject }
    }

    /// A copy with another date (nil omits the Date header), written in `timeZone`.
    public func withDate(_ date: Date?, timeZone: TimeZone = .gmt) -> MailMessage {
        with {
            $0.date = date
            $0.dateTimeZone = timeZone
        }
    }

    /// A copy with another Message-ID (with or without `<>`; nil omits the header).
    /// Throws `invalidHeaderValue` unless it looks like `left@right`.
    public func withMessageID(_ id: String?) throws -> MailMessage {
        let validated = try id.map(MessageID.validated)
        return with { $0.messageID = validated }
    }

    /// A copy with an importance (nil removes the header).
    public func withImportance(_ importance: Importance?) -> MailMessage { with { $0.importance = importance } }

    /// A copy with a priority (nil removes the headers).
    public func withPriority(_ priority: Priority?) -> MailMessage { with { $0.priority = priority } }

    /// A copy with a sensitivity (nil removes the header).
    public func withSensitivity(_ sensitivity: Sensitivity?) -> MailMessage { with { $0.sensitivity = sensitivity } }

    /// A copy requesting read receipts at `address` (nil removes the request).
    public func withReadReceiptTo(_ address: MailAddress?) -> MailMessage { with { $0.readReceiptTo = address } }

    /// A copy with a delivery-notification address for the SMTP layer.
    public func withDeliveryNotificationTo(_ address: MailAddress?) -> MailMessage {
        with { $0.deliveryNotificationTo = address }
    }

    /// A copy with another envelope sender (nil uses `from`).
    public func withReturnPath(_ address: MailAddress?) -> MailMessage { with { $0.returnPath = address } }

    /// Header names the message writes itself; `addingHeader` rejects them.
    static let reservedHeaderNames: [String] = [
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Description",
    ]

    /// A copy with an extra top-level header field.
    ///
    /// Throws `invalidHeaderName` for fields the message writes from its properties (From, To,
    /// Bcc, Subject, Content-Type, …) and for trace fields, which servers add while relaying and
    /// delivering: Return-Path (set the envelope sender with `withReturnPath`), Received,
    /// Resent-*, Delivered-To, Authentication-Results, ARC-*.
    public func addingHeader(_ field: HeaderField) throws -> MailMessage {
        if MailMessage.reservedHeaderNames.contains(where: field.matches) {
            throw MailError(
                .invalidHeaderName, "\(field.name) is written from the message's properties", header: field.name)
        }
        if field.isTraceField {
            let advice = field.matches("Return-Path") ? "; set the envelope sender with withReturnPath" : ""
            throw MailError(
                .invalidHeaderName, "\(field.name) is a trace field, added by mail servers\(advice)",
                header: field.name)
        }
        return with { $0.extraHeaders.append(field) }
    }

    /// A copy with an extra header from text (`X-Mailer: …`): unstructured, so non-ASCII words
    /// are RFC 2047-encoded, except that the ASCII value of a known structured field
    /// (References, List-*, Autocrypt, …) is kept verbatim and a non-ASCII one is refused.
    /// Throws `invalidHeaderName` or `invalidHeaderValue`; see `addingHeader(_:)`.
    public func addingHeader(name: String, value: String) throws -> MailMessage {
        try addingHeader(HeaderField.supplied(name: name, value: value))
    }

    /// A copy with extra headers parsed from a PSMTP `OtherHeaders`-style string, each made
    /// like `addingHeader(name:value:)` makes it. See `MessageHeaders(parsing:)` for the
    /// errors of malformed text.
    public func addingHeaders(parsing text: String) throws -> MailMessage {
        var copy = self
        for field in try MessageHeaders(parsing: text) { copy = try copy.addingHeader(field) }
        return copy
    }

    /// A copy with another plain-text body (nil for none).
    public func withText(_ text: String?) -> MailMessage { with { $0.textBody = text } }

    /// A copy with an HTML body (nil for none).
    public func withHTML(_ html: String?) -> MailMessage { with { $0.htmlBody = html } }

    /// A copy with one more attachment.
    public func addingAttachment(_ attachment: Attachment) -> MailMessage { with { $0.attachments.append(attachment) } }

    /// A copy with these attachments.
    public func withAttachments(_ attachments: [Attachment]) -> MailMessage { with { $0.attachments = attachments } }

    /// A copy whose MIME body is `part` instead of the one built from text, HTML and
    /// attachments (nil restores that). This is how PGP/MIME results are installed.
    public func withMIMEBody(_ part: MIMEPart?) -> MailMessage { with { $0.customBody = part } }
}
