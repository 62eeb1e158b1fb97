/// Something that happened on an ``SMTPSession``, delivered through
/// ``SMTPSession/events(bufferingNewest:)``.
public enum SMTPEvent: Sendable {
    /// The state of the connection.
    public enum ConnectionStatus: Hashable, Sendable {
        /// The TCP connection to the server is up.
        case connected
        /// The proxy opened its tunnel to the server.
        case proxyTunnelEstablished
        /// The TLS handshake completed (implicit TLS, or after `STARTTLS`); see
        /// ``SMTPSession/tlsInfo``.
        case tlsEstablished
        /// The server accepted the credentials (`AUTH`).
        case authenticated
        /// The connection is closed.
        case disconnected
    }

    /// Who sent a line of the protocol trail.
    public enum Direction: Hashable, Sendable {
        /// A command line sent by the client.
        case clientToServer
        /// A reply line sent by the server.
        case serverToClient
    }

    /// The connection came up or went away; the description says why.
    case connectionStatus(ConnectionStatus, description: String)
    /// One line of the dialogue (commands and replies, never message content), without
    /// its line ending.
    case protocolTrail(Direction, line: String)
    /// The server accepted `DATA` and the message content starts to go out.
    case transferStarted
    /// Message content is being sent: octets handed to the connection so far.
    /// `totalBytes` is the size of the encoded content when it is known in advance (a
    /// message in memory), `nil` for streamed content.
    case transferProgress(bytesSent: Int, totalBytes: Int?)
    /// All message content, including the terminating dot, has been handed to the
    /// connection.
    case transferEnded(bytesSent: Int)
    /// An operation failed.
    case error(SMTPError)
}
