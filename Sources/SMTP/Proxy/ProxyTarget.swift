import NIOCore

/// Where the tunnel should lead: the SMTP server's address as the proxy protocols encode it.
struct ProxyTarget: Hashable, Sendable {
    /// The target's address.
    enum Address: Hashable, Sendable {
        /// An IPv4 address (4 bytes, network order).
        case ipv4([UInt8])
        /// An IPv6 address (16 bytes, network order).
        case ipv6([UInt8])
        /// A host name, resolved by the proxy.
        case hostName(String)
    }

    /// The address.
    var address: Address
    /// The port.
    var port: UInt16

    /// A target with a known address.
    init(address: Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Classifies `host` (an IP literal, bracketed or not, or a host name) and checks it
    /// fits in a request: 1 to 255 bytes, no control characters, spaces or `@`/`/`.
    ///
    /// - Throws: ``SMTPError/Code/invalidInput``.
    init(host: String, port: Int) throws(SMTPError) {
        guard let port = UInt16(exactly: port), port != 0 else {
            throw SMTPError(.invalidInput, "the target port \(port) is not from 1 to 65535")
        }
        self.port = port
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 {
            host = String(host.dropFirst().dropLast())
        }
        if let bytes = Self.ipv4Bytes(host) {
            self.address = .ipv4(bytes)
        } else if let bytes = Self.ipv6Bytes(host) {
            self.address = .ipv6(bytes)
        } else {
            guard (1...255).contains(host.utf8.count),
                host.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@") })
            else {
                throw SMTPError(.invalidInput, "the target host name is empty, too long or has invalid characters")
            }
            self.address = .hostName(host)
        }
    }

    /// The host as written in an HTTP `CONNECT` request (IPv6 in brackets) with the port.
    var authority: String {
        switch self.address {
        case .ipv4(let bytes):
            return bytes.map(String.init).joined(separator: ".") + ":\(self.port)"
        case .ipv6(let bytes):
            let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: Int(self.port))
            return "[\(address?.ipAddress ?? "::")]:\(self.port)"
        case .hostName(let name):
            return "\(name):\(self.port)"
        }
    }

    /// The 4 bytes of a dotted-quad IPv4 address, or `nil`.
    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        guard case .v4(let address)? = try? SocketAddress(ipAddress: text, port: 0) else {
            return nil
        }
        return withUnsafeBytes(of: address.address.sin_addr) { Array($0) }
    }

    /// The 16 bytes of an IPv6 address, or `nil`.
    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        guard case .v6(let address)? = try? SocketAddress(ipAddress: text, port: 0) else {
            return nil
        }
        return withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
    }
}
