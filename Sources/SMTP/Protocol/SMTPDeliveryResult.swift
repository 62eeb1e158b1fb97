/// The server's answer to one `RCPT TO`.
public struct SMTPRecipientResult: Hashable, Sendable {
    /// The recipient's address, as given in the envelope.
    public var recipient: String
    /// The server's reply to its `RCPT TO`.
    public var reply: SMTPReply

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - recipient: The recipient's address.
    ///   - reply: The reply to its `RCPT TO`.
    public init(recipient: String, reply: SMTPReply) {
        self.recipient = recipient
        self.reply = reply
    }

    /// Whether the server accepted the recipient (a `2yz` reply).
    public var isAccepted: Bool {
        self.reply.isPositiveCompletion
    }
}

/// The outcome of a successful delivery: the server took responsibility for the message
/// for every accepted recipient.
public struct SMTPDeliveryResult: Hashable, Sendable {
    /// The recipients the server accepted, in envelope order.
    public var acceptedRecipients: [SMTPRecipientResult]
    /// The recipients the server refused (only possible when the session does not stop on
    /// recipient errors), in envelope order.
    public var refusedRecipients: [SMTPRecipientResult]
    /// The server's reply to the end of the message data (usually `250`, often carrying a
    /// queue identifier).
    public var reply: SMTPReply
    /// The number of octets sent after the server's `354`: the encoded message (CRLF line
    /// endings, dot-stuffed) including the terminating `.` line.
    public var bytesSent: Int
    /// Whether an earlier attempt of ``SMTPClient`` lost its connection after the end of the
    /// message data and before the server's reply (``SMTPError/mayHaveBeenDelivered``): that
    /// attempt may have delivered the message too, so the recipients may get it twice.
    public var mayBeDuplicate: Bool = false

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - acceptedRecipients: Recipients the server accepted.
    ///   - refusedRecipients: Recipients the server refused.
    ///   - reply: The reply to the end of data.
    ///   - bytesSent: Octets sent as message data.
    public init(
        acceptedRecipients: [SMTPRecipientResult], refusedRecipients: [SMTPRecipientResult],
        reply: SMTPReply, bytesSent: Int
    ) {
        self.acceptedRecipients = acceptedRecipients
        self.refusedRecipients = refusedRecipients
        self.reply = reply
        self.bytesSent = bytesSent
    }
}
