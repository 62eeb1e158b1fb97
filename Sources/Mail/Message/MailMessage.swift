import Foundation

/// An email message: envelope-relevant addresses, top-level headers and content.
///
/// An immutable value: build one with `init(from:to:subject:body:)` and derive variants with
/// the `with…` methods, which return copies. Rendering is deterministic for a given value
/// (Date and Message-ID are fixed at construction, multipart boundaries derive from a random
/// token drawn at construction), so a message can be rendered once to measure it and again
/// to send it.
public struct MailMessage: Sendable {
    /// The author (From). PSMTP `From`.
    public internal(set) var from: MailAddress
    /// The sender when different from the author (Sender).
    public internal(set) var sender: MailAddress?
    /// Primary recipients (To). PSMTP `SendTo`.
    public internal(set) var to: [MailAddress]
    /// Carbon-copy recipients (Cc). PSMTP `Cc`.
    public internal(set) var cc: [MailAddress]
    /// Blind carbon-copy recipients: in the envelope, never in the headers. PSMTP `BCc`.
    public internal(set) var bcc: [MailAddress]
    /// Reply-To addresses. PSMTP `ReplyTo`.
    public internal(set) var replyTo: [MailAddress]
    /// The subject (unencoded). PSMTP `Subject`.
    public internal(set) var subject: String
    /// The Date header's instant; nil omits the header (a relay adds one). PSMTP `MessageDate`.
    public internal(set) var date: Date?
    /// The time zone the Date header is written in (UTC by default, which reveals nothing
    /// about the sender's location).
    public internal(set) var dateTimeZone: TimeZone
    /// The Message-ID without `<>`; nil omits the header. PSMTP `MessageId`.
    public internal(set) var messageID: String?
    /// PSMTP `Importance`; nil writes no header.
    public internal(set) var importance: Importance?
    /// PSMTP `Priority`; nil writes no header.
    public internal(set) var priority: Priority?
    /// PSMTP `Sensitivity`; nil writes no header.
    public internal(set) var sensitivity: Sensitivity?
    /// Where read receipts go (Disposition-Notification-To). PSMTP `ReadReceiptTo`.
    public internal(set) var readReceiptTo: MailAddress?
    /// Where a delivery notification is asked for: the `Return-Receipt-To` header, as the
    /// PSMTP `DeliveryNotificationTo` writes it. Few servers still honour it; standard delivery
    /// status notifications are asked for in the envelope (`SMTPEnvelope` `NOTIFY`, RFC 3461).
    public internal(set) var deliveryNotificationTo: MailAddress?
    /// The envelope sender (MAIL FROM) when different from `from`. PSMTP `ReturnPath`.
    public internal(set) var returnPath: MailAddress?
    /// Further top-level header fields, written after the standard ones. PSMTP `OtherHeaders`.
    public internal(set) var extraHeaders: MessageHeaders
    /// The plain-text body. PSMTP `MessageText`.
    public internal(set) var textBody: String?
    /// The HTML body; with a text body the two form multipart/alternative.
    public internal(set) var htmlBody: String?
    /// The attachments, in order.
    public internal(set) var attachments: [Attachment]
    /// A MIME body that replaces the one built from `textBody`, `htmlBody` and `attachments`
    /// (e.g. a PGP/MIME multipart/signed or multipart/encrypted part).
    public internal(set) var customBody: MIMEPart?
    /// The Message-IDs this message replies to, without `<>` (In-Reply-To).
    public internal(set) var inReplyTo: [String]
    /// The Message-IDs of the thread so far, oldest first, without `<>` (References).
    public internal(set) var references: [String]
    /// The RFC 2369 / 2919 / 8058 mailing-list fields (List-Id, List-Unsubscribe, …).
    public internal(set) var listHeaders: ListHeaders
    /// The charset the plain-text body is written in.
    public internal(set) var textCharset: Charset
    /// Whether the plain-text body is written as is or as RFC 3676 format=flowed.
    public internal(set) var textFormat: TextFormat
    /// The charset the HTML body is written in.
    public internal(set) var htmlCharset: Charset
    /// Further alternatives (e.g. `text/calendar`), written after the text and HTML bodies
    /// in the multipart/alternative, so a client prefers the last one it can show.
    public internal(set) var alternatives: [MIMEPart]
    /// Random token from which the multipart boundaries of `mimeTree()` are derived.
    let boundaryToken: String

    /// Creates a message with a plain-text body, the current date and a new Message-ID in
    /// the author's domain. Throws `invalidHeaderValue` for a subject with control characters.
    public init(from: MailAddress, to: [MailAddress], subject: String, body: String) throws {
        try HeaderField.validate(value: subject, name: "Subject")
        self.from = from
        self.sender = nil
        self.to = to
        self.cc = []
        self.bcc = []
        self.replyTo = []
        self.subject = subject
        self.date = Date()
        self.dateTimeZone = .gmt
        self.messageID = MessageID.generate(domain: from.domain)
        self.importance = nil
        self.priority = nil
        self.sensitivity = nil
        self.readReceiptTo = nil
        self.deliveryNotificationTo = nil
        self.returnPath = nil
        self.extraHeaders = []
        self.textBody = body
        self.htmlBody = nil
        self.attachments = []
        self.customBody = nil
        self.inReplyTo = []
        self.references = []
        self.listHeaders = .empty
        self.textCharset = .utf8
        self.textFormat = .fixed
        self.htmlCharset = .utf8
        self.alternatives = []
        self.boundaryToken = RandomToken.alphanumeric(24)
    }

    /// Creates a message from PSMTP-style strings: `from` is one address, `to` a
    /// comma-separated list. Throws `invalidAddress` or `invalidHeaderValue`.
    public init(from: String, to: String, subject: String, body: String) throws {
        try self.init(from: MailAddress(from), to: MailAddress.parseList(to), subject: subject, body: body)
    }

    /// To, Cc and Bcc addr-specs in that order, without duplicates (domains compared
    /// case-insensitively), display names removed: the RCPT TO list.
    public var envelopeRecipients: [MailAddress] {
        var seen = Set<String>()
        return (to + cc + bcc).filter { seen.insert($0.normalizedAddrSpec).inserted }.map(\.withoutDisplayName)
    }

    /// The MAIL FROM address: `returnPath` if set, else `from`, without display name.
    public var envelopeSender: MailAddress {
        (returnPath ?? from).withoutDisplayName
    }

    /// Whether any address or header needs the SMTPUTF8 extension.
    public var requiresSMTPUTF8: Bool { requiresSMTPUTF8(to: envelopeRecipients) }

    /// Whether sending the message to `recipients` needs SMTPUTF8: its envelope sender, one
    /// of them, or a header.
    func requiresSMTPUTF8(to recipients: [MailAddress]) -> Bool {
        envelopeSender.requiresSMTPUTF8 || recipients.contains(where: \.requiresSMTPUTF8)
            || topLevelHeaders().requiresSMTPUTF8
    }
}
