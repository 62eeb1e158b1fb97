extension SMTPTestServer {
    /// Everything said on one connection, in order: command lines, reply lines and the size of
    /// each message content. Message content itself is not kept here; see `ReceivedMessage`.
    public struct Transcript: Sendable, Hashable {
        /// One entry of a transcript.
        public enum Line: Sendable, Hashable {
            /// A command line from the client, without CRLF. `pipelined` is true when more client
            /// input had already arrived behind it when the server read it: the client sent on
            /// without waiting for this command's reply.
            case command(String, pipelined: Bool)
            /// A reply line from the server, without CRLF, for example `250-PIPELINING`.
            case reply(String)
            /// Message content after a `354` reply: its size in octets as sent (dot-stuffed,
            /// without the terminating `.` line), and whether that `.` line arrived.
            case messageContent(octets: Int, complete: Bool)
        }

        /// The connection, counted from 1 in the order connections were accepted.
        public var connectionNumber: Int
        /// The entries so far.
        public var lines: [Line]

        /// Creates a transcript.
        public init(connectionNumber: Int, lines: [Line] = []) {
            self.connectionNumber = connectionNumber
            self.lines = lines
        }

        /// The command lines, in order.
        public var commands: [String] {
            lines.compactMap { if case .command(let text, _) = $0 { text } else { nil } }
        }

        /// The command lines the client sent without waiting for their replies, in order.
        public var pipelinedCommands: [String] {
            lines.compactMap { if case .command(let text, true) = $0 { text } else { nil } }
        }

        /// The reply lines, in order.
        public var replies: [String] {
            lines.compactMap { if case .reply(let text) = $0 { text } else { nil } }
        }
    }
}
