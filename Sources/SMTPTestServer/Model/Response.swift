extension SMTPTestServer {
    /// How a `Configuration.responder` overrides the server's default answer to a command.
    ///
    /// - A reply of 400 or above rejects the command: it has no effect (a rejected recipient is
    ///   not added, a rejected message is not recorded, a rejected greeting leaves the server
    ///   answering `503` until `QUIT`).
    /// - A reply below 400 only replaces the text of a successful default reply: the command
    ///   takes its usual effect. If the default handling fails (say `RCPT` before `MAIL`), its
    ///   failure is sent instead, so the server never claims a state it is not in. For
    ///   `Command.other` there is no default effect and the reply is sent as it is.
    public struct Response: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case reply(Reply, thenClose: Bool)
            case disconnect
            case dropDuringData(afterOctets: Int)
        }

        let kind: Kind

        /// Replies with `code` and one text line, for example `.reply(550, "5.1.1 No such user")`.
        public static func reply(_ code: Int, _ text: String) -> Response {
            Response(kind: .reply(Reply(code: code, lines: [text]), thenClose: false))
        }

        /// Replies with `code` and several text lines, sent as a multi-line reply.
        public static func reply(_ code: Int, lines: [String]) -> Response {
            Response(kind: .reply(Reply(code: code, lines: lines), thenClose: false))
        }

        /// Replies with `code` and `text`, then closes the connection, for example
        /// `.replyAndClose(421, "4.3.2 Shutting down")`.
        public static func replyAndClose(_ code: Int, _ text: String) -> Response {
            Response(kind: .reply(Reply(code: code, lines: [text]), thenClose: true))
        }

        /// Closes the connection at once, without a reply.
        public static let disconnect = Response(kind: .disconnect)

        /// For `DATA`: replies `354` as usual, then closes the connection without a reply as
        /// soon as at least `octets` octets of content have arrived (`0`: right after the `354`).
        /// For any other command it acts as `disconnect`.
        public static func dropDuringData(afterOctets octets: Int) -> Response {
            precondition(octets >= 0, "octets must not be negative")
            return Response(kind: .dropDuringData(afterOctets: octets))
        }
    }
}
