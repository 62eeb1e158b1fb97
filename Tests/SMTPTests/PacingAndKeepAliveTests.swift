import NIOCore
import NIOPosix
import Testing

@testable import SMTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `maximumTransferRate`, `timeoutMode` and `tcpKeepAlive`.
@Suite("Pacing, absolute timeouts and keep-alive", .timeLimit(.minutes(2)))
struct PacingAndKeepAliveTests {
    private let envelope = SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
    /// 128 KiB in 64-octet lines.
    private let body = Array(String(repeating: String(repeating: "x", count: 62) + "\r\n", count: 2048).utf8)

    @Test func theLimiterWaitsUntilTheBytesAreDue() {
        var limiter = TransferRateLimiter(bytesPerSecond: 1000)
        #expect(limiter.wrote(500, elapsed: .zero) == .milliseconds(500))
        #expect(limiter.wrote(500, elapsed: .milliseconds(600)) == .milliseconds(400))
        #expect(limiter.wrote(1000, elapsed: .seconds(5)) == .zero, "behind schedule: no wait")
    }

    @Test func aPacedSendTakesAtLeastItsSizeOverTheRateAndOnlyAnAbsoluteTimeoutCountsIt() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        // 384 KiB at 96 KiB/s take about 4 s, each wait well under a second. The 3 s timeout
        // leaves a loaded CI machine 2 s of slack for any single wait, and is still shorter
        // than the whole send, which only the absolute mode counts.
        let body = Array(repeating: self.body, count: 3).flatMap { $0 }
        var paced = sessionConfiguration(port: server.port, commandTimeout: .seconds(3))
        paced.maximumTransferRate = 96 * 1024

        // Inactivity (default): the server never keeps the client waiting, so no timeout.
        let session = SMTPSession(configuration: paced)
        try await session.connect()
        let started = ContinuousClock.now
        let result = try await session.send(envelope: self.envelope, body: body)
        #expect(ContinuousClock.now - started >= .milliseconds(3600), "the content was paced")
        #expect(result.bytesSent > 384 * 1024)
        await session.shutdown()

        // Absolute: the whole send may take three seconds.
        var absolute = paced
        absolute.timeoutMode = .absolute
        let bounded = SMTPSession(configuration: absolute)
        try await bounded.connect()
        let error = await smtpError { try await bounded.send(envelope: self.envelope, body: body) }
        #expect(error?.code == .timeout)
        #expect(await !bounded.isConnected)
        await bounded.shutdown()
    }

    @Test func keepAliveOptionsReachTheSocket() async throws {
        let server = try await ScriptedSMTPServer.start(ScriptedSMTPServer.standard())
        var configuration = sessionConfiguration(port: server.port)
        configuration.tcpKeepAlive = SMTPTCPKeepAlive(idleTime: .seconds(45), interval: .seconds(7), probeCount: 3)
        let session = SMTPSession(configuration: configuration)
        try await session.connect()
        let channel = try #require(await session.connection?.channel)
        #expect(try await channel.getOption(.socketOption(.so_keepalive)).get() != 0)
        let tcp = SocketOptionLevel(IPPROTO_TCP)
        #if !canImport(Darwin)
            #expect(
                try await channel.getOption(
                    ChannelOptions.Types.SocketOption(level: tcp, name: SocketOptionName(TCP_KEEPIDLE))
                ).get()
                    == 45)
        #endif
        #expect(
            try await channel.getOption(
                ChannelOptions.Types.SocketOption(level: tcp, name: SocketOptionName(TCP_KEEPINTVL))
            ).get()
                == 7)
        #expect(
            try await channel.getOption(
                ChannelOptions.Types.SocketOption(level: tcp, name: SocketOptionName(TCP_KEEPCNT))
            ).get()
                == 3)
        await session.shutdown()
    }
}
