import Mail
import SMTP

extension SMTPEnvelope {
    /// The envelope of `message`: MAIL FROM its envelope sender (Return-Path or From),
    /// RCPT TO every To, Cc and Bcc address once; it requires SMTPUTF8 when the message's
    /// addresses or headers need it.
    public init(_ message: MailMessage) {
        self.init(
            reversePath: message.envelopeSender.addrSpec,
            recipients: message.envelopeRecipients.map { Recipient($0.addrSpec) })
        self.requiresSMTPUTF8 = message.requiresSMTPUTF8
    }

    /// The envelope of a rendered message: MAIL FROM its envelope sender, RCPT TO its
    /// envelope recipients, SMTPUTF8 when it needs it.
    public init(_ rendered: RenderedMessage) {
        self.init(
            reversePath: rendered.envelopeSender.addrSpec,
            recipients: rendered.envelopeRecipients.map { Recipient($0.addrSpec) })
        self.requiresSMTPUTF8 = rendered.requiresSMTPUTF8
    }
}

extension SMTPSession {
    /// Sends `message`, connecting first if the session is not connected: the PSMTP `Send`.
    ///
    /// The message is rendered while it is written, so file attachments and PGP/MIME
    /// encryption stream through in bounded memory; the rendering (file reads, encryption)
    /// runs on NIO's blocking thread pool, never on Swift's cooperative pool. When an address or header needs
    /// SMTPUTF8, the server must offer it (``SMTPEnvelope/requiresSMTPUTF8``).
    ///
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``; a rendering problem found before anything is sent is thrown
    ///   as the `MailError` it is.
    @discardableResult
    public func send(_ message: MailMessage) async throws -> SMTPDeliveryResult {
        try await self.send(message, envelope: SMTPEnvelope(message))
    }

    /// Sends `message` with an envelope of the caller's (for example with DSN options, or
    /// recipients other than the headers'), connecting first if needed.
    ///
    /// - Parameters:
    ///   - message: The message; its headers are sent as they are.
    ///   - envelope: MAIL FROM, RCPT TO and their parameters.
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``, or the `MailError` of a rendering problem found before anything
    ///   is sent.
    @discardableResult
    public func send(_ message: MailMessage, envelope: SMTPEnvelope) async throws -> SMTPDeliveryResult {
        let content = OffloadedMIMEChunks(part: try message.mimeTree(), leadingHeaders: message.topLevelHeaders())
        if !isConnected {
            try await connect()
        }
        return try await send(envelope: envelope, body: content)
    }

    /// Sends a message rendered once (``Mail/RenderedMessage``), connecting first if needed:
    /// the bytes sent are exactly `rendered.bytes`, and `SIZE=` declares their size.
    ///
    /// - Parameters:
    ///   - rendered: The message's final bytes and envelope addresses.
    ///   - envelope: MAIL FROM and RCPT TO; `SMTPEnvelope(rendered)` when nil.
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``.
    @discardableResult
    public func send(_ rendered: RenderedMessage, envelope: SMTPEnvelope? = nil) async throws -> SMTPDeliveryResult {
        if !isConnected {
            try await connect()
        }
        return try await send(envelope: envelope ?? SMTPEnvelope(rendered), body: rendered.bytes)
    }
}
