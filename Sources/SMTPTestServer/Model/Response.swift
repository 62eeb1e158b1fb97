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
    /// - `delay(_:then:)` stalls before any of these (or the default answer);
    ///   `acceptThenDisconnect` takes a message without answering.
    public struct Response: Sendable, Hashable {
        indirect enum Kind: Sendable, Hashable {
            case reply(Reply, thenClose: Bool)
            case disconnect
            case dropDuringData(afterOctets: Int)
            case delay(Duration, then: Kind?)
            case acceptThenDisconnect
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

        /// Waits `duration` before answering with `response`, or with the default answer when
        /// `response` is `nil`: a stalling server. The wait is a timer on the connection's event
        /// loop; input that arrives meanwhile is answered afterwards, in order. For
        /// `Command.endOfData` a message is recorded when the wait is over, and only if the
        /// connection is still open then: a client that gives up during the stall may or may not
        /// have its message recorded, depending on which side acts first.
        public static func delay(_ duration: Duration, then response: Response? = nil) -> Response {
            precondition(duration >= .zero, "duration must not be negative")
            guard case .delay(let inner, let innerThen) = response?.kind else {
                return Response(kind: .delay(duration, then: response?.kind))
            }
            return Response(kind: .delay(duration + inner, then: innerThen))
        }

        /// For `Command.endOfData`: records the message as received, as a `250` would, then
        /// closes the connection without sending the final reply; the client cannot tell whether
        /// the message was delivered and may send it again (the duplicate RFC 1047 describes).
        /// The message's `ReceivedMessage.wasAcknowledged` is `false`. For any other command it
        /// acts as `disconnect`.
        public static let acceptThenDisconnect = Response(kind: .acceptThenDisconnect)
    }
}
