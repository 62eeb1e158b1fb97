extension SMTPTestServer {
    /// How a test server listens, what it advertises and how it answers.
    public struct Configuration: Sendable {
        /// The name the server gives in its greeting and replies.
        public var hostname: String
        /// The address to listen on.
        public var host: String
        /// The port to listen on; `0` picks a free one (see `SMTPTestServer.port`).
        public var port: Int
        /// The greeting text: the server greets with `220 <hostname> ESMTP <greeting>`
        /// (`SMTP` instead of `ESMTP` when `supportsEHLO` is false).
        public var greeting: String
        /// Whether `EHLO` is understood. When `false` it gets `502`, clients must fall back to
        /// `HELO`, and no extension (nor ESMTP parameter, nor enhanced status code) is offered.
        public var supportsEHLO: Bool
        /// The `EHLO` keywords advertised, one per line, besides `SIZE` (see
        /// `maximumMessageSize`). The server implements `PIPELINING`, `8BITMIME`,
        /// `ENHANCEDSTATUSCODES`, `SMTPUTF8` and the parameters of `DSN`; it accepts the ESMTP
        /// parameters of an advertised extension only. Listing a keyword whose commands it does
        /// not implement (`STARTTLS`, `AUTH`, `CHUNKING`) advertises it falsely: its commands
        /// get `502`, which is useful only to test a client's reaction.
        public var extensions: [String]
        /// The largest message content accepted, in octets, advertised as `SIZE n`; larger ones
        /// get `552`, at `MAIL FROM` when its `SIZE=` says so, else after the content.
        /// `nil`: no limit and no `SIZE` keyword.
        public var maximumMessageSize: Int?
        /// The most recipients accepted per message; further `RCPT TO` get `452`. `nil`: no limit.
        public var maximumRecipients: Int?
        /// The mailboxes `VRFY` confirms. When empty, `VRFY` answers `252` (cannot verify,
        /// will accept) as most public servers do.
        public var users: [Mailbox]
        /// The mailing lists `EXPN` expands, by list name (matched ignoring case). When empty,
        /// `EXPN` answers `502`.
        public var mailingLists: [String: [Mailbox]]
        /// Overrides the default answer to chosen commands, to script failures; see `Response`.
        /// It is called on the server's event loop threads, concurrently for different
        /// connections, so it must be quick and thread-safe.
        public var responder: Responder?

        /// Creates a configuration; every argument has a default.
        public init(
            hostname: String = "pgpmail.test",
            host: String = "127.0.0.1",
            port: Int = 0,
            greeting: String = "PGPMail test server",
            supportsEHLO: Bool = true,
            extensions: [String] = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"],
            maximumMessageSize: Int? = 52_428_800,
            maximumRecipients: Int? = nil,
            users: [Mailbox] = [],
            mailingLists: [String: [Mailbox]] = [:],
            responder: Responder? = nil
        ) {
            self.hostname = hostname
            self.host = host
            self.port = port
            self.greeting = greeting
            self.supportsEHLO = supportsEHLO
            self.extensions = extensions
            self.maximumMessageSize = maximumMessageSize
            self.maximumRecipients = maximumRecipients
            self.users = users
            self.mailingLists = mailingLists
            self.responder = responder
        }
    }
}
