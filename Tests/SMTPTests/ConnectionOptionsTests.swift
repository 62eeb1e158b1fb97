import NIOPosix
import Testing

@testable import SMTP

/// Local binding (`LocalHost`, `LocalPort`), the address family (`UseIPv6`) and TCP_NODELAY.
@Suite("Connection options", .timeLimit(.minutes(2)))
struct ConnectionOptionsTests {
    private static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }

    @Test func connectsFromTheConfiguredLocalAddressAndPort() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var configuration = sessionConfiguration(port: server.port)
        configuration.localAddress = "127.0.0.1"
        configuration.localPort = try Self.freePort()
        let session = SMTPSession(configuration: configuration)
        try await session.connect()
        #expect(await session.localAddress == "127.0.0.1")
        #expect(await session.localPort == configuration.localPort)
        try await session.disconnect()
        #expect(await session.localPort == nil)
        await session.shutdown()
    }

    @Test func theAddressFamilyRestrictsWhatTheNameResolvesTo() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var ipv4 = sessionConfiguration(port: server.port)
        ipv4.host = "localhost"
        ipv4.addressFamily = .ipv4Only
        let session = SMTPSession(configuration: ipv4)
        try await session.connect()
        #expect(await session.localAddress == "127.0.0.1")
        await session.shutdown()

        var ipv6 = sessionConfiguration(port: server.port)
        ipv6.addressFamily = .ipv6Only
        let refused = SMTPSession(configuration: ipv6)
        let error = await smtpError { try await refused.connect() }
        #expect(error?.code == .connectionFailed)
        #expect(error?.message.contains("no address of the requested family") == true)
        await refused.shutdown()
    }

    @Test func aLocalAddressThatIsNotAnIPAddressIsInvalidInput() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var configuration = sessionConfiguration(port: server.port)
        configuration.localAddress = "eth0"
        let session = SMTPSession(configuration: configuration)
        #expect(await smtpError { try await session.connect() }?.code == .invalidInput)
        await session.shutdown()
    }

    @Test func anUnusableTLSSettingFailsBeforeAnythingGoesOnTheNetwork() async throws {
        // Nothing listens on the port: reaching the network would fail with connectionFailed.
        var configuration = sessionConfiguration(port: try Self.freePort())
        configuration.tls = .startTLS(required: true)
        configuration.tlsConfiguration.trustRoots = .pemFiles(["/nonexistent/ca.pem"])
        let session = SMTPSession(configuration: configuration)
        #expect(await smtpError { try await session.connect() }?.code == .tlsConfigurationInvalid)
        await session.shutdown()
    }

    @Test func anEmptyOrUnspecifiedHostOrPortZeroIsInvalidInput() async throws {
        for (host, port) in [("", 25), ("127.0.0.1", 0), ("0.0.0.0", 25), ("::", 25)] {
            var configuration = sessionConfiguration(port: port)
            configuration.host = host
            let session = SMTPSession(configuration: configuration)
            #expect(await smtpError { try await session.connect() }?.code == .invalidInput)
            await session.shutdown()
        }
    }

    @Test func caCertificatesGivenAsTextMustBePEM() async throws {
        var configuration = sessionConfiguration(port: try Self.freePort())
        configuration.tls = .implicit
        configuration.tlsConfiguration.trustRoots = .pemCertificates(["not a certificate"])
        let session = SMTPSession(configuration: configuration)
        let error = await smtpError { try await session.connect() }
        #expect(error?.code == .tlsConfigurationInvalid)
        #expect(error?.psmtpErrorCode == 273)
        await session.shutdown()
    }

    @Test func aBypassedHostIsReachedDirectly() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var configuration = sessionConfiguration(port: server.port)
        // Nothing listens at the proxy's port: going through it would fail.
        configuration.proxy = SMTPProxy(
            kind: .socks5, host: "127.0.0.1", port: try Self.freePort(), bypassHosts: ["127.0.0.1"])
        let session = SMTPSession(configuration: configuration)
        let events = EventRecorder(session.events())
        try await session.connect()
        await session.shutdown()
        await events.finished()
        #expect(
            !events.recorded.contains { event in
                if case .connectionStatus(.proxyTunnelEstablished, _) = event { return true }
                return false
            })
    }

    @Test func nagleIsOff() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let session = SMTPSession(configuration: sessionConfiguration(port: server.port))
        try await session.connect()
        let channel = try #require(await session.connection?.channel)
        let noDelay = try await channel.getOption(.socketOption(.tcp_nodelay)).get()
        #expect(noDelay != 0)
        await session.shutdown()
    }
}
