import Foundation
import SMTP
import TestSupport
import Testing

/// Delivery through SOCKS and HTTP `CONNECT` tunnels (`TestProxyServer`) to aiosmtpd with
/// required STARTTLS and AUTH: TLS runs end to end, from the client to the server.
@Suite(
    "Proxy delivery", .timeLimit(.minutes(1)),
    .enabled(
        if: AiosmtpdServer.isAvailable || AiosmtpdServer.isRequired,
        "python3 with aiosmtpd is not installed (pip install aiosmtpd)"))
struct ProxyDeliveryTests {
    private static let message = Array(
        "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: tunnel\r\n\r\nHi.\r\n".utf8)

    /// A proxy URL for the test proxy on `port`, and the request kind it records.
    struct Case: Sendable, CustomTestStringConvertible {
        var url: @Sendable (Int) -> String
        var kind: String
        var credentials: (username: String, password: String)?
        var name: String
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(
            url: { "socks5://proxyuser:pr%40xy@127.0.0.1:\($0)" }, kind: "socks5", credentials: ("proxyuser", "pr@xy"),
            name: "SOCKS5 with user/pass"),
        Case(
            url: { "http://proxyuser:pr%40xy@127.0.0.1:\($0)" }, kind: "http", credentials: ("proxyuser", "pr@xy"),
            name: "HTTP CONNECT with Basic"),
        Case(url: { "socks4a://127.0.0.1:\($0)" }, kind: "socks4a", credentials: nil, name: "SOCKS4A"),
    ]

    @Test(arguments: cases)
    func requiredSTARTTLSWithAuthThroughTunnel(_ proxyCase: Case) async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        let pki = try TestPKI.make()
        let server = try await AiosmtpdServer.start(
            tls: AiosmtpdServer.TLS(.starttlsRequired, pki: pki),
            auth: AiosmtpdServer.Auth(users: ["alice": "secret one"], required: true))
        defer { server.stop() }
        let proxyServer = try await TestProxyServer.start(.init(credentials: proxyCase.credentials))

        // `localhost`: the proxy resolves it (SOCKS4A, SOCKS5 and HTTP send the name), and
        // the certificate is checked against it.
        var configuration = SMTPSession.Configuration(host: "localhost", port: server.port)
        configuration.localHostname = "client.test"
        configuration.commandTimeout = .seconds(20)
        configuration.tlsConfiguration.trustRoots = .pemFiles([pki.caCertificatePath])
        configuration.credentials = SMTPCredentials(username: "alice", password: "secret one")
        configuration.proxy = try SMTPProxy(url: proxyCase.url(proxyServer.port))

        let record = await SessionRecord.run(configuration, message: Self.message)
        await proxyServer.stop()
        let (trail, statuses, tlsInfo) = (record.trail, record.statuses, record.tlsInfo)

        let result = try record.delivery()
        #expect(result.reply.code == 250)
        #expect(proxyServer.requests.count == 1)
        let request = proxyServer.requests.first
        #expect(request?.kind == proxyCase.kind)
        #expect(request?.host == "localhost")
        #expect(request?.port == server.port)
        if let credentials = proxyCase.credentials {
            #expect(request?.username == credentials.username)
            #expect(request?.password == credentials.password)
        }

        // TLS is end to end: the client saw the server's own certificate, the server saw TLS.
        #expect(["TLS 1.2", "TLS 1.3"].contains(tlsInfo?.protocolVersion ?? ""))
        #expect(tlsInfo?.peerCertificate?.sha256Fingerprint == pki.server.sha256FingerprintHex)
        #expect(tlsInfo?.viaSTARTTLS == true)
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.tls == true)
        #expect(messages.first?.login == "alice")
        #expect(messages.first?.content == Self.message)

        #expect(statuses.contains(.tlsEstablished))
        #expect(statuses.contains(.authenticated))
        let tunnel = statuses.firstIndex(of: .proxyTunnelEstablished) ?? .max
        let tls = statuses.firstIndex(of: .tlsEstablished) ?? .min
        #expect(tunnel < tls, "\(statuses)")
        #expect(trail.contains("C: STARTTLS"))
        #expect(!trail.joined().contains("secret one"))
    }

    @Test func proxyRefusalsFailTheSession() async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        let pki = try TestPKI.make()
        let server = try await AiosmtpdServer.start(tls: AiosmtpdServer.TLS(.starttlsRequired, pki: pki))
        defer { server.stop() }
        let guarded = try await TestProxyServer.start(.init(credentials: ("proxyuser", "right")))
        let refusing = try await TestProxyServer.start(.init(refuseTargets: true))
        let proxies = [
            "socks5://proxyuser:wrong@127.0.0.1:\(guarded.port)", "http://proxyuser:wrong@127.0.0.1:\(guarded.port)",
            "socks5://127.0.0.1:\(refusing.port)", "http://127.0.0.1:\(refusing.port)",
            "socks4a://127.0.0.1:\(refusing.port)",
        ]
        for url in proxies {
            var configuration = SMTPSession.Configuration(host: "localhost", port: server.port)
            configuration.connectTimeout = .seconds(10)
            configuration.tlsConfiguration.trustRoots = .pemFiles([pki.caCertificatePath])
            configuration.proxy = try SMTPProxy(url: url)
            do {
                try await withSMTPSession(configuration: configuration) { _ in }
                Issue.record("\(url): the session opened")
            } catch let error as SMTPError {
                #expect(error.code == .proxyFailed, "\(url): \(error)")
                #expect(!error.message.contains("wrong"), "\(url): the error shows the proxy password")
            }
        }
        await guarded.stop()
        await refusing.stop()
        #expect(try server.messages().isEmpty)
    }

    @Test func implicitTLSThroughSOCKS5() async throws {
        try #require(AiosmtpdServer.isAvailable, "CI is set but python3 cannot import aiosmtpd")
        let pki = try TestPKI.make()
        let server = try await AiosmtpdServer.start(
            tls: AiosmtpdServer.TLS(.implicit, pki: pki), auth: AiosmtpdServer.Auth(users: ["alice": "secret one"]))
        defer { server.stop() }
        let proxyServer = try await TestProxyServer.start()
        var configuration = SMTPSession.Configuration(host: "localhost", port: server.port)
        configuration.localHostname = "client.test"
        configuration.commandTimeout = .seconds(20)
        configuration.tls = .implicit
        configuration.tlsConfiguration.trustRoots = .pemFiles([pki.caCertificatePath])
        configuration.credentials = SMTPCredentials(username: "alice", password: "secret one")
        configuration.proxy = SMTPProxy(kind: .socks5, host: "127.0.0.1", port: proxyServer.port)
        let tlsInfo = try await withSMTPSession(configuration: configuration) { session in
            _ = try await session.send(
                envelope: SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]), body: Self.message)
            return await session.tlsInfo
        }
        await proxyServer.stop()
        #expect(proxyServer.requests.map(\.kind) == ["socks5"])
        #expect(tlsInfo?.viaSTARTTLS == false)
        #expect(tlsInfo?.peerCertificate?.sha256Fingerprint == pki.server.sha256FingerprintHex)
        let messages = try server.messages()
        #expect(messages.count == 1)
        #expect(messages.first?.tls == true)
        #expect(messages.first?.login == "alice")
    }
}
