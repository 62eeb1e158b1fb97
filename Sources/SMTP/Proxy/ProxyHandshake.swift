import NIOCore

/// One of the proxy handshake state machines, chosen by ``SMTPProxy/Kind``.
enum ProxyHandshake: Sendable {
    case socks4(SOCKS4Handshake)
    case socks5(SOCKS5Handshake)
    case httpConnect(HTTPConnectHandshake)

    /// The bytes to send once the TCP connection to the proxy is up.
    mutating func start() -> ByteBuffer {
        switch self {
        case .socks4(var machine):
            let bytes = machine.start()
            self = .socks4(machine)
            return bytes
        case .socks5(var machine):
            let bytes = machine.start()
            self = .socks5(machine)
            return bytes
        case .httpConnect(var machine):
            let bytes = machine.start()
            self = .httpConnect(machine)
            return bytes
        }
    }

    /// Reads the proxy's bytes (see ``ProxyHandshakeStep``).
    ///
    /// - Throws: ``SMTPError/Code/proxyFailed``.
    mutating func receive(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        switch self {
        case .socks4(var machine):
            defer { self = .socks4(machine) }
            return try machine.receive(&buffer)
        case .socks5(var machine):
            defer { self = .socks5(machine) }
            return try machine.receive(&buffer)
        case .httpConnect(var machine):
            defer { self = .httpConnect(machine) }
            return try machine.receive(&buffer)
        }
    }
}
