extension SMTPTestServer {
    /// A command the server received (or, for `greeting` and `endOfData`, a point of the
    /// session it is about to answer), as a `Configuration.responder` sees it.
    ///
    /// Only lines that parse are shown; syntax errors get their `501` without asking.
    /// Later versions may add cases (for example for `STARTTLS` and `AUTH`), so a responder
    /// should end its `switch` with `default: return nil`.
    public enum Command: Sendable, Hashable {
        /// The connection was just accepted; the reply is the server's greeting.
        case greeting
        /// `HELO domain`.
        case helo(String)
        /// `EHLO domain`.
        case ehlo(String)
        /// `MAIL FROM:<reverse-path> [parameters]`; `""` is the null path `<>`.
        case mail(from: String, parameters: [ESMTPParameter])
        /// `RCPT TO:<forward-path> [parameters]`.
        case rcpt(to: String, parameters: [ESMTPParameter])
        /// `DATA`.
        case data
        /// The terminating `.` line of the content arrived; the reply accepts or rejects `message`.
        /// Not asked for content over `Configuration.maximumMessageSize`, which gets `552`.
        case endOfData(ReceivedMessage)
        /// `RSET`.
        case rset
        /// `NOOP [string]`.
        case noop
        /// `VRFY string`.
        case vrfy(String)
        /// `EXPN string`.
        case expn(String)
        /// `HELP [topic]`.
        case help(String?)
        /// `QUIT`.
        case quit
        /// Any other verb, upper-cased, with the rest of the line.
        case other(verb: String, arguments: String)
    }

    /// Facts about the connection a command arrived on, given to a `Configuration.responder`.
    public struct ConnectionContext: Sendable, Hashable {
        /// The connection, counted from 1 in the order connections were accepted.
        public var connectionNumber: Int
        /// How many messages the server has accepted on this connection so far.
        public var acceptedMessages: Int

        /// Creates a context.
        public init(connectionNumber: Int, acceptedMessages: Int) {
            self.connectionNumber = connectionNumber
            self.acceptedMessages = acceptedMessages
        }
    }

    /// Decides how the server answers a command instead of its default; `nil` keeps the default.
    public typealias Responder = @Sendable (Command, ConnectionContext) -> Response?
}
