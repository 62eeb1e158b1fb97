import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A small proxy on 127.0.0.1 for tunnel tests: it speaks SOCKS4, SOCKS4A, SOCKS5 (with
/// user/password) and HTTP `CONNECT` (with `Basic`), telling them apart by the first byte,
/// connects onward and pipes bytes both ways. It records what each client asked for.
///
/// It reaches IP literals and `localhost` (as 127.0.0.1) only; other names are unreachable.
final class TestProxyServer: Sendable {
    /// How the proxy behaves.
    struct Behavior: Sendable {
        /// The user name and password SOCKS5 and HTTP clients must present, if any.
        var credentials: (username: String, password: String)?
        /// Refuse every target (SOCKS4 `0x5B`, SOCKS5 `0x02`, HTTP `403`).
        var refuseTargets = false
        /// Wait for the target's first bytes and send them in the same write as the
        /// proxy's success reply (so the client reads both in one packet).
        var coalesceReplyWithGreeting = false
    }

    /// One client's request.
    struct Request: Sendable, Equatable {
        /// `socks4`, `socks4a`, `socks5` or `http`.
        var kind: String
        var host: String
        var port: Int
        /// The SOCKS4 user ID, or the SOCKS5/HTTP user name.
        var username: String?
        var password: String?
        /// The HTTP request head, for HTTP.
        var httpHead: String?
    }

    private let serverChannel: any Channel
    private let recorded = NIOLockedValueBox<[Request]>([])
    private let connections = NIOLockedValueBox<[any Channel]>([])

    /// The port the proxy listens on.
    let port: Int

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
        self.port = serverChannel.localAddress?.port ?? 0
    }

    /// The requests received so far.
    var requests: [Request] {
        self.recorded.withLockedValue { $0 }
    }

    /// Starts a proxy.
    static func start(_ behavior: Behavior = Behavior()) async throws -> TestProxyServer {
        let box = NIOLockedValueBox<TestProxyServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLockedValue({ $0 }) else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    server.connections.withLockedValue { $0.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(ClientSide(server: server, behavior: behavior))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = TestProxyServer(serverChannel: channel)
        box.withLockedValue { $0 = server }
        return server
    }

    /// Closes the listener and every connection.
    func stop() async {
        for channel in self.connections.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        try? await self.serverChannel.close()
    }

    fileprivate func record(_ request: Request) {
        self.recorded.withLockedValue { $0.append(request) }
    }

    fileprivate func track(_ channel: any Channel) {
        self.connections.withLockedValue { $0.append(channel) }
    }

    /// The client's side: parses the request, answers, then pipes.
    private final class ClientSide: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private enum Phase {
            case request
            case socks5Authentication
            case socks5Connect
            case connecting
            case piping(any Channel)
            case closed
        }

        private let server: TestProxyServer
        private let behavior: Behavior
        private var phase = Phase.request
        private var buffer = ByteBuffer()
        private var socks5User: (String, String)?

        init(server: TestProxyServer, behavior: Behavior) {
            self.server = server
            self.behavior = behavior
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = self.unwrapInboundIn(data)
            if case .piping(let target) = self.phase {
                target.writeAndFlush(incoming, promise: nil)
                return
            }
            self.buffer.writeBuffer(&incoming)
            self.parse(context: context)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if case .piping(let target) = self.phase {
                target.close(promise: nil)
            }
            self.phase = .closed
        }

        private func send(_ bytes: [UInt8], context: ChannelHandlerContext) {
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
        }

        private func parse(context: ChannelHandlerContext) {
            switch self.phase {
            case .request:
                guard let first = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) else {
                    return
                }
                switch first {
                case 4: self.parseSOCKS4(context: context)
                case 5: self.parseSOCKS5Greeting(context: context)
                default: self.parseHTTP(context: context)
                }
            case .socks5Authentication:
                self.parseSOCKS5Authentication(context: context)
            case .socks5Connect:
                self.parseSOCKS5Connect(context: context)
            case .connecting, .piping, .closed:
                return
            }
        }

        private func readCString(at index: inout Int) -> String? {
            let view = self.buffer.readableBytesView
            let start = view.startIndex + index
            guard start <= view.endIndex, let nul = view[start...].firstIndex(of: 0) else {
                return nil
            }
            index = nul + 1 - view.startIndex
            return String(decoding: view[start..<nul], as: UTF8.self)
        }

        private func parseSOCKS4(context: ChannelHandlerContext) {
            let view = Array(self.buffer.readableBytesView)
            guard view.count >= 9 else {
                return
            }
            var index = 8
            guard let userID = self.readCString(at: &index) else {
                return
            }
            let port = Int(view[2]) << 8 | Int(view[3])
            var host = view[4..<8].map(String.init).joined(separator: ".")
            var kind = "socks4"
            if view[4] == 0, view[5] == 0, view[6] == 0, view[7] != 0 {
                guard let name = self.readCString(at: &index) else {
                    return
                }
                host = name
                kind = "socks4a"
            }
            self.buffer.moveReaderIndex(forwardBy: index)
            self.server.record(Request(kind: kind, host: host, port: port, username: userID))
            if self.behavior.refuseTargets {
                self.send([0, 0x5B, 0, 0, 0, 0, 0, 0], context: context)
                context.close(promise: nil)
                return
            }
            self.connect(
                host: host, port: port, context: context, success: [0, 0x5A, 0, 0, 0, 0, 0, 0],
                failure: [0, 0x5B, 0, 0, 0, 0, 0, 0])
        }

        private func parseSOCKS5Greeting(context: ChannelHandlerContext) {
            guard let count = self.buffer.getInteger(at: self.buffer.readerIndex + 1, as: UInt8.self),
                let methods = self.buffer.getBytes(at: self.buffer.readerIndex + 2, length: Int(count))
            else {
                return
            }
            self.buffer.moveReaderIndex(forwardBy: 2 + Int(count))
            if self.behavior.credentials != nil {
                guard methods.contains(2) else {
                    self.send([5, 0xFF], context: context)
                    context.close(promise: nil)
                    return
                }
                self.send([5, 2], context: context)
                self.phase = .socks5Authentication
            } else {
                self.send([5, 0], context: context)
                self.phase = .socks5Connect
            }
            self.parse(context: context)
        }

        private func parseSOCKS5Authentication(context: ChannelHandlerContext) {
            let start = self.buffer.readerIndex
            guard let userLength = self.buffer.getInteger(at: start + 1, as: UInt8.self),
                let user = self.buffer.getString(at: start + 2, length: Int(userLength)),
                let passwordLength = self.buffer.getInteger(at: start + 2 + Int(userLength), as: UInt8.self),
                let password = self.buffer.getString(at: start + 3 + Int(userLength), length: Int(passwordLength))
            else {
                return
            }
            self.buffer.moveReaderIndex(forwardBy: 3 + Int(userLength) + Int(passwordLength))
            self.socks5User = (user, password)
            guard let expected = self.behavior.credentials, expected.username == user, expected.password == password
            else {
                self.server.record(Request(kind: "socks5", host: "", port: 0, username: user, password: password))
                self.send([1, 1], context: context)
                context.close(promise: nil)
                return
            }
            self.send([1, 0], context: context)
            self.phase = .socks5Connect
            self.parse(context: context)
        }

        private func parseSOCKS5Connect(context: ChannelHandlerContext) {
            let start = self.buffer.readerIndex
            guard let header = self.buffer.getBytes(at: start, length: 4) else {
                return
            }
            let host: String
            let addressLength: Int
            switch header[3] {
            case 1:
                guard let bytes = self.buffer.getBytes(at: start + 4, length: 4) else { return }
                host = bytes.map(String.init).joined(separator: ".")
                addressLength = 4
            case 3:
                guard let length = self.buffer.getInteger(at: start + 4, as: UInt8.self),
                    let name = self.buffer.getString(at: start + 5, length: Int(length))
                else { return }
                host = name
                addressLength = 1 + Int(length)
            case 4:
                guard let bytes = self.buffer.getBytes(at: start + 4, length: 16),
                    let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0)
                else { return }
                host = address.ipAddress ?? "::"
                addressLength = 16
            default:
                context.close(promise: nil)
                return
            }
            guard let port = self.buffer.getInteger(at: start + 4 + addressLength, as: UInt16.self) else {
                return
            }
            self.buffer.moveReaderIndex(forwardBy: 4 + addressLength + 2)
            self.server.record(
                Request(
                    kind: "socks5", host: host, port: Int(port), username: self.socks5User?.0,
                    password: self.socks5User?.1))
            if self.behavior.refuseTargets {
                self.send([5, 2, 0, 1, 0, 0, 0, 0, 0, 0], context: context)
                context.close(promise: nil)
                return
            }
            self.connect(
                host: host, port: Int(port), context: context, success: [5, 0, 0, 1, 127, 0, 0, 1, 0, 0],
                failure: [5, 5, 0, 1, 0, 0, 0, 0, 0, 0])
        }

        private func parseHTTP(context: ChannelHandlerContext) {
            let bytes = Array(self.buffer.readableBytesView)
            guard bytes.count >= 4,
                let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) })
            else {
                return
            }
            let head = String(decoding: bytes[..<end], as: UTF8.self)
            self.buffer.moveReaderIndex(forwardBy: end + 4)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let parts = lines[0].split(separator: " ")
            guard parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
                let port = Int(parts[1][parts[1].index(after: colon)...])
            else {
                self.send(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8), context: context)
                context.close(promise: nil)
                return
            }
            var host = String(parts[1][..<colon])
            if host.hasPrefix("[") {
                host = String(host.dropFirst().dropLast())
            }
            var username: String?
            var password: String?
            for line in lines.dropFirst() where line.lowercased().hasPrefix("proxy-authorization: basic ") {
                let encoded = String(line.dropFirst("proxy-authorization: basic ".count))
                let decoded = String(decoding: Self.base64Decode(encoded), as: UTF8.self)
                if let colon = decoded.firstIndex(of: ":") {
                    username = String(decoded[..<colon])
                    password = String(decoded[decoded.index(after: colon)...])
                }
            }
            self.server.record(
                Request(kind: "http", host: host, port: port, username: username, password: password, httpHead: head))
            if let expected = self.behavior.credentials, expected.username != username || expected.password != password
            {
                self.send(
                    Array(
                        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"
                            .utf8),
                    context: context)
                context.close(promise: nil)
                return
            }
            if self.behavior.refuseTargets {
                self.send(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".utf8), context: context)
                context.close(promise: nil)
                return
            }
            self.connect(
                host: host, port: port, context: context,
                success: Array("HTTP/1.1 200 Connection established\r\nVia: test-proxy\r\n\r\n".utf8),
                failure: Array("HTTP/1.1 502 Bad Gateway\r\n\r\n".utf8))
        }

        private func connect(
            host: String, port: Int, context: ChannelHandlerContext, success: [UInt8], failure: [UInt8]
        ) {
            self.phase = .connecting
            let address = host == "localhost" ? "127.0.0.1" : host
            let client = context.channel
            let coalesce = self.behavior.coalesceReplyWithGreeting
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let server = self.server
            guard let socketAddress = try? SocketAddress(ipAddress: address, port: port) else {
                self.send(failure, context: context)
                context.close(promise: nil)
                return
            }
            ClientBootstrap(group: context.eventLoop)
                .channelInitializer { target in
                    target.eventLoop.makeCompletedFuture {
                        try target.pipeline.syncOperations.addHandler(
                            TargetSide(client: client, pendingReply: coalesce ? ByteBuffer(bytes: success) : nil))
                    }
                }
                .connect(to: socketAddress)
                .assumeIsolated()
                .whenComplete { result in
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success(let target):
                        server.track(target)
                        handler.phase = .piping(target)
                        if !coalesce {
                            handler.send(success, context: context)
                        }
                        if handler.buffer.readableBytes > 0 {
                            target.writeAndFlush(handler.buffer, promise: nil)
                            handler.buffer.clear()
                        }
                    case .failure:
                        handler.send(failure, context: context)
                        context.close(promise: nil)
                    }
                }
        }

        static func base64Decode(_ text: String) -> [UInt8] {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            var bits: UInt32 = 0
            var count = 0
            var output: [UInt8] = []
            for byte in text.utf8 {
                guard let value = alphabet.firstIndex(of: byte) else { continue }
                bits = bits << 6 | UInt32(value)
                count += 6
                if count >= 8 {
                    count -= 8
                    output.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
                }
            }
            return output
        }
    }

    /// The target's side: pipes the server's bytes to the client (the first ones after the
    /// held proxy reply, in one write, when coalescing).
    private final class TargetSide: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let client: any Channel
        private var pendingReply: ByteBuffer?

        init(client: any Channel, pendingReply: ByteBuffer?) {
            self.client = client
            self.pendingReply = pendingReply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = self.unwrapInboundIn(data)
            if var reply = self.pendingReply {
                self.pendingReply = nil
                reply.writeBuffer(&incoming)
                incoming = reply
            }
            self.client.writeAndFlush(incoming, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.client.close(promise: nil)
        }
    }
}
