import NIOCore

/// The client side of a SOCKS4 or SOCKS4A `CONNECT`, as a pure state machine.
///
/// SOCKS4 carries an IPv4 address; SOCKS4A carries a host name instead (with the address
/// `0.0.0.1`) for the proxy to resolve. The reply is 8 bytes: version 0, status `0x5A`
/// for success, a port and an address the client ignores.
struct SOCKS4Handshake: Sendable {
    private enum State: Sendable {
        case initial
        case waitingForReply
        case established
        case failed
    }

    /// The reply's length.
    static let replyLength = 8

    private var state = State.initial
    private let request: ByteBuffer

    /// Prepares a request for a tunnel to `target`.
    ///
    /// - Parameters:
    ///   - target: An IPv4 address, or (for SOCKS4A only) a host name.
    ///   - userID: The user ID (at most 255 bytes, no NUL).
    ///   - allowsHostName: Whether this is SOCKS4A.
    /// - Throws: ``SMTPError/Code/invalidInput`` for an IPv6 target, a host name with plain
    ///   SOCKS4, or an invalid user ID.
    init(target: ProxyTarget, userID: String?, allowsHostName: Bool) throws(SMTPError) {
        try Self.validate(userID: userID)
        var request = ByteBuffer()
        request.writeInteger(UInt8(4))
        request.writeInteger(UInt8(1))
        request.writeInteger(target.port)
        var hostName: String?
        switch target.address {
        case .ipv4(let bytes):
            request.writeBytes(bytes)
        case .ipv6:
            throw SMTPError(.invalidInput, "a SOCKS4 proxy cannot reach an IPv6 address")
        case .hostName(let name):
            guard allowsHostName else {
                throw SMTPError(.invalidInput, "a SOCKS4 request needs an IPv4 address, not the host name \(name)")
            }
            request.writeBytes([0, 0, 0, 1])
            hostName = name
        }
        request.writeString(userID ?? "")
        request.writeInteger(UInt8(0))
        if let hostName {
            request.writeString(hostName)
            request.writeInteger(UInt8(0))
        }
        self.request = request
    }

    /// Checks a SOCKS4 user ID: at most 255 bytes, no NUL.
    ///
    /// - Throws: ``SMTPError/Code/invalidInput``.
    static func validate(userID: String?) throws(SMTPError) {
        guard let userID else {
            return
        }
        guard userID.utf8.count <= 255, !userID.utf8.contains(0) else {
            throw SMTPError(.invalidInput, "the SOCKS4 user ID is longer than 255 bytes or contains NUL")
        }
    }

    /// The request to send first.
    mutating func start() -> ByteBuffer {
        precondition(self.state == .initial, "the SOCKS4 handshake was started twice")
        self.state = .waitingForReply
        return self.request
    }

    /// Reads the proxy's reply from `buffer`.
    ///
    /// - Throws: ``SMTPError/Code/proxyFailed`` when the proxy refused or sent garbage.
    mutating func receive(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        switch self.state {
        case .initial, .failed:
            throw SMTPError(.proxyFailed, "the SOCKS4 proxy sent data out of turn")
        case .established:
            return .established
        case .waitingForReply:
            break
        }
        guard let reply = buffer.readBytes(length: Self.replyLength) else {
            return .needMoreBytes
        }
        guard reply[0] == 0 else {
            self.state = .failed
            throw SMTPError(.proxyFailed, "the SOCKS4 proxy sent a reply with version \(reply[0]) instead of 0")
        }
        guard reply[1] == 0x5A else {
            self.state = .failed
            throw SMTPError(.proxyFailed, "the SOCKS4 proxy refused the connection: \(Self.describe(status: reply[1]))")
        }
        self.state = .established
        return .established
    }

    /// The meaning of a SOCKS4 status byte.
    static func describe(status: UInt8) -> String {
        switch status {
        case 0x5B: "request rejected or failed (0x5B)"
        case 0x5C: "the proxy cannot reach the client's identd (0x5C)"
        case 0x5D: "identd reports a different user ID (0x5D)"
        default: "unknown status 0x\(String(status, radix: 16, uppercase: true))"
        }
    }
}
