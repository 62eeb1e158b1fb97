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
}

extension SMTPSession {
    /// Sends `message`, connecting first if the session is not connected: the PSMTP `Send`.
    ///
    /// The message is rendered while it is written, so file attachments and PGP/MIME
    /// encryption stream through in bounded memory. When an address or header needs
    /// SMTPUTF8, the server must offer it (``SMTPEnvelope/requiresSMTPUTF8``).
    ///
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``; a rendering problem found before anything is sent is thrown
    ///   as the `MailError` it is.
    @discardableResult
    public func send(_ message: MailMessage) async throws -> SMTPDeliveryResult {
        let content = try message.chunks()
        if !isConnected {
            try await connect()
        }
        return try await send(envelope: SMTPEnvelope(message), body: content)
    }
}
