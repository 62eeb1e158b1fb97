import Mail

extension SMTPEnvelope {
    /// The envelope of `message`: MAIL FROM its envelope sender (Return-Path or From),
    /// RCPT TO every To, Cc and Bcc address once.
    public init(_ message: MailMessage) {
        self.init(
            reversePath: message.envelopeSender.addrSpec,
            recipients: message.envelopeRecipients.map { Recipient($0.addrSpec) })
    }
}

extension SMTPSession {
    /// Sends `message`, connecting first if the session is not connected: the PSMTP `Send`.
    ///
    /// The message is rendered while it is written, so file attachments and PGP/MIME
    /// encryption stream through in bounded memory. When an address or header needs
    /// SMTPUTF8, the server must offer it.
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
        var envelope = SMTPEnvelope(message)
        if message.requiresSMTPUTF8 {
            guard capabilities?.supportsSMTPUTF8 == true else {
                throw SMTPError(.invalidInput, "the message needs SMTPUTF8 (non-ASCII addresses or headers), which \(configuration.host) does not offer")
            }
            envelope.mailParameters.append(SMTPParameter("SMTPUTF8"))
        }
        return try await send(envelope: envelope, body: content)
    }
}
