import NIOCore

/// The client side of a SOCKS5 `CONNECT` (RFC 1928), with "no authentication" (`0x00`) and
/// user name/password authentication (`0x02`, RFC 1929), as a pure state machine.
///
/// A host name target is sent as a domain name (address type `0x03`) for the proxy to
/// resolve; IP literals are sent as addresses. With credentials, both methods are offered
/// and the proxy chooses; without, only "no authentication".
struct SOCKS5Handshake: Sendable {
    private enum State: Sendable {
        case initial
        case waitingForMethod
        case waitingForAuthentication
        case waitingForReply
        case established
        case failed
    }

    private var state = State.initial
    private let target: ProxyTarget
    private let credentials: (username: [UInt8], password: [UInt8])?

    /// Prepares a request for a tunnel to `target`.
    ///
    /// - Parameters:
    ///   - target: The SMTP server.
    ///   - username: The user name (1 to 255 bytes); `nil` offers no authentication only.
    ///   - password: The password (at most 255 bytes; `nil` is empty).
    /// - Throws: ``SMTPError/Code/invalidInput`` for a user name or password that does not
    ///   fit RFC 1929.
    init(target: ProxyTarget, username: String?, password: String?) throws(SMTPError) {
        self.target = target
        if let username {
            let user = Array(username.utf8)
            let pass = Array((password ?? "").utf8)
            guard (1...255).contains(user.count) else {
                throw SMTPError(.invalidInput, "the SOCKS5 user name must be 1 to 255 bytes long")
            }
            guard pass.count <= 255 else {
                throw SMTPError(.invalidInput, "the SOCKS5 password must be at most 255 bytes long")
            }
            self.credentials = (user, pass)
        } else {
            guard password == nil else {
                throw SMTPError(.invalidInput, "a SOCKS5 password needs a user name")
            }
            self.credentials = nil
        }
    }

    /// The method selection message to send first.
    mutating func start() -> ByteBuffer {
        precondition(self.state == .initial, "the SOCKS5 handshake was started twice")
        self.state = .waitingForMethod
        var greeting = ByteBuffer()
        greeting.writeBytes(self.credentials == nil ? [5, 1, 0] : [5, 2, 0, 2])
        return greeting
    }

    /// Reads the proxy's replies from `buffer`.
    ///
    /// - Throws: ``SMTPError/Code/proxyFailed`` when the proxy refused the method, the
    ///   credentials or the connection, or sent garbage.
    mutating func receive(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        do throws(SMTPError) {
            switch self.state {
            case .initial, .failed:
                throw SMTPError(.proxyFailed, "the SOCKS5 proxy sent data out of turn")
            case .established:
                return .established
            case .waitingForMethod:
                return try self.receiveMethod(&buffer)
            case .waitingForAuthentication:
                return try self.receiveAuthentication(&buffer)
            case .waitingForReply:
                return try self.receiveReply(&buffer)
            }
        } catch {
            self.state = .failed
            throw error
        }
    }

    private mutating func receiveMethod(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        guard let reply = buffer.readBytes(length: 2) else {
            return .needMoreBytes
        }
        guard reply[0] == 5 else {
            throw SMTPError(.proxyFailed, "the proxy's answer (version \(reply[0])) is not SOCKS5")
        }
        switch reply[1] {
        case 0x00:
            self.state = .waitingForReply
            return .send(self.connectRequest())
        case 0x02 where self.credentials != nil:
            self.state = .waitingForAuthentication
            return .send(self.authenticationRequest())
        case 0xFF:
            throw SMTPError(
                .proxyFailed,
                self.credentials == nil
                    ? "the SOCKS5 proxy requires authentication, and no user name is configured"
                    : "the SOCKS5 proxy accepts neither no authentication nor user name/password")
        default:
            throw SMTPError(.proxyFailed, "the SOCKS5 proxy chose method \(reply[1]), which the client did not offer")
        }
    }

    private mutating func receiveAuthentication(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        guard let reply = buffer.readBytes(length: 2) else {
            return .needMoreBytes
        }
        // RFC 1929 says version 1; some proxies answer 5.
        guard reply[0] == 1 || reply[0] == 5 else {
            throw SMTPError(.proxyFailed, "the SOCKS5 proxy's authentication reply has version \(reply[0])")
        }
        guard reply[1] == 0 else {
            throw SMTPError(.proxyFailed, "the SOCKS5 proxy refused the user name or password (status \(reply[1]))")
        }
        self.state = .waitingForReply
        return .send(self.connectRequest())
    }

    private mutating func receiveReply(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        // VER REP RSV ATYP, then the bound address and port.
        let start = buffer.readerIndex
        guard let header = buffer.getBytes(at: start, length: 4) else {
            return .needMoreBytes
        }
        guard header[0] == 5 else {
            throw SMTPError(.proxyFailed, "the proxy's reply (version \(header[0])) is not SOCKS5")
        }
        guard header[1] == 0 else {
            throw SMTPError(.proxyFailed, "the SOCKS5 proxy refused the connection: \(Self.describe(reply: header[1]))")
        }
        let addressLength: Int
        switch header[3] {
        case 1:
            addressLength = 4
        case 4:
            addressLength = 16
        case 3:
            guard let length = buffer.getInteger(at: start + 4, as: UInt8.self) else {
                return .needMoreBytes
            }
            addressLength = 1 + Int(length)
        default:
            throw SMTPError(.proxyFailed, "the SOCKS5 proxy's reply has the unknown address type \(header[3])")
        }
        let total = 4 + addressLength + 2
        guard buffer.readableBytes >= total else {
            return .needMoreBytes
        }
        buffer.moveReaderIndex(forwardBy: total)
        self.state = .established
        return .established
    }

    private func authenticationRequest() -> ByteBuffer {
        var request = ByteBuffer()
        guard let credentials = self.credentials else {
            return request
        }
        // The lengths were checked in init (1...255 and 0...255).
        request.writeInteger(UInt8(1))
        request.writeInteger(UInt8(truncatingIfNeeded: credentials.username.count))
        request.writeBytes(credentials.username)
        request.writeInteger(UInt8(truncatingIfNeeded: credentials.password.count))
        request.writeBytes(credentials.password)
        return request
    }

    private func connectRequest() -> ByteBuffer {
        var request = ByteBuffer()
        request.writeBytes([5, 1, 0])
        switch self.target.address {
        case .ipv4(let bytes):
            request.writeInteger(UInt8(1))
            request.writeBytes(bytes)
        case .ipv6(let bytes):
            request.writeInteger(UInt8(4))
            request.writeBytes(bytes)
        case .hostName(let name):
            // ProxyTarget limits names to 255 bytes.
            request.writeInteger(UInt8(3))
            request.writeInteger(UInt8(truncatingIfNeeded: name.utf8.count))
            request.writeString(name)
        }
        request.writeInteger(self.target.port)
        return request
    }

    /// The meaning of a SOCKS5 reply code (RFC 1928 section 6).
    static func describe(reply: UInt8) -> String {
        let meaning =
            switch reply {
            case 1: "general SOCKS server failure"
            case 2: "connection not allowed by ruleset"
            case 3: "network unreachable"
            case 4: "host unreachable"
            case 5: "connection refused"
            case 6: "TTL expired"
            case 7: "command not supported"
            case 8: "address type not supported"
            default: "unknown reply"
            }
        return "\(meaning) (\(reply))"
    }
}
