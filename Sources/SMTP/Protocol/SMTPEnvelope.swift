/// The SMTP envelope of one message: who it is from (the reverse path, where bounces go)
/// and who it goes to, with optional ESMTP parameters. It is independent of the message's
/// `From:`/`To:` headers; `Bcc` recipients appear only here.
public struct SMTPEnvelope: Hashable, Sendable {
    /// One forward path with its `RCPT TO` parameters.
    public struct Recipient: Hashable, Sendable, ExpressibleByStringLiteral {
        /// The mailbox, without angle brackets, for example `"bob@example.org"`.
        public var address: String
        /// ESMTP parameters for this recipient's `RCPT TO`, sent as given.
        public var parameters: [SMTPParameter]
        /// When to send delivery status notifications for this recipient (DSN `NOTIFY`);
        /// `nil` leaves it to the server. Sent only when the server offers `DSN`.
        public var notify: SMTPDSNNotify?
        /// The recipient's original address (DSN `ORCPT=rfc822;…`), when this address was
        /// rewritten (forwarding, aliases). Sent only when the server offers `DSN`.
        public var originalRecipient: String?

        /// Creates a recipient.
        ///
        /// - Parameters:
        ///   - address: The mailbox, without angle brackets.
        ///   - parameters: ESMTP parameters for `RCPT TO`.
        ///   - notify: When to send delivery status notifications (DSN `NOTIFY`).
        ///   - originalRecipient: The original address (DSN `ORCPT`).
        public init(
            _ address: String, parameters: [SMTPParameter] = [], notify: SMTPDSNNotify? = nil,
            originalRecipient: String? = nil
        ) {
            self.address = address
            self.parameters = parameters
            self.notify = notify
            self.originalRecipient = originalRecipient
        }

        /// Creates a recipient without parameters from a literal address.
        ///
        /// - Parameter value: The mailbox, without angle brackets.
        public init(stringLiteral value: String) {
            self.init(value)
        }
    }

    /// The reverse path, without angle brackets; empty for the null sender `<>`.
    public var reversePath: String
    /// ESMTP parameters for `MAIL FROM` (for example `SIZE=`, `BODY=8BITMIME`).
    public var mailParameters: [SMTPParameter]
    /// The recipients, in the order `RCPT TO` is sent.
    public var recipients: [Recipient]
    /// Whether the message content needs SMTPUTF8 (RFC 6531: UTF-8 in headers). Non-ASCII
    /// addresses need it too and are detected on their own; either way the session sends
    /// `MAIL FROM` with `SMTPUTF8` and fails with ``SMTPError/Code/invalidInput`` before
    /// sending anything when the server does not offer it.
    public var requiresSMTPUTF8: Bool = false
    /// What a delivery status notification returns (DSN `RET`); sent only when the server
    /// offers `DSN`.
    public var dsnReturn: SMTPDSNReturn?
    /// An identifier that delivery status notifications quote (DSN `ENVID`); sent only when
    /// the server offers `DSN`.
    public var dsnEnvelopeID: String?
    /// How the content is declared (`BODY=`). `nil` declares nothing, except that a message
    /// sent from memory with 8-bit octets is declared `8BITMIME` when the server offers it.
    /// ``SMTPBodyType/eightBitMIME`` fails with ``SMTPError/Code/invalidInput`` before anything
    /// is sent when the server does not offer `8BITMIME`.
    public var bodyType: SMTPBodyType?

    /// Creates an envelope.
    ///
    /// - Parameters:
    ///   - reversePath: The sender mailbox without angle brackets (`""` for `<>`).
    ///   - recipients: The recipients.
    ///   - mailParameters: ESMTP parameters for `MAIL FROM`.
    public init(reversePath: String, recipients: [Recipient], mailParameters: [SMTPParameter] = []) {
        self.reversePath = reversePath
        self.recipients = recipients
        self.mailParameters = mailParameters
    }

    /// Creates an envelope from plain addresses.
    ///
    /// - Parameters:
    ///   - from: The sender mailbox without angle brackets (`""` for `<>`).
    ///   - to: The recipient mailboxes.
    ///   - mailParameters: ESMTP parameters for `MAIL FROM`.
    ///   - recipientParameters: ESMTP parameters sent with every `RCPT TO`.
    public init(
        from: String, to: [String], mailParameters: [SMTPParameter] = [],
        recipientParameters: [SMTPParameter] = []
    ) {
        self.init(
            reversePath: from,
            recipients: to.map { Recipient($0, parameters: recipientParameters) },
            mailParameters: mailParameters)
    }
}
