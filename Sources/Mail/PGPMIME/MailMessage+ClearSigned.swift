import OpenPGP

extension MailMessage {
    /// A copy whose plain-text body is replaced by a cleartext signed version of itself
    /// (RFC 9580 §7): the PSMTP `ClearSignature` setting. The text stays readable in any
    /// mail reader; the top-level headers are not signed.
    ///
    /// A cleartext signature covers one text only, so a message with an HTML body,
    /// attachments or a custom MIME body throws `invalidBody`: sign those with
    /// ``signed(by:options:)`` (PGP/MIME) instead. Some mail readers cannot check cleartext
    /// signatures.
    public func clearSigned(by signer: SecretKey, options: MessageOptions = MessageOptions()) throws -> MailMessage {
        guard let text = textBody, htmlBody == nil, attachments.isEmpty, customBody == nil else {
            throw MailError(
                .invalidBody,
                "a cleartext signature covers a plain-text body only; sign HTML or attachments with signed(by:) (PGP/MIME)"
            )
        }
        return withText(try OpenPGPMessage.clearSign(text, by: [signer], options: options))
    }
}
