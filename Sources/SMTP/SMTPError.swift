/// An error raised by the SMTP client: by input validation, by the wire protocol or by the
/// connection.
///
/// Match on ``code`` (stable across releases); ``reply`` carries the server's reply when
/// the error was caused by one, and ``refusedRecipients`` lists the recipients the server
/// refused when the error is ``Code/allRecipientsRefused`` or ``Code/recipientRefused``.
/// Users porting code from the PSMTP class find its numeric code in ``psmtpErrorCode``.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    ///
    /// New codes may be added in minor releases, so `switch` statements over codes should
    /// keep a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connectionFailed
            case connectionClosed
            case timeout
            case cancelled
            case greetingRejected
            case commandRejected
            case noRecipients
            case allRecipientsRefused
            case recipientRefused
            case dataRejected
            case protocolViolation
            case invalidInput
            case lineTooLong
            case notConnected
            case alreadyConnected
            case busy
            case sessionShutDown
            case contentSourceFailed
            case tlsUnavailable
            case tlsHandshakeFailed
            case certificateRejected
            case tlsConfigurationInvalid
            case authenticationUnavailable
            case authenticationFailed
            case proxyFailed
            case messageTooLarge
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The TCP connection could not be established (name resolution, refused, unreachable).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection was closed (by the server, or by a network failure) while an
        /// operation needed it; nothing more can be sent on it.
        public static let connectionClosed = Code(.connectionClosed)
        /// The connection attempt, a reply or the transmission of data did not complete in
        /// time. The connection has been closed.
        public static let timeout = Code(.timeout)
        /// The task performing the operation was cancelled. The connection has been closed
        /// because its protocol state is unknown.
        public static let cancelled = Code(.cancelled)
        /// The server's greeting was not `220` (for example `554` or `421`).
        public static let greetingRejected = Code(.greetingRejected)
        /// The server answered a command with a transient (`4xx`) or permanent (`5xx`)
        /// failure; the reply is attached.
        public static let commandRejected = Code(.commandRejected)
        /// The envelope has no recipient.
        public static let noRecipients = Code(.noRecipients)
        /// The server refused every recipient; nothing was delivered.
        public static let allRecipientsRefused = Code(.allRecipientsRefused)
        /// The server refused some recipients and the session is configured to stop on
        /// recipient errors; nothing was delivered.
        public static let recipientRefused = Code(.recipientRefused)
        /// The server refused the message after `DATA` (the `DATA` command itself or the
        /// content after the terminating dot).
        public static let dataRejected = Code(.dataRejected)
        /// The server sent something that is not a valid SMTP reply, or a reply that makes
        /// no sense at this point of the dialogue.
        public static let protocolViolation = Code(.protocolViolation)
        /// An address, parameter, host name or raw command contains characters that would
        /// break the command line (CR, LF, NUL and other control characters).
        public static let invalidInput = Code(.invalidInput)
        /// The message contains a line longer than 998 octets (RFC 5321 section 4.5.3.1.6).
        public static let lineTooLong = Code(.lineTooLong)
        /// The operation needs an established session.
        public static let notConnected = Code(.notConnected)
        /// `connect()` was called on a connected session.
        public static let alreadyConnected = Code(.alreadyConnected)
        /// Another operation is in progress on this session.
        public static let busy = Code(.busy)
        /// The session has been shut down and cannot be used any more.
        public static let sessionShutDown = Code(.sessionShutDown)
        /// The sequence that supplies streamed message content threw; the error is in
        /// ``SMTPError/underlyingError``. The connection has been closed, because message
        /// data cannot be abandoned any other way.
        public static let contentSourceFailed = Code(.contentSourceFailed)

        /// Transport security was required and cannot be had: the server does not offer
        /// `STARTTLS` (possibly because someone in the path removed it) or refused it. Nothing
        /// else was sent and the connection has been closed.
        public static let tlsUnavailable = Code(.tlsUnavailable)
        /// The TLS handshake failed (protocol version, cipher suites, a closed connection),
        /// or bytes arrived in clear text between the `220` reply to `STARTTLS` and the
        /// handshake. The connection has been closed.
        public static let tlsHandshakeFailed = Code(.tlsHandshakeFailed)
        /// The server's certificate was not accepted: its chain does not lead to a trusted
        /// root, it does not name the host, it expired, it is not the pinned certificate, or
        /// the trust callback refused it. The connection has been closed.
        public static let certificateRejected = Code(.certificateRejected)
        /// A TLS setting cannot be used: a CA file, client certificate or key that cannot be
        /// read or parsed, or a client certificate that does not match its key.
        public static let tlsConfigurationInvalid = Code(.tlsConfigurationInvalid)
        /// Authentication was configured but cannot happen safely: the server offers no
        /// `AUTH` mechanism the client accepts, or the mechanism would send the secret over a
        /// connection without TLS and clear-text authentication was not allowed. Nothing
        /// secret was sent.
        public static let authenticationUnavailable = Code(.authenticationUnavailable)
        /// The server refused the credentials (`535`, `534`, `454`, …), or could not prove it
        /// knows them (SCRAM's server signature did not verify).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The proxy (SOCKS or HTTP `CONNECT`) refused the connection or the credentials, or
        /// answered something that is not its protocol.
        public static let proxyFailed = Code(.proxyFailed)
        /// The message is larger than the limit the server announced with `SIZE`; it was not
        /// sent.
        public static let messageTooLarge = Code(.messageTooLarge)

        /// The name of the code, for example `commandRejected`.
        public var description: String {
            self.base.rawValue
        }

        /// The PSMTP class's numeric error code that corresponds to this code.
        public var psmtpErrorCode: Int {
            switch self.base {
            case .greetingRejected, .commandRejected, .recipientRefused, .dataRejected,
                .protocolViolation:
                // 161: SMTP protocol error. Description contains the server reply.
                return 161
            case .connectionFailed, .connectionClosed:
                // 162: Error communicating with server.
                return 162
            case .noRecipients, .allRecipientsRefused:
                // 165: Please specify a recipient.
                return 165
            case .busy:
                // 166: Busy executing current method.
                return 166
            case .timeout:
                // 201: Timeout.
                return 201
            case .cancelled:
                // 301: Operation interrupted.
                return 301
            case .alreadyConnected:
                // 104: Already connected.
                return 104
            case .notConnected, .sessionShutDown:
                // 212: Action impossible while not connected.
                return 212
            case .contentSourceFailed:
                // 302: Cannot open AttachedFile / could not open file.
                return 302
            case .tlsUnavailable, .tlsHandshakeFailed:
                // 276: Error during handshake.
                return 276
            case .certificateRejected:
                // 280: Error verifying certificate.
                return 280
            case .tlsConfigurationInvalid:
                // 273: Cannot acquire security credentials.
                return 273
            case .authenticationUnavailable, .authenticationFailed, .messageTooLarge:
                // 161: SMTP protocol error (the AUTH/MAIL reply, if any, is attached).
                return 161
            case .proxyFailed:
                // 118: Firewall Error.
                return 118
            case .invalidInput, .lineTooLong:
                // No direct counterpart; 211: Action impossible in control's present state.
                return 211
            }
        }
    }

    /// The kind of failure.
    public var code: Code

    /// The server reply that caused the error, if any.
    public var reply: SMTPReply?

    /// A human-readable explanation of what went wrong.
    public var message: String

    /// The recipients the server refused, with their replies (for
    /// ``Code/allRecipientsRefused`` and ``Code/recipientRefused``; empty otherwise).
    public var refusedRecipients: [SMTPRecipientResult]

    /// The error that caused this one (for example the error thrown by a content source).
    public var underlyingError: (any Error)?

    /// Whether the server may have accepted the message although this error was raised: the
    /// connection was lost (closed, timed out, cancelled) after the end of the message data
    /// was written and before the server's final reply. Sending the message again may deliver
    /// it twice (RFC 1047); not sending it may lose it. Queues record such messages as
    /// "possibly delivered".
    public var mayHaveBeenDelivered = false

    /// This error, marked ``mayHaveBeenDelivered`` and saying so in its message.
    func markedMayHaveBeenDelivered() -> SMTPError {
        guard !self.mayHaveBeenDelivered else { return self }
        var error = self
        error.mayHaveBeenDelivered = true
        error.message +=
            " after the end of the message data, before the server's reply: the server may have accepted the message"
        return error
    }

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A human-readable explanation.
    ///   - reply: The server reply that caused the error, if any.
    ///   - refusedRecipients: The recipients the server refused, if relevant.
    ///   - underlyingError: The error that caused this one, if any.
    public init(
        _ code: Code, _ message: String, reply: SMTPReply? = nil,
        refusedRecipients: [SMTPRecipientResult] = [], underlyingError: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.reply = reply
        self.refusedRecipients = refusedRecipients
        self.underlyingError = underlyingError
    }

    /// The PSMTP class's numeric error code for this error (see ``Code/psmtpErrorCode``).
    public var psmtpErrorCode: Int {
        self.code.psmtpErrorCode
    }

    /// The code, the message and, when present, the server's reply.
    public var description: String {
        var text = "SMTPError.\(self.code): \(self.message)"
        if let reply = self.reply {
            text += " (server replied: \(reply))"
        }
        return text
    }
}
