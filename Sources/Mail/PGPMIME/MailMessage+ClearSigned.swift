import OpenPGP

extension MailMessage {
    /// A copy whose plain-text body is replaced by a cleartext signed version of itself
    /// (RFC 9580 §7): the PSMTP `ClearSignature` setting. The same as
    /// ``inlineSigned(by:options:processAttachments:)`` without processing attachments.
    ///
    /// A cleartext signature covers one text only, so a message with an HTML body,
    /// attachments or a custom MIME body throws `invalidBody`: sign those with
    /// ``signed(by:options:)`` (PGP/MIME), or sign attachments one by one with
    /// `inlineSigned(by:options:processAttachments: true)`. Some mail readers cannot check
    /// cleartext signatures.
    public func clearSigned(by signer: SecretKey, options: MessageOptions = MessageOptions()) throws -> MailMessage {
        try inlineSigned(by: signer, options: options)
    }
}
