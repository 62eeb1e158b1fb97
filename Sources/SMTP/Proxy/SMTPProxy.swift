/// An outbound proxy the SMTP connection is tunnelled through (the PSMTP class's
/// `Firewall` settings): SOCKS4, SOCKS4A, SOCKS5 or HTTP `CONNECT`.
///
/// The client opens its TCP connection to ``host``:``port`` and asks the proxy for a tunnel
/// to the SMTP server; everything after that (TLS included) runs inside the tunnel.
/// ``description`` never shows the password.
public struct SMTPProxy: Sendable, Hashable, CustomStringConvertible {
    /// The proxy protocol.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case socks4
            case socks4a
            case socks5
            case httpConnect
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// SOCKS version 4: the target must be an IPv4 address; a host name is resolved by
        /// the client (off the event loop) before the request. ``SMTPProxy/username`` is the
        /// user ID.
        public static let socks4 = Kind(.socks4)
        /// SOCKS version 4A: the proxy resolves the target's host name.
        /// ``SMTPProxy/username`` is the user ID.
        public static let socks4a = Kind(.socks4a)
        /// SOCKS version 5 (RFC 1928): the proxy resolves the target's host name; with a
        /// user name, user/password authentication (RFC 1929) is offered.
        public static let socks5 = Kind(.socks5)
        /// An HTTP proxy's `CONNECT` method; with a user name, `Basic` proxy authorization.
        public static let httpConnect = Kind(.httpConnect)

        /// The port proxies of this kind usually listen on: 1080 for SOCKS, 8080 for HTTP.
        public var defaultPort: Int {
            self.base == .httpConnect ? 8080 : 1080
        }

        /// The URL scheme of this kind, for example `socks5`.
        var scheme: String {
            self.base == .httpConnect ? "http" : self.base.rawValue
        }

        /// The name of the kind, for example `socks5`.
        public var description: String {
            self.base.rawValue
        }
    }

    /// The proxy protocol.
    public var kind: Kind
    /// The proxy's host name or IP address.
    public var host: String
    /// The proxy's port.
    public var port: Int
    /// The user name (SOCKS5 and HTTP authentication, or the SOCKS4 user ID), if any.
    public var username: String?
    /// The password (SOCKS5 and HTTP authentication), if any.
    public var password: String?
    /// Hosts and domains reached directly, not through the proxy (the PSMTP class's
    /// `ProxyExceptionsList`), with the `NO_PROXY` rules of ``isBypassed(for:port:)``.
    public var bypassHosts: [String]
    /// Extra header lines for the HTTP `CONNECT` request (the PSMTP class's `FirewallData`),
    /// in order, after `Host` (and `Proxy-Authorization`). SOCKS proxies ignore them.
    /// Invalid headers are reported with ``SMTPError/Code/invalidInput`` when connecting.
    public var extraHeaders: [Header]

    /// Creates a proxy setting. Invalid values (a user name longer than SOCKS5 allows, a
    /// port out of range) are reported with ``SMTPError/Code/invalidInput`` when connecting.
    ///
    /// - Parameters:
    ///   - kind: The proxy protocol.
    ///   - host: The proxy's host name or IP address.
    ///   - port: The proxy's port; `nil` uses the kind's ``Kind/defaultPort``.
    ///   - username: The user name or SOCKS4 user ID, if any.
    ///   - password: The password, if any.
    ///   - bypassHosts: Hosts and domains reached directly (see ``bypassHosts``).
    ///   - extraHeaders: Extra HTTP `CONNECT` header lines (see ``extraHeaders``).
    public init(
        kind: Kind, host: String, port: Int? = nil, username: String? = nil, password: String? = nil,
        bypassHosts: [String] = [], extraHeaders: [Header] = []
    ) {
        self.kind = kind
        self.host = host
        self.port = port ?? kind.defaultPort
        self.username = username
        self.password = password
        self.bypassHosts = bypassHosts
        self.extraHeaders = extraHeaders
    }

    /// The proxy as a URL, with the password replaced by `***`.
    public var description: String {
        var text = "\(self.kind.scheme)://"
        if let username = self.username {
            text += username
            if self.password != nil {
                text += ":***"
            }
            text += "@"
        } else if self.password != nil {
            text += ":***@"
        }
        text += self.host.contains(":") ? "[\(self.host)]" : self.host
        return text + ":\(self.port)"
    }
}

extension SMTPProxy: CustomDebugStringConvertible, CustomReflectable {
    /// The same as ``description``: the password is not shown.
    public var debugDescription: String {
        self.description
    }

    /// A mirror without the password, so that `dump` does not show it either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "kind": self.kind, "host": self.host, "port": self.port, "username": self.username as Any,
                "password": self.password == nil ? "nil" : "***", "bypassHosts": self.bypassHosts,
                // Header values may hold tokens: only the names are shown.
                "extraHeaders": self.extraHeaders.map(\.name),
            ])
    }
}
