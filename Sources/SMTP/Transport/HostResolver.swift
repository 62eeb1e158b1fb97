import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which IP versions a session may connect over (the PSMTP `UseIPv6` setting).
public enum SMTPAddressFamily: Hashable, Sendable {
    /// Whatever the name resolves to, IPv6 and IPv4 raced ("happy eyeballs"); the default.
    case any
    /// IPv4 addresses only.
    case ipv4Only
    /// IPv6 addresses only.
    case ipv6Only
    /// IPv6 addresses first, then IPv4, tried in that order.
    case ipv6First
}

/// Name resolution for connections that cannot use NIO's own resolver: a restricted address
/// family or a bound local address. `getaddrinfo` blocks, so it runs on NIO's thread pool.
enum HostResolver {
    /// The addresses of `host` for `family`, in the order to try them.
    ///
    /// - Throws: ``SMTPError/Code/connectionFailed`` when the name has no such address.
    static func resolve(host: String, port: Int, family: SMTPAddressFamily) async throws(SMTPError) -> [SocketAddress] {
        let addresses: [SocketAddress]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive {
                try Self.lookUp(host: host, port: port)
            }
        } catch {
            throw SMTPError(.connectionFailed, "cannot resolve \(host): \(error)", underlyingError: error)
        }
        let v4 = addresses.filter { $0.protocol == .inet }
        let v6 = addresses.filter { $0.protocol == .inet6 }
        let ordered: [SocketAddress]
        switch family {
        case .any:
            ordered = addresses
        case .ipv4Only:
            ordered = v4
        case .ipv6Only:
            ordered = v6
        case .ipv6First:
            ordered = v6 + v4
        }
        guard !ordered.isEmpty else {
            throw SMTPError(.connectionFailed, "\(host) has no address of the requested family (\(family))")
        }
        return ordered
    }

    private static func lookUp(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SMTPError(.connectionFailed, "name resolution failed: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var result: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    result.append(SocketAddress(ipv4, host: host))
                case AF_INET6:
                    let ipv6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    result.append(SocketAddress(ipv6, host: host))
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        return result
    }
}
