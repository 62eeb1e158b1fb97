/// One copy of a message to hand to SMTP with its own envelope recipients (RCPT TO).
///
/// `encryptedDeliveries(recipientCertificates:…)` makes one per set of readers, so that no
/// ciphertext names a Bcc recipient's key to anyone else. Send each `message` to its
/// `recipients` only, not to `message.envelopeRecipients`.
public struct MailDelivery: Sendable {
    /// The encrypted message; it never has Bcc recipients or a Bcc header.
    public let message: MailMessage
    /// The envelope recipients of this copy, without display names.
    public let recipients: [MailAddress]

    /// Creates a delivery of `message` to `recipients`.
    public init(message: MailMessage, recipients: [MailAddress]) {
        self.message = message
        self.recipients = recipients
    }
}

extension MailDelivery {
    /// The copy rendered once to its final bytes, addressed to this copy's `recipients` only
    /// (a Bcc copy goes to its Bcc recipient, whom its headers do not name).
    public func rendered(options: MIMERenderingOptions = .default) throws -> RenderedMessage {
        try message.rendered(options: options, to: recipients)
    }
}
