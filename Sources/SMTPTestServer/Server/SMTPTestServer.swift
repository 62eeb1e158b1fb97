import Logging
import NIOCore
import NIOPosix

/// An SMTP server that runs inside the test process, records every message and conversation,
/// and can be scripted to fail (see `Configuration.responder`).
///
/// ```swift
/// try await SMTPTestServer.withRunning { server in
///     // deliver to server.host, server.port …
///     let message = try await server.nextMessage()
///     #expect(message.recipients == ["bob@example.org"])
/// }
/// ```
public final class SMTPTestServer: Sendable {
    /// The configuration the server was started with.
    public let configuration: Configuration
    /// The address the server listens on.
    public let host: String
    /// The port the server listens on (the one picked when `Configuration.port` is `0`).
    public let port: Int

    private let listener: any Channel
    let recorder: ServerRecorder

    private init(configuration: Configuration, host: String, port: Int, listener: any Channel, recorder: ServerRecorder)
    {
        self.configuration = configuration
        self.host = host
        self.port = port
        self.listener = listener
        self.recorder = recorder
    }

    /// Starts a server listening on `configuration.host` and `configuration.port`.
    /// Stop it with `shutdown()`, or use `withRunning(configuration:eventLoopGroup:logger:_:)`.
    public static func start(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "SMTPTestServer", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> SMTPTestServer {
        let recorder = ServerRecorder()
        let capabilities = Capabilities(configuration)
        let listener = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let number = recorder.openConnection(channel) else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    let machine = SMTPServerStateMachine(
                        configuration: configuration, capabilities: capabilities, connectionNumber: number)
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    try handlers.addHandler(SMTPServerHandler(machine: machine, recorder: recorder, logger: logger))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw ChannelError.unknownLocalAddress
        }
        logger.debug("SMTP test server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        return SMTPTestServer(
            configuration: configuration, host: configuration.host, port: port, listener: listener, recorder: recorder)
    }

    /// Stops listening, closes every open connection and fails pending waits with
    /// `SMTPTestServerError.Code.shutDown`. Calling it again does nothing.
    public func shutdown() async throws {
        let connections = recorder.shutDown()
        do {
            try await listener.close()
        } catch ChannelError.alreadyClosed {
            // Shut down before.
        }
        for connection in connections {
            // A connection may be closing on its own at the same moment; either way it is gone.
            try? await connection.close()
        }
    }

    /// Starts a server, runs `body` with it and shuts it down, whether `body` returns or throws.
    public static func withRunning<Value>(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "SMTPTestServer", factory: { _ in SwiftLogNoOpLogHandler() }),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SMTPTestServer) async throws -> Value
    ) async throws -> Value {
        let server = try await start(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        let result: Value
        do {
            result = try await body(server)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
        return result
    }
}
