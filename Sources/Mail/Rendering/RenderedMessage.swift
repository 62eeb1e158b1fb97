/// A message rendered to its final bytes, exactly once: what is sent, queued, retried and
/// DKIM-signed.
///
/// Rendering a `MailMessage` twice can give different bytes (each render of an encrypted
/// message draws a new session key), so everything that must agree on the bytes (the
/// `SIZE=` declared to the server, a DKIM signature, a retry, a queued copy) works from one
/// `RenderedMessage`. It is held in memory; for attachments too large for that, send the
/// `MailMessage` itself, which streams.
public struct RenderedMessage: Sendable {
    /// The whole message: header block, blank line, body; CRLF line breaks.
    public let bytes: [UInt8]
    /// The octets of the header block, including the CRLF of its last line but not the
    /// blank line that ends it.
    public let headerLength: Int
    /// The Message-ID without `<>`, if the message has one.
    public let messageID: String?
    /// The MAIL FROM address.
    public let envelopeSender: MailAddress
    /// The RCPT TO addresses: To, Cc and Bcc, each once (Bcc never appears in `bytes`).
    public let envelopeRecipients: [MailAddress]
    /// Whether an address or a header needs the SMTPUTF8 extension.
    public let requiresSMTPUTF8: Bool

    /// Wraps rendered bytes. Throws `malformedMIME` if they have no blank line ending a
    /// header block.
    public init(
        bytes: [UInt8], messageID: String?, envelopeSender: MailAddress, envelopeRecipients: [MailAddress],
        requiresSMTPUTF8: Bool
    ) throws {
        guard let headerLength = RenderedMessage.headerBlockLength(bytes) else {
            throw MailError(.malformedMIME, "a message needs a header block ended by an empty line")
        }
        self.bytes = bytes
        self.headerLength = headerLength
        self.messageID = messageID
        self.envelopeSender = envelopeSender
        self.envelopeRecipients = envelopeRecipients
        self.requiresSMTPUTF8 = requiresSMTPUTF8
    }

    /// The size in octets (what `SIZE=` declares before dot-stuffing).
    public var size: Int { bytes.count }

    /// The header block as sent: folded, encoded, CRLF after every line (PSMTP
    /// `MessageHeadersString`).
    public var headerText: String { String(decoding: bytes[..<headerLength], as: UTF8.self) }

    /// The body after the blank line, in its transfer encoding (PSMTP `TransferText`).
    public var body: ArraySlice<UInt8> { bytes[(headerLength + 2)...] }

    /// The header fields as sent, unfolded, in order (PSMTP `MessageHeaders`): `name` and
    /// `rawValue`, with `decodedValue` for RFC 2047 text.
    public var headers: [MIMEEntity.Header] {
        (try? MIMEEntity.parse(Array(bytes[..<headerLength]) + ASCII.crlf))?.headers ?? []
    }

    /// A copy with `field` (a complete header line ending in CRLF, such as a DKIM-Signature
    /// or a trace field) placed before the existing header block.
    public func prepending(headerField field: [UInt8]) throws -> RenderedMessage {
        try RenderedMessage(
            bytes: field + bytes, messageID: messageID, envelopeSender: envelopeSender,
            envelopeRecipients: envelopeRecipients, requiresSMTPUTF8: requiresSMTPUTF8)
    }

    /// The length of the header block of `bytes` (through the CRLF before the first empty
    /// line), or nil when there is no empty line.
    static func headerBlockLength(_ bytes: [UInt8]) -> Int? {
        if bytes.starts(with: ASCII.crlf) { return 0 }
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == ASCII.cr, bytes[index + 1] == ASCII.lf, bytes[index + 2] == ASCII.cr,
                bytes[index + 3] == ASCII.lf
            {
                return index + 2
            }
            index += 1
        }
        return nil
    }
}

extension MailMessage {
    /// The message rendered once to its final bytes: signed and encrypted content is fixed
    /// from here on (see ``RenderedMessage``).
    public func rendered(options: MIMERenderingOptions = .default) throws -> RenderedMessage {
        try rendered(options: options, to: envelopeRecipients)
    }

    /// The message rendered once, addressed to `recipients` rather than its own envelope
    /// recipients (a copy for some of them, see `MailDelivery`).
    func rendered(options: MIMERenderingOptions, to recipients: [MailAddress]) throws -> RenderedMessage {
        try RenderedMessage(
            bytes: try renderedBytes(options: options), messageID: messageID, envelopeSender: envelopeSender,
            envelopeRecipients: recipients, requiresSMTPUTF8: requiresSMTPUTF8(to: recipients))
    }
}
