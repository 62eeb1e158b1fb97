import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SMTP

/// A tiny SMTP server on 127.0.0.1 whose answers come from a script, for session tests
/// that need a misbehaving peer (silence, dropped connections, a reader that stalls).
final class ScriptedSMTPServer: Sendable {
    /// What the server observed.
    enum Input: Sendable {
        /// A client connected.
        case connected
        /// A command line (without CRLF).
        case line(String)
        /// A line of message data arrived; the number of data octets received so far.
        case dataProgress(Int)
        /// The message data up to (not including) the terminating dot line, un-stuffed.
        case message([UInt8])
    }

    /// What the server does in response.
    enum Output: Sendable {
        /// Send these reply lines (CRLF is added to each).
        case send(String)
        /// Close the connection.
        case close
        /// Stop reading from the client until ``ScriptedSMTPServer/resumeReading()``.
        case pauseReading
    }

    typealias Script = @Sendable (Input) -> [Output]

    private let serverChannel: any Channel
    private let connections = NIOLockedValueBox<[any Channel]>([])
    private let received = NIOLockedValueBox<[String]>([])
    private let messages = NIOLockedValueBox<[[UInt8]]>([])

    /// The port the server listens on.
    let port: Int

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
        self.port = serverChannel.localAddress?.port ?? 0
    }

    /// Starts a server that answers with `script`.
    static func start(_ script: @escaping Script) async throws -> ScriptedSMTPServer {
        let box = NIOLockedValueBox<ScriptedSMTPServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLockedValue({ $0 }) else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    server.connections.withLockedValue { $0.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = ScriptedSMTPServer(serverChannel: channel)
        box.withLockedValue { $0 = server }
        return server
    }

    /// The command lines received so far, over all connections.
    var receivedLines: [String] {
        self.received.withLockedValue { $0 }
    }

    /// The messages received so far.
    var receivedMessages: [[UInt8]] {
        self.messages.withLockedValue { $0 }
    }

    /// Starts reading again after ``Output/pauseReading``.
    func resumeReading() {
        for channel in self.connections.withLockedValue({ $0 }) {
            channel.setOption(ChannelOptions.autoRead, value: true).whenSuccess {
                channel.read()
            }
        }
    }

    /// Closes the listener and every connection.
    func stop() async {
        for channel in self.connections.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        try? await self.serverChannel.close()
    }

    /// The answers of a well-behaved server: 220, EHLO with `extensions`, 250 to
    /// everything, 354 to DATA, 221 and close to QUIT.
    static func standard(extensions: [String] = ["PIPELINING", "8BITMIME"]) -> Script {
        { input in
            switch input {
            case .connected:
                return [.send("220 scripted.test ESMTP")]
            case .line(let line):
                let verb = line.prefix { $0 != " " }.uppercased()
                switch verb {
                case "EHLO":
                    let lines = ["scripted.test"] + extensions
                    return [.send(SMTPReply(code: 250, lines: lines).wireLines.joined(separator: "\r\n"))]
                case "DATA":
                    return [.send("354 go ahead")]
                case "QUIT":
                    return [.send("221 bye"), .close]
                case "VRFY":
                    return [.send("252 cannot verify")]
                default:
                    return [.send("250 OK")]
                }
            case .dataProgress:
                return []
            case .message:
                return [.send("250 2.0.0 queued")]
            }
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let server: ScriptedSMTPServer
        private let script: Script
        private var buffer = ByteBuffer()
        private var inData = false
        private var data: [UInt8] = []
        private var closed = false

        init(server: ScriptedSMTPServer, script: @escaping Script) {
            self.server = server
            self.script = script
        }

        func channelActive(context: ChannelHandlerContext) {
            self.perform(self.script(.connected), context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = self.unwrapInboundIn(data)
            self.buffer.writeBuffer(&incoming)
            while !self.closed, let line = self.nextLine() {
                if self.inData {
                    if line == "." {
                        self.inData = false
                        let message = self.data
                        self.data = []
                        self.server.messages.withLockedValue { $0.append(message) }
                        self.perform(self.script(.message(message)), context: context)
                    } else {
                        let unstuffed = line.first == "." ? String(line.dropFirst()) : line
                        self.data += Array(unstuffed.utf8) + [13, 10]
                        self.perform(self.script(.dataProgress(self.data.count)), context: context)
                    }
                } else {
                    self.server.received.withLockedValue { $0.append(line) }
                    self.perform(self.script(.line(line)), context: context)
                }
            }
        }

        private func nextLine() -> String? {
            let view = self.buffer.readableBytesView
            guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
                return nil
            }
            let end = lf > view.startIndex && view[lf - 1] == UInt8(ascii: "\r") ? lf - 1 : lf
            let line = String(decoding: view[view.startIndex..<end], as: UTF8.self)
            self.buffer.moveReaderIndex(forwardBy: lf + 1 - view.startIndex)
            return line
        }

        private func perform(_ outputs: [Output], context: ChannelHandlerContext) {
            for output in outputs where !self.closed {
                switch output {
                case .send(let text):
                    if text.hasPrefix("354") {
                        self.inData = true
                    }
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
                case .close:
                    self.closed = true
                    context.close(promise: nil)
                case .pauseReading:
                    try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
                }
            }
        }
    }
}
