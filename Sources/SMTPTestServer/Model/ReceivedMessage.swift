import Foundation

extension SMTPTestServer {
    /// A message the server accepted: its envelope, its content and what the server noticed
    /// about how the client sent it.
    public struct ReceivedMessage: Sendable, Hashable {
        /// The connection it arrived on, counted from 1 in the order connections were accepted.
        public var connectionNumber: Int
        /// The identifier the server gave in its final `250` reply, for example `1.2`
        /// (connection 1, second message on it).
        public var queueID: String
        /// The argument of the last `HELO` or `EHLO` before the message.
        public var heloName: String
        /// Whether that greeting was `EHLO` rather than `HELO`.
        public var usedEHLO: Bool
        /// The reverse path of `MAIL FROM`, without angle brackets; `""` for the null path `<>`.
        public var mailFrom: String
        /// The ESMTP parameters of `MAIL FROM`, in the client's order.
        public var mailParameters: [ESMTPParameter]
        /// The accepted recipients, without angle brackets, in the client's order.
        public var recipients: [String]
        /// The ESMTP parameters of each accepted `RCPT TO`, parallel to `recipients`.
        public var recipientParameters: [[ESMTPParameter]]
        /// The message content exactly as received, with dot-stuffing removed and without the
        /// terminating `.` line. Line endings are kept as the client sent them.
        public var data: [UInt8]
        /// When the terminating `.` line arrived.
        public var receivedAt: Date
        /// Whether the content contained a CR not followed by LF, or an LF not preceded by CR.
        public var hadBareLineEndings: Bool
        /// Whether a line of the content was longer than 998 octets plus CRLF (RFC 5321 4.5.3.1.6).
        public var hadOverlongLines: Bool
        /// Whether the content contained an octet above 127.
        public var containsEightBitData: Bool
        /// Whether the server sent its final reply for the message; `false` when a responder
        /// answered `Response.acceptThenDisconnect`, so the client could not know it arrived.
        public var wasAcknowledged: Bool

        /// Creates a message; the server makes these, tests may make them to compare against.
        public init(
            connectionNumber: Int, queueID: String, heloName: String, usedEHLO: Bool,
            mailFrom: String, mailParameters: [ESMTPParameter], recipients: [String],
            recipientParameters: [[ESMTPParameter]], data: [UInt8], receivedAt: Date,
            hadBareLineEndings: Bool, hadOverlongLines: Bool, containsEightBitData: Bool,
            wasAcknowledged: Bool = true
        ) {
            self.connectionNumber = connectionNumber
            self.queueID = queueID
            self.heloName = heloName
            self.usedEHLO = usedEHLO
            self.mailFrom = mailFrom
            self.mailParameters = mailParameters
            self.recipients = recipients
            self.recipientParameters = recipientParameters
            self.data = data
            self.receivedAt = receivedAt
            self.hadBareLineEndings = hadBareLineEndings
            self.hadOverlongLines = hadOverlongLines
            self.containsEightBitData = containsEightBitData
            self.wasAcknowledged = wasAcknowledged
        }

        /// The content decoded as UTF-8 (invalid sequences become U+FFFD), for assertions.
        public var text: String {
            String(decoding: data, as: UTF8.self)
        }
    }
}
