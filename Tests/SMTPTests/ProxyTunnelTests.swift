import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import SMTP

/// A client channel through a proxy, set up the way `SMTPConnection.connect` will: the
/// SMTP handler, then the proxy handshake in front of it.
private struct TunnelClient {
    let channel: any Channel
    let handler: NIOLoopBound<SMTPClientChannelHandler>
    let tunnel: EventLoopFuture<Void>

    static func connect(through proxy: SMTPProxy, to host: String, port: Int) async throws -> TunnelClient {
        let box = NIOLockedValueBox<(NIOLoopBound<SMTPClientChannelHandler>, EventLoopFuture<Void>)?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let handler = SMTPClientChannelHandler(eventLoop: channel.eventLoop)
                    try pipeline.addHandler(handler)
                    let tunnel = try proxy.addHandshake(
                        to: pipeline, targetHost: host, targetPort: port, eventLoop: channel.eventLoop)
                    box.withLockedValue { $0 = (NIOLoopBound(handler, eventLoop: channel.eventLoop), tunnel) }
                }
            }
            .connect(host: proxy.host, port: proxy.port)
            .get()
        // Taken in the initializer: a failed handshake may close the channel before now.
        guard let (handler, tunnel) = box.withLockedValue({ $0 }) else {
            throw SMTPError(.connectionFailed, "no tunnel future")
        }
        return TunnelClient(channel: channel, handler: handler, tunnel: tunnel)
    }

    func nextReply() async throws -> SMTPReply {
        let handler = self.handler
        return try await self.channel.eventLoop.flatSubmit { handler.value.nextReply(timeout: .seconds(5)) }.get()
    }

    func send(_ line: String) {
        let handler = self.handler
        self.channel.eventLoop.execute {
            handler.value.writeCommands(ByteBuffer(string: line + "\r\n"), expectingReplies: 1)
        }
    }

    /// Whether the proxy handler is still in the pipeline.
    func hasProxyHandler() async throws -> Bool {
        let channel = self.channel
        return try await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: ProxyHandshakeHandler.self)) != nil
        }.get()
    }

    func close() async {
        try? await self.channel.close()
    }
}

@Suite("Proxy tunnels", .timeLimit(.minutes(1)))
struct ProxyTunnelTests {
    private static let kinds: [(SMTPProxy.Kind, String)] = [
        (.socks4, "socks4"), (.socks4a, "socks4a"), (.socks5, "socks5"), (.httpConnect, "http"),
    ]

    /// The SMTP dialogue through the tunnel: the greeting, EHLO, QUIT.
    private func converse(_ client: TunnelClient, greetingWithReply: Bool = false) async throws {
        try await client.tunnel.get()
        if greetingWithReply {
            // The 220 came in the proxy's reply's packet: it was passed on before the tunnel
            // future succeeded.
            let handler = client.handler
            let buffered = try await client.channel.eventLoop.submit { handler.value.hasUnreadInput }.get()
            #expect(buffered)
        }
        let greeting = try await client.nextReply()
        #expect(greeting.code == 220)
        #expect(greeting.text == "scripted.test ESMTP")
        #expect(try await client.hasProxyHandler() == false)
        client.send("EHLO client.test")
        let ehlo = try await client.nextReply()
        #expect(ehlo.code == 250)
        #expect(ehlo.lines.first == "scripted.test")
        client.send("QUIT")
        #expect(try await client.nextReply().code == 221)
    }

    private func expectFailure(
        _ code: SMTPError.Code, _ future: EventLoopFuture<Void>, sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            try await future.get()
            Issue.record("the tunnel was established", sourceLocation: sourceLocation)
        } catch let error as SMTPError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [false, true])
    func smtpDialogueThroughEveryKind(sameSegment: Bool) async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start(.init(coalesceReplyWithGreeting: sameSegment))
        for (kind, name) in Self.kinds {
            let proxy = SMTPProxy(kind: kind, host: "127.0.0.1", port: proxyServer.port, username: "user-\(name)")
            let client = try await TunnelClient.connect(through: proxy, to: "127.0.0.1", port: target.port)
            try await self.converse(client, greetingWithReply: sameSegment)
            await client.close()
        }
        let requests = proxyServer.requests
        // SOCKS4A sends IPv4 literals as SOCKS4.
        #expect(requests.map(\.kind) == ["socks4", "socks4", "socks5", "http"])
        #expect(requests.allSatisfy { $0.host == "127.0.0.1" && $0.port == target.port })
        #expect(requests.first?.username == "user-socks4")
        await proxyServer.stop()
        await target.stop()
    }

    @Test func credentialsReachTheProxy() async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start(.init(credentials: ("alice", "p@ss:wörd")))
        for kind in [SMTPProxy.Kind.socks5, .httpConnect] {
            let proxy = SMTPProxy(
                kind: kind, host: "127.0.0.1", port: proxyServer.port, username: "alice", password: "p@ss:wörd")
            let client = try await TunnelClient.connect(through: proxy, to: "localhost", port: target.port)
            try await self.converse(client)
            await client.close()
        }
        let requests = proxyServer.requests
        #expect(requests.count == 2)
        for request in requests {
            #expect(request.username == "alice")
            #expect(request.password == "p@ss:wörd")
        }
        #expect(
            requests.last?.httpHead?.hasPrefix(
                "CONNECT localhost:\(target.port) HTTP/1.1\r\nHost: localhost:\(target.port)\r\n") == true)
        await proxyServer.stop()
        await target.stop()
    }

    @Test func extraHeadersReachTheHTTPProxy() async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start(.init(credentials: ("alice", "pw")))
        let proxy = SMTPProxy(
            kind: .httpConnect, host: "127.0.0.1", port: proxyServer.port, username: "alice", password: "pw",
            extraHeaders: [
                SMTPProxy.Header(name: "Proxy-Agent", value: "PGPMail"), SMTPProxy.Header(name: "X-Id", value: "7"),
            ])
        let client = try await TunnelClient.connect(through: proxy, to: "localhost", port: target.port)
        try await self.converse(client)
        await client.close()
        let requests = proxyServer.requests
        #expect(requests.count == 1)
        #expect(requests.first?.username == "alice")
        #expect(
            requests.first?.httpHead
                == "CONNECT localhost:\(target.port) HTTP/1.1\r\nHost: localhost:\(target.port)\r\n"
                + "Proxy-Authorization: Basic YWxpY2U6cHc=\r\nProxy-Agent: PGPMail\r\nX-Id: 7")
        await proxyServer.stop()
        await target.stop()
    }

    @Test func hostNamesAreResolvedByTheProxyExceptForSOCKS4() async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start()
        for (kind, _) in Self.kinds {
            let proxy = SMTPProxy(kind: kind, host: "127.0.0.1", port: proxyServer.port)
            let client = try await TunnelClient.connect(through: proxy, to: "localhost", port: target.port)
            try await self.converse(client)
            await client.close()
        }
        let requests = proxyServer.requests
        #expect(requests.map(\.kind) == ["socks4", "socks4a", "socks5", "http"])
        // Plain SOCKS4 carries the address the client resolved; the others carry the name.
        #expect(requests.map(\.host) == ["127.0.0.1", "localhost", "localhost", "localhost"])
        await proxyServer.stop()
        await target.stop()
    }

    @Test func wrongPasswordFails() async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start(.init(credentials: ("alice", "right")))
        for kind in [SMTPProxy.Kind.socks5, .httpConnect] {
            let proxy = SMTPProxy(
                kind: kind, host: "127.0.0.1", port: proxyServer.port, username: "alice", password: "wrong")
            let client = try await TunnelClient.connect(through: proxy, to: "127.0.0.1", port: target.port)
            await self.expectFailure(.proxyFailed, client.tunnel)
            try await client.channel.closeFuture.get()
        }
        // No credentials at all for a SOCKS5 proxy that wants them.
        let anonymous = SMTPProxy(kind: .socks5, host: "127.0.0.1", port: proxyServer.port)
        let client = try await TunnelClient.connect(through: anonymous, to: "127.0.0.1", port: target.port)
        await self.expectFailure(.proxyFailed, client.tunnel)
        await proxyServer.stop()
        await target.stop()
    }

    @Test func refusedTargetFails() async throws {
        let target = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        let proxyServer = try await TestProxyServer.start(.init(refuseTargets: true))
        for (kind, _) in Self.kinds {
            let proxy = SMTPProxy(kind: kind, host: "127.0.0.1", port: proxyServer.port)
            let client = try await TunnelClient.connect(through: proxy, to: "127.0.0.1", port: target.port)
            await self.expectFailure(.proxyFailed, client.tunnel)
            try await client.channel.closeFuture.get()
        }
        await proxyServer.stop()
        await target.stop()
    }

    @Test func unreachableTargetFails() async throws {
        let proxyServer = try await TestProxyServer.start()
        for (kind, _) in Self.kinds where kind != .socks4 {
            let proxy = SMTPProxy(kind: kind, host: "127.0.0.1", port: proxyServer.port)
            let client = try await TunnelClient.connect(through: proxy, to: "unreachable.invalid", port: 25)
            await self.expectFailure(.proxyFailed, client.tunnel)
        }
        await proxyServer.stop()
    }

    @Test func socks4NameThatDoesNotResolveFails() async throws {
        let proxyServer = try await TestProxyServer.start()
        let proxy = SMTPProxy(kind: .socks4, host: "127.0.0.1", port: proxyServer.port)
        let client = try await TunnelClient.connect(through: proxy, to: "no-such-host.invalid", port: 25)
        await self.expectFailure(.connectionFailed, client.tunnel)
        try await client.channel.closeFuture.get()
        #expect(proxyServer.requests.isEmpty)
        await proxyServer.stop()
    }

    @Test func proxyThatClosesFailsTheTunnel() async throws {
        // An SMTP server where a proxy was expected: it greets, then closes on garbage.
        let notAProxy = try await ScriptedSMTPServer.start { input in
            if case .connected = input { return [.close] }
            return []
        }
        let proxy = SMTPProxy(kind: .socks5, host: "127.0.0.1", port: notAProxy.port)
        let client = try await TunnelClient.connect(through: proxy, to: "127.0.0.1", port: 25)
        await self.expectFailure(.proxyFailed, client.tunnel)
        await notAProxy.stop()
    }

    @Test func smtpServerInsteadOfProxyFails() async throws {
        let notAProxy = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        for (kind, _) in Self.kinds {
            let proxy = SMTPProxy(kind: kind, host: "127.0.0.1", port: notAProxy.port)
            let client = try await TunnelClient.connect(through: proxy, to: "127.0.0.1", port: 25)
            await self.expectFailure(.proxyFailed, client.tunnel)
            try await client.channel.closeFuture.get()
        }
        await notAProxy.stop()
    }

    // MARK: - The handler on an embedded channel

    /// A handler and an embedded channel, with the handshake started.
    private func embedded(
        _ proxy: SMTPProxy, host: String = "mx.example"
    ) throws -> (EmbeddedChannel, EventLoopFuture<Void>) {
        let channel = EmbeddedChannel()
        let tunnel = try proxy.addHandshake(
            to: channel.pipeline.syncOperations, targetHost: host, targetPort: 25, eventLoop: channel.eventLoop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1080)).wait()
        return (channel, tunnel)
    }

    @Test func replyAndGreetingInOneReadReachTheNextHandler() throws {
        let (channel, tunnel) = try embedded(SMTPProxy(kind: .socks5, host: "p"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 1, 0]))
        try channel.writeInbound(ByteBuffer(bytes: [5, 0]))
        #expect(
            try channel.readOutbound(as: ByteBuffer.self)
                == ByteBuffer(bytes: [5, 1, 0, 3, 10] + Array("mx.example".utf8) + [0, 25]))
        var established = false
        tunnel.assumeIsolated().whenSuccess { established = true }
        try channel.writeInbound(ByteBuffer(bytes: [5, 0, 0, 1, 1, 2, 3, 4, 0, 25] + Array("220 mx ESMTP\r\n".utf8)))
        #expect(established)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "220 mx ESMTP\r\n"))
        #expect((try? channel.pipeline.syncOperations.handler(type: ProxyHandshakeHandler.self)) == nil)
        // Afterwards bytes pass straight through.
        try channel.writeInbound(ByteBuffer(string: "250 ok\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "250 ok\r\n"))
        _ = try channel.finish()
    }

    @Test func writesFromBehindWaitForTheTunnel() throws {
        let (channel, tunnel) = try embedded(SMTPProxy(kind: .httpConnect, host: "p"))
        #expect(
            try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }?.hasPrefix(
                "CONNECT mx.example:25 ") == true)
        var written = false
        channel.writeAndFlush(ByteBuffer(string: "EARLY\r\n")).assumeIsolated().whenSuccess { written = true }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(string: "\r\n"))
        try tunnel.wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "EARLY\r\n"))
        #expect(written)
        _ = try channel.finish()
    }

    @Test func failureClosesTheChannelAndFailsHeldWrites() throws {
        let (channel, tunnel) = try embedded(SMTPProxy(kind: .socks4a, host: "p"))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        var writeError: (any Error)?
        channel.writeAndFlush(ByteBuffer(string: "EARLY\r\n")).assumeIsolated().whenFailure { writeError = $0 }
        try channel.writeInbound(ByteBuffer(bytes: [0, 0x5B, 0, 0, 0, 0, 0, 0]))
        #expect(throws: SMTPError.self) { try tunnel.wait() }
        #expect((writeError as? SMTPError)?.code == .proxyFailed)
        #expect(!channel.isActive)
    }

    @Test func closingBeforeTheReplyFailsTheTunnel() throws {
        let (channel, tunnel) = try embedded(SMTPProxy(kind: .socks5, host: "p"))
        try channel.close().wait()
        do {
            try tunnel.wait()
            Issue.record("the tunnel was established")
        } catch let error as SMTPError {
            #expect(error.code == .proxyFailed)
        }
    }

    @Test func addedToAnActiveChannelStartsAtOnce() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1080)).wait()
        let tunnel = try SMTPProxy(kind: .socks4, host: "p", username: "id").addHandshake(
            to: channel.pipeline.syncOperations, targetHost: "192.0.2.1", targetPort: 25, eventLoop: channel.eventLoop)
        #expect(
            try channel.readOutbound(as: ByteBuffer.self)
                == ByteBuffer(bytes: [4, 1, 0, 25, 192, 0, 2, 1, 105, 100, 0]))
        try channel.writeInbound(ByteBuffer(bytes: [0, 0x5A, 0, 0, 0, 0, 0, 0]))
        try tunnel.wait()
        _ = try channel.finish()
    }

    @Test func endlessGarbageFromTheProxyIsBounded() throws {
        let (channel, tunnel) = try embedded(SMTPProxy(kind: .httpConnect, host: "p"))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        let chunk = ByteBuffer(repeating: UInt8(ascii: "A"), count: 4096)
        for _ in 0..<8 where channel.isActive {
            try channel.writeInbound(chunk)
        }
        #expect(throws: SMTPError.self) { try tunnel.wait() }
        #expect(!channel.isActive)
    }
}
