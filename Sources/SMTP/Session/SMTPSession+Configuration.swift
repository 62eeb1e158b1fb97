#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SMTPSession {
    /// How an ``SMTPSession`` connects and speaks to its server.
    ///
    /// The defaults are secure: `STARTTLS` is required (``tls``) and the server's
    /// certificate is verified against the system's roots and the host name
    /// (``tlsConfiguration``).
    public struct Configuration: Sendable {
        /// The server's host name or address (the PSMTP class's `MailServer`).
        public var host: String
        /// The server's port (`MailPort`); 25 by default.
        public var port: Int
        /// The argument of `EHLO`/`HELO` (the PSMTP reference's `Hello` setting): this machine's fully
        /// qualified domain name or an address literal such as `[192.0.2.1]`. Defaults to
        /// ``defaultLocalHostname``.
        public var localHostname: String
        /// Whether to open the session with `EHLO` and use ESMTP extensions (the PSMTP reference's
        /// `AllowExtensions`). When a server answers `EHLO` with `5xx` the session falls
        /// back to `HELO`; when `false`, `HELO` is sent straight away and no extension
        /// (such as pipelining) is used.
        public var useExtensions: Bool
        /// The limit for opening the TCP connection (name resolution and handshake); the
        /// PSMTP reference's `ConnectionTimeout`.
        public var connectTimeout: Duration
        /// The inactivity limit for every wait for the server (the PSMTP reference's `Timeout`): a
        /// reply, or room to write message data. When it expires the operation fails with
        /// ``SMTPError/Code/timeout`` and the connection is closed.
        public var commandTimeout: Duration
        /// How long ``SMTPSession/disconnect()`` waits for the reply to `QUIT` before it
        /// closes the connection anyway.
        public var disconnectTimeout: Duration
        /// Whether a message is abandoned (with `RSET`) when the server refuses some of its
        /// recipients (the PSMTP reference's `StopOnToErrors`/`StopOnCcErrors`/`StopOnBccErrors`; the
        /// envelope does not know which header a recipient came from). When `false`, the
        /// message goes to the accepted recipients and the refused ones are listed in the
        /// ``SMTPDeliveryResult``. A message whose recipients are all refused always fails.
        public var stopOnRecipientErrors: Bool
        /// Whether to send `RSET` before `MAIL FROM` (the PSMTP reference's `SendRSET`), so that
        /// leftovers of an earlier transaction or of raw commands cannot affect the
        /// message. It is skipped when the previous command was `EHLO`, `HELO` or `RSET`,
        /// which leave the server without a transaction. With pipelining it costs no
        /// round trip.
        public var sendRSETBeforeTransaction: Bool
        /// Whether and how TLS protects the connection (the PSMTP `SSLStartMode`): required
        /// `STARTTLS` by default. See ``SMTPTLSMode``.
        public var tls: SMTPTLSMode
        /// How the server's certificate is verified and the client identifies itself over
        /// TLS: trust roots, pins, trust callback, client certificate, minimum version.
        public var tlsConfiguration: SMTPTLSConfiguration
        /// The credentials for `AUTH` (RFC 4954); `nil` (default): the session does not
        /// authenticate. When set, ``connect()`` fails unless the server accepts them.
        public var credentials: SMTPCredentials?
        /// Which SASL mechanism to use (the PSMTP `AuthMechanism`); by default the strongest
        /// the server offers that fits the credentials.
        public var authentication: SMTPAuthentication
        /// Whether mechanisms that send the secret itself (PLAIN, LOGIN, XOAUTH2,
        /// OAUTHBEARER) may run on a connection without TLS. `false` by default: such an
        /// attempt fails with ``SMTPError/Code/authenticationUnavailable`` before anything
        /// secret is sent.
        public var allowsAuthenticationWithoutTLS: Bool
        /// A SOCKS or HTTP `CONNECT` proxy to reach the server through (the PSMTP
        /// `Firewall`); `nil` connects directly. TLS runs end to end through the tunnel. Hosts
        /// in its ``SMTPProxy/bypassHosts`` are reached directly.
        public var proxy: SMTPProxy?
        /// Whether to take the proxy from the environment (`SMTP_PROXY`, `ALL_PROXY`,
        /// `NO_PROXY`; the PSMTP `FirewallAutoDetect`) when ``proxy`` is `nil`. `false` by
        /// default.
        public var proxyFromEnvironment: Bool
        /// The local address to connect from (the PSMTP `LocalHost`), for a machine with
        /// several interfaces; `nil` lets the system choose.
        public var localAddress: String?
        /// The local port to connect from (`LocalPort`); 0 lets the system choose.
        public var localPort: Int
        /// Which IP versions to connect over (`UseIPv6`); ``SMTPAddressFamily/any`` by default.
        public var addressFamily: SMTPAddressFamily
        /// Whether message content goes in `BDAT` chunks (RFC 3030) when the server offers
        /// `CHUNKING`: no dot-stuffing, and the whole envelope and content pipelined. `true` by
        /// default; `false` always uses `DATA`.
        public var useChunking: Bool
        /// TCP keep-alive probes on an idle connection (the PSMTP `TCPKeepAlive`,
        /// `KeepAliveTime`, `KeepAliveInterval`, `KeepAliveRetryCount`); `nil` (default) is off.
        public var tcpKeepAlive: SMTPTCPKeepAlive?
        /// The highest rate message data is written at, in octets per second (the PSMTP
        /// `MaxTransferRate`); `nil` (default) is unlimited.
        public var maximumTransferRate: Int?
        /// Whether ``commandTimeout`` bounds every wait for the server (`.inactivity`, the
        /// default) or each whole operation (`.absolute`: the PSMTP `AbsoluteTimeout`).
        public var timeoutMode: SMTPTimeoutMode

        /// Creates a configuration with default settings.
        ///
        /// - Parameters:
        ///   - host: The server's host name or address.
        ///   - port: The server's port.
        public init(host: String, port: Int = 25) {
            self.host = host
            self.port = port
            self.localHostname = Self.defaultLocalHostname
            self.useExtensions = true
            self.connectTimeout = .seconds(30)
            self.commandTimeout = .seconds(60)
            self.disconnectTimeout = .seconds(5)
            self.stopOnRecipientErrors = true
            self.sendRSETBeforeTransaction = true
            self.tls = .startTLS(required: true)
            self.tlsConfiguration = SMTPTLSConfiguration()
            self.credentials = nil
            self.authentication = .automatic
            self.allowsAuthenticationWithoutTLS = false
            self.proxy = nil
            self.proxyFromEnvironment = false
            self.localAddress = nil
            self.localPort = 0
            self.addressFamily = .any
            self.useChunking = true
            self.tcpKeepAlive = nil
            self.maximumTransferRate = nil
            self.timeoutMode = .inactivity
        }

        /// This machine's host name, or `localhost` if it has none that is a valid domain.
        public static var defaultLocalHostname: String {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count - 1) == 0 else {
                return "localhost"
            }
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            let isDomain =
                !bytes.isEmpty
                && bytes.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                }
            return isDomain ? String(decoding: bytes, as: UTF8.self) : "localhost"
        }

        /// The proxy this connection goes through: ``proxy`` (or the environment's) unless the
        /// host is in its bypass list.
        ///
        /// - Throws: ``SMTPError/Code/invalidInput`` when a proxy variable of the environment
        ///   does not parse.
        func effectiveProxy() throws(SMTPError) -> SMTPProxy? {
            var chosen = self.proxy
            if chosen == nil, self.proxyFromEnvironment {
                chosen = try SMTPProxy.fromEnvironment(for: self.host, port: self.port)
            }
            guard let chosen, !chosen.isBypassed(for: self.host, port: self.port) else {
                return nil
            }
            return chosen
        }

        var stateMachineConfiguration: SMTPClientStateMachine.Configuration {
            SMTPClientStateMachine.Configuration(
                localHostname: self.localHostname,
                useExtensions: self.useExtensions,
                stopOnRecipientErrors: self.stopOnRecipientErrors,
                sendRSETBeforeTransaction: self.sendRSETBeforeTransaction,
                tls: self.tls.resolved(port: self.port),
                credentials: self.credentials,
                authentication: self.authentication,
                allowsAuthenticationWithoutTLS: self.allowsAuthenticationWithoutTLS,
                serverHost: self.host,
                serverPort: self.port,
                useChunking: self.useChunking)
        }
    }
}

/// TCP keep-alive settings: after `idleTime` without traffic the system sends a probe every
/// `interval`, and gives the connection up after `probeCount` unanswered probes.
public struct SMTPTCPKeepAlive: Hashable, Sendable {
    /// Idle time before the first probe.
    public var idleTime: Duration
    /// Time between probes.
    public var interval: Duration
    /// Unanswered probes before the connection is dropped.
    public var probeCount: Int

    /// Creates keep-alive settings.
    public init(idleTime: Duration = .seconds(60), interval: Duration = .seconds(10), probeCount: Int = 6) {
        self.idleTime = idleTime
        self.interval = interval
        self.probeCount = probeCount
    }
}

/// What ``SMTPSession/Configuration/commandTimeout`` measures.
public enum SMTPTimeoutMode: Hashable, Sendable {
    /// The time the server may stay silent (or not read) during any wait.
    case inactivity
    /// The time a whole operation (`connect()`, one `send`, one command) may take.
    case absolute
}
