import NIOCore
import NIOEmbedded
import Testing

@testable import SMTP

@Suite("Proxy state machines")
struct ProxyStateMachineTests {
    private func target(_ host: String, _ port: Int = 25) throws -> ProxyTarget {
        try ProxyTarget(host: host, port: port)
    }

    private func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }

    private func expectProxyFailed(
        _ body: () throws(SMTPError) -> Void, containing text: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected .proxyFailed", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .proxyFailed, sourceLocation: sourceLocation)
            if let text {
                #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
            }
        }
    }

    private func expectInvalidInput(
        _ body: () throws(SMTPError) -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected .invalidInput", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidInput, sourceLocation: sourceLocation)
        }
    }

    // MARK: - SOCKS4 / SOCKS4A

    @Test func socks4RequestBytesAndSuccess() throws {
        var machine = try SOCKS4Handshake(target: target("192.0.2.7", 587), userID: "bob", allowsHostName: false)
        #expect(bytes(machine.start()) == [4, 1, 0x02, 0x4B, 192, 0, 2, 7] + Array("bob".utf8) + [0])
        var reply = ByteBuffer(bytes: [0, 0x5A, 0, 0, 0, 0, 0])
        #expect(try machine.receive(&reply) == .needMoreBytes)
        reply.writeBytes([0] + Array("220 hi\r\n".utf8))
        #expect(try machine.receive(&reply) == .established)
        #expect(reply.readString(length: reply.readableBytes) == "220 hi\r\n")
    }

    @Test func socks4aSendsTheHostName() throws {
        var machine = try SOCKS4Handshake(target: target("mx.example", 25), userID: nil, allowsHostName: true)
        #expect(bytes(machine.start()) == [4, 1, 0, 25, 0, 0, 0, 1, 0] + Array("mx.example".utf8) + [0])
        var ip = try SOCKS4Handshake(target: target("10.1.2.3", 25), userID: "u", allowsHostName: true)
        #expect(bytes(ip.start()) == [4, 1, 0, 25, 10, 1, 2, 3, UInt8(ascii: "u"), 0])
    }

    @Test(arguments: [UInt8(0x5B), 0x5C, 0x5D, 0x00, 0xFF])
    func socks4Refusals(status: UInt8) throws {
        var machine = try SOCKS4Handshake(target: target("192.0.2.7"), userID: nil, allowsHostName: false)
        _ = machine.start()
        expectProxyFailed(
            { () throws(SMTPError) in
                var reply = ByteBuffer(bytes: [0, status, 0, 0, 0, 0, 0, 0])
                _ = try machine.receive(&reply)
            }, containing: "refused")
    }

    @Test func socks4GarbageAndConfiguration() throws {
        var machine = try SOCKS4Handshake(target: target("192.0.2.7"), userID: nil, allowsHostName: false)
        _ = machine.start()
        expectProxyFailed(
            { () throws(SMTPError) in
                var reply = ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n")
                _ = try machine.receive(&reply)
            }, containing: "version")
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS4Handshake(
                target: try ProxyTarget(host: "mx.example", port: 25), userID: nil, allowsHostName: false)
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS4Handshake(target: try ProxyTarget(host: "::1", port: 25), userID: nil, allowsHostName: true)
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS4Handshake(
                target: try ProxyTarget(host: "10.0.0.1", port: 25), userID: "a\0b", allowsHostName: true)
        }
    }

    // MARK: - SOCKS5

    @Test func socks5WithoutAuthentication() throws {
        var machine = try SOCKS5Handshake(target: target("mx.example", 25), username: nil, password: nil)
        #expect(bytes(machine.start()) == [5, 1, 0])
        var input = ByteBuffer(bytes: [5, 0])
        #expect(
            try machine.receive(&input)
                == .send(ByteBuffer(bytes: [5, 1, 0, 3, 10] + Array("mx.example".utf8) + [0, 25])))
        #expect(try machine.receive(&input) == .needMoreBytes)
        input.writeBytes([5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38] + Array("220 x\r\n".utf8))
        #expect(try machine.receive(&input) == .established)
        #expect(input.readString(length: input.readableBytes) == "220 x\r\n")
    }

    @Test func socks5WithUserPassword() throws {
        var machine = try SOCKS5Handshake(target: target("192.0.2.1", 465), username: "alice", password: "s3cret")
        #expect(bytes(machine.start()) == [5, 2, 0, 2])
        var input = ByteBuffer(bytes: [5, 2])
        #expect(
            try machine.receive(&input)
                == .send(ByteBuffer(bytes: [1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8))))
        input.writeBytes([1, 0])
        #expect(try machine.receive(&input) == .send(ByteBuffer(bytes: [5, 1, 0, 1, 192, 0, 2, 1, 0x01, 0xD1])))
        // A bound address given as a domain name.
        input.writeBytes([5, 0, 0, 3, 3] + Array("abc".utf8) + [0, 1])
        #expect(try machine.receive(&input) == .established)
        #expect(input.readableBytes == 0)
    }

    @Test func socks5IPv6TargetAndReply() throws {
        var machine = try SOCKS5Handshake(target: target("[2001:db8::1]", 25), username: nil, password: nil)
        _ = machine.start()
        var input = ByteBuffer(bytes: [5, 0])
        let expected: [UInt8] = [5, 1, 0, 4, 0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1, 0, 25]
        #expect(try machine.receive(&input) == .send(ByteBuffer(bytes: expected)))
        input.writeBytes([5, 0, 0, 4] + [UInt8](repeating: 0, count: 17))
        #expect(try machine.receive(&input) == .needMoreBytes)
        input.writeBytes([0])
        #expect(try machine.receive(&input) == .established)
    }

    @Test func socks5ByteByByte() throws {
        var machine = try SOCKS5Handshake(target: target("mx.example"), username: "u", password: "p")
        _ = machine.start()
        let wire: [UInt8] = [5, 2, 1, 0, 5, 0, 0, 3, 2, 65, 66, 0, 25]
        var buffer = ByteBuffer()
        var steps: [ProxyHandshakeStep] = []
        for byte in wire {
            buffer.writeInteger(byte)
            while true {
                let step = try machine.receive(&buffer)
                if step == .needMoreBytes { break }
                steps.append(step)
                if step == .established { break }
            }
        }
        #expect(steps.count == 3)
        #expect(steps.last == .established)
    }

    @Test(arguments: Array(UInt8(1)...8) + [UInt8(9), 0xFF])
    func socks5ReplyCodes(code: UInt8) throws {
        var machine = try SOCKS5Handshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        var input = ByteBuffer(bytes: [5, 0])
        _ = try machine.receive(&input)
        expectProxyFailed(
            { () throws(SMTPError) in
                input.writeBytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])
                _ = try machine.receive(&input)
            }, containing: "(\(code))")
    }

    @Test func socks5Refusals() throws {
        func machine(_ user: String? = nil) throws -> SOCKS5Handshake {
            var machine = try SOCKS5Handshake(
                target: target("mx.example"), username: user, password: user.map { _ in "pw" })
            _ = machine.start()
            return machine
        }
        func feed(_ machine: SOCKS5Handshake, _ chunks: [UInt8]...) throws(SMTPError) {
            var machine = machine
            for chunk in chunks {
                var buffer = ByteBuffer(bytes: chunk)
                _ = try machine.receive(&buffer)
            }
        }
        let anonymous = try machine()
        let authenticated = try machine("alice")
        expectProxyFailed(
            { () throws(SMTPError) in try feed(anonymous, [5, 0xFF]) }, containing: "requires authentication")
        expectProxyFailed(
            { () throws(SMTPError) in try feed(authenticated, [5, 0xFF]) }, containing: "accepts neither")
        expectProxyFailed({ () throws(SMTPError) in try feed(anonymous, [5, 2]) }, containing: "did not offer")
        expectProxyFailed({ () throws(SMTPError) in try feed(authenticated, [5, 1]) }, containing: "did not offer")
        expectProxyFailed(
            { () throws(SMTPError) in try feed(authenticated, [5, 2], [1, 1]) }, containing: "refused the user name")
        expectProxyFailed({ () throws(SMTPError) in try feed(authenticated, [5, 2], [9, 0]) }, containing: "version")
        expectProxyFailed({ () throws(SMTPError) in try feed(anonymous, [4, 0]) }, containing: "not SOCKS5")
        expectProxyFailed(
            { () throws(SMTPError) in try feed(anonymous, [5, 0], [4, 0, 0, 1]) }, containing: "not SOCKS5")
        expectProxyFailed(
            { () throws(SMTPError) in try feed(anonymous, [5, 0], [5, 0, 0, 7]) }, containing: "address type")
        // After a failure the machine stays failed.
        var failed = anonymous
        var garbage = ByteBuffer(bytes: [5, 0xFF])
        _ = try? failed.receive(&garbage)
        expectProxyFailed { () throws(SMTPError) in
            var more = ByteBuffer(bytes: [5, 0])
            _ = try failed.receive(&more)
        }
    }

    @Test func socks5Configuration() throws {
        let name = try target("mx.example")
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS5Handshake(target: name, username: String(repeating: "u", count: 256), password: "p")
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS5Handshake(target: name, username: "", password: "p")
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS5Handshake(target: name, username: "u", password: String(repeating: "p", count: 256))
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SOCKS5Handshake(target: name, username: nil, password: "p")
        }
        _ = try SOCKS5Handshake(
            target: name, username: String(repeating: "u", count: 255), password: String(repeating: "p", count: 255))
    }

    // MARK: - HTTP CONNECT

    @Test func httpRequestBytes() throws {
        var plain = try HTTPConnectHandshake(target: target("mx.example", 587), username: nil, password: nil)
        #expect(String(buffer: plain.start()) == "CONNECT mx.example:587 HTTP/1.1\r\nHost: mx.example:587\r\n\r\n")
        var basic = try HTTPConnectHandshake(target: target("::1", 25), username: "Aladdin", password: "open sesame")
        #expect(
            String(buffer: basic.start())
                == "CONNECT [::1]:25 HTTP/1.1\r\nHost: [::1]:25\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
        )
        expectInvalidInput { () throws(SMTPError) in
            _ = try HTTPConnectHandshake(
                target: try ProxyTarget(host: "mx.example", port: 25), username: "a:b", password: "c")
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try HTTPConnectHandshake(
                target: try ProxyTarget(host: "mx.example", port: 25), username: "a", password: "c\r\nX: y")
        }
    }

    @Test func httpExtraHeadersFollowHostAndAuthorization() throws {
        let headers = [
            SMTPProxy.Header(name: "Proxy-Agent", value: "PGPMail/1"),
            SMTPProxy.Header(name: "X-Trace!#$%&'*+-.^_`|~9", value: "a\tb ü"),
        ]
        var plain = try HTTPConnectHandshake(
            target: target("mx.example", 587), username: nil, password: nil, extraHeaders: headers)
        #expect(
            String(buffer: plain.start())
                == "CONNECT mx.example:587 HTTP/1.1\r\nHost: mx.example:587\r\nProxy-Agent: PGPMail/1\r\n"
                + "X-Trace!#$%&'*+-.^_`|~9: a\tb ü\r\n\r\n")
        var basic = try HTTPConnectHandshake(
            target: target("::1", 25), username: "Aladdin", password: "open sesame", extraHeaders: [headers[0]])
        #expect(
            String(buffer: basic.start())
                == "CONNECT [::1]:25 HTTP/1.1\r\nHost: [::1]:25\r\n"
                + "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nProxy-Agent: PGPMail/1\r\n\r\n")
        // Without a user name, the caller may authorize itself.
        var bearer = try HTTPConnectHandshake(
            target: target("mx.example"), username: nil, password: nil,
            extraHeaders: [SMTPProxy.Header(name: "Proxy-Authorization", value: "Bearer t")])
        #expect(String(buffer: bearer.start()).hasSuffix("\r\nProxy-Authorization: Bearer t\r\n\r\n"))
    }

    @Test(arguments: [
        ("Proxy-Agent", "x\r\nX-Injected: 1"), ("Proxy-Agent", "x\n"), ("Proxy-Agent", "x\r"),
        ("Proxy-Agent", "x\u{0}y"), ("Proxy-Agent", "\u{7F}"), ("Proxy-Agent", "\u{1B}[0m"),
        ("", "v"), ("Bad Name", "v"), ("Bad:Name", "v"), ("X\r\nY", "v"), ("Ü", "v"), ("(x)", "v"),
        ("Host", "evil.example"), ("HOST", "evil.example"),
    ])
    func httpExtraHeaderInjectionIsRefused(name: String, value: String) throws {
        let header = SMTPProxy.Header(name: name, value: value)
        expectInvalidInput { () throws(SMTPError) in
            _ = try HTTPConnectHandshake(
                target: try ProxyTarget(host: "mx.example", port: 25), username: nil, password: nil,
                extraHeaders: [header])
        }
        // Through the proxy setting too, before anything is added to a channel.
        let proxy = SMTPProxy(kind: .httpConnect, host: "p", extraHeaders: [header])
        expectInvalidInput { () throws(SMTPError) in
            _ = try proxy.makeHandshake(targetHost: "mx.example", targetPort: 25, eventLoop: EmbeddedEventLoop())
        }
    }

    @Test func httpProxyAuthorizationHeaderWithAUserNameIsRefused() {
        expectInvalidInput { () throws(SMTPError) in
            _ = try HTTPConnectHandshake(
                target: try ProxyTarget(host: "mx.example", port: 25), username: "u", password: "p",
                extraHeaders: [SMTPProxy.Header(name: "proxy-authorization", value: "Basic x")])
        }
    }

    @Test func socksIgnoresExtraHeaders() throws {
        let headers = [SMTPProxy.Header(name: "Bad Name", value: "\r\n")]
        for kind in [SMTPProxy.Kind.socks4a, .socks5] {
            let with = SMTPProxy(kind: kind, host: "p", extraHeaders: headers)
            let without = SMTPProxy(kind: kind, host: "p")
            let loop = EmbeddedEventLoop()
            var first = try with.makeHandshake(targetHost: "mx.example", targetPort: 25, eventLoop: loop).wait()
            var second = try without.makeHandshake(targetHost: "mx.example", targetPort: 25, eventLoop: loop).wait()
            #expect(bytes(first.start()) == bytes(second.start()))
        }
    }

    @Test func base64() {
        #expect(HTTPConnectHandshake.base64([]) == "")
        #expect(HTTPConnectHandshake.base64(Array("f".utf8)) == "Zg==")
        #expect(HTTPConnectHandshake.base64(Array("fo".utf8)) == "Zm8=")
        #expect(HTTPConnectHandshake.base64(Array("foo".utf8)) == "Zm9v")
        #expect(HTTPConnectHandshake.base64([0xFF, 0xFE, 0xFD, 0xFC]) == "//79/A==")
    }

    @Test(arguments: [
        "HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n",
        "HTTP/1.0 200\r\n\r\n",
        "HTTP/1.1 204 No Content\n\n",
    ])
    func httpSuccess(response: String) throws {
        var machine = try HTTPConnectHandshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        var buffer = ByteBuffer(string: response + "220 mx ESMTP\r\n")
        #expect(try machine.receive(&buffer) == .established)
        #expect(String(buffer: buffer) == "220 mx ESMTP\r\n")
    }

    @Test func httpByteByByte() throws {
        var machine = try HTTPConnectHandshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        var buffer = ByteBuffer()
        var established = false
        for byte in "HTTP/1.1 200 OK\r\nA: b\r\n\r\n".utf8 {
            #expect(!established)
            buffer.writeInteger(byte)
            established = try machine.receive(&buffer) == .established
        }
        #expect(established)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [
        ("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", "HTTP/1.1 407 Proxy Authentication Required"),
        ("HTTP/1.1 403 Forbidden\r\n", "403 Forbidden"),
        ("HTTP/1.1 100 Continue\r\n\r\n", "100 Continue"),
        ("HTTP/1.1 502 \u{1B}[31mBad\r\n", "502 ?[31mBad"),
    ])
    func httpRefusals(response: String, quoted: String) throws {
        var machine = try HTTPConnectHandshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        expectProxyFailed(
            { () throws(SMTPError) in
                var buffer = ByteBuffer(string: response)
                _ = try machine.receive(&buffer)
            }, containing: quoted)
    }

    @Test(arguments: ["SSH-2.0-OpenSSH\r\n", "HTTP/1.1 20\r\n", "HTTP/1.1 2000 x\r\n", "\r\n", "HTTP/1.1\r\n"])
    func httpGarbage(response: String) throws {
        var machine = try HTTPConnectHandshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        expectProxyFailed(
            { () throws(SMTPError) in
                var buffer = ByteBuffer(string: response)
                _ = try machine.receive(&buffer)
            }, containing: "not HTTP")
    }

    @Test func httpOversizedHead() throws {
        var machine = try HTTPConnectHandshake(target: target("mx.example"), username: nil, password: nil)
        _ = machine.start()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n")
        #expect(try machine.receive(&buffer) == .needMoreBytes)
        let header = "X-Padding: " + String(repeating: "a", count: 100) + "\r\n"
        expectProxyFailed(
            { () throws(SMTPError) in
                for _ in 0..<200 {
                    buffer.writeString(header)
                    #expect(try machine.receive(&buffer) == .needMoreBytes)
                }
            }, containing: "longer than 16384")
        // One endless line fails too, without waiting for its end.
        var endless = try HTTPConnectHandshake(
            target: target("mx.example"), username: nil, password: nil, maximumResponseLength: 64)
        _ = endless.start()
        expectProxyFailed(
            { () throws(SMTPError) in
                var line = ByteBuffer(string: String(repeating: "H", count: 64))
                _ = try endless.receive(&line)
            }, containing: "longer than 64")
    }

    // MARK: - Hostile bytes

    @Test func randomRepliesNeverTrap() throws {
        var random = SplitMix64(seed: 0x5EED_F00D)
        let name = try target("mx.example")
        for round in 0..<3000 {
            var machine: ProxyHandshake
            switch round % 4 {
            case 0: machine = .socks4(try SOCKS4Handshake(target: name, userID: "u", allowsHostName: true))
            case 1: machine = .socks5(try SOCKS5Handshake(target: name, username: nil, password: nil))
            case 2: machine = .socks5(try SOCKS5Handshake(target: name, username: "u", password: "p"))
            default: machine = .httpConnect(try HTTPConnectHandshake(target: name, username: nil, password: nil))
            }
            _ = machine.start()
            var buffer = ByteBuffer()
            // Mostly protocol-looking prefixes, then random bytes, fed in random chunks.
            let prefixes: [[UInt8]] = [[5, 0], [5, 2, 1, 0], [0, 0x5A], Array("HTTP/1.1 200 ".utf8), []]
            var wire = prefixes[Int.random(in: 0..<prefixes.count, using: &random)]
            wire += (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var offset = 0
            feeding: while offset < wire.count {
                let chunk = Int.random(in: 1...16, using: &random)
                buffer.writeBytes(wire[offset..<min(wire.count, offset + chunk)])
                offset += chunk
                while true {
                    do {
                        let step = try machine.receive(&buffer)
                        if step == .needMoreBytes { break }
                        if step == .established { break feeding }
                    } catch {
                        #expect(error.code == .proxyFailed)
                        break feeding
                    }
                }
            }
        }
    }

    // MARK: - Targets

    @Test func targets() throws {
        #expect(try target("192.0.2.1").address == .ipv4([192, 0, 2, 1]))
        #expect(try target("[::1]").address == .ipv6([UInt8](repeating: 0, count: 15) + [1]))
        #expect(try target("::1").authority == "[::1]:25")
        #expect(try target("mx.example").address == .hostName("mx.example"))
        #expect(try target("1.2.3").address == .hostName("1.2.3"))
        for bad in ["", "a b", "a\r\nb", "a\0b", "a/b", "u@h", String(repeating: "a", count: 256)] {
            expectInvalidInput { () throws(SMTPError) in _ = try ProxyTarget(host: bad, port: 25) }
        }
        for port in [0, -1, 65536] {
            expectInvalidInput { () throws(SMTPError) in _ = try ProxyTarget(host: "mx.example", port: port) }
        }
    }

    // MARK: - URLs

    @Test func parsesURLs() throws {
        #expect(try SMTPProxy(url: "socks4://10.0.0.1:1081") == SMTPProxy(kind: .socks4, host: "10.0.0.1", port: 1081))
        #expect(
            try SMTPProxy(url: "socks4a://proxy.example")
                == SMTPProxy(kind: .socks4a, host: "proxy.example", port: 1080))
        #expect(
            try SMTPProxy(url: "socks5://alice:p%40ss%3Aw0rd@proxy.example:1090/")
                == SMTPProxy(kind: .socks5, host: "proxy.example", port: 1090, username: "alice", password: "p@ss:w0rd")
        )
        #expect(try SMTPProxy(url: "SOCKS5H://proxy.example").kind == .socks5)
        #expect(
            try SMTPProxy(url: "http://u%C3%A9:@[2001:db8::2]")
                == SMTPProxy(kind: .httpConnect, host: "2001:db8::2", port: 8080, username: "ué", password: ""))
        #expect(
            try SMTPProxy(url: "http://bob@proxy:3128")
                == SMTPProxy(kind: .httpConnect, host: "proxy", port: 3128, username: "bob"))
        // An unencoded "@" in the password: the last "@" ends the user information.
        #expect(try SMTPProxy(url: "socks5://a:b@c@proxy").password == "b@c")
    }

    @Test(arguments: [
        "proxy.example:1080", "https://proxy:443", "ftp://proxy", "socks5://", "socks5://:1080", "socks5://proxy:",
        "socks5://proxy:0", "socks5://proxy:65536", "socks5://proxy:12a", "socks5://proxy:+80", "socks5://proxy/path",
        "socks5://proxy?x", "socks5://proxy#f", "socks5://[::1", "socks5://[zz::1]:1080", "socks5://[::1]x",
        "socks5://::1:1080", "socks5://pro xy", "socks5://a:%4@proxy", "socks5://%FF@proxy", "socks5://a:b%ZZ@proxy",
    ])
    func rejectsBadURLs(url: String) {
        expectInvalidInput { () throws(SMTPError) in _ = try SMTPProxy(url: url) }
    }

    @Test func badURLErrorDoesNotRepeatThePassword() {
        do {
            _ = try SMTPProxy(url: "socks5://alice:hunter2@proxy:99999")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func descriptionHidesThePassword() throws {
        let proxy = try SMTPProxy(url: "socks5://alice:hunter2@proxy.example:1080")
        #expect(proxy.description == "socks5://alice:***@proxy.example:1080")
        #expect(!"\(proxy)".contains("hunter2"))
        #expect(!String(reflecting: proxy).contains("hunter2"))
        var dumped = ""
        dump(proxy, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(SMTPProxy(kind: .httpConnect, host: "::1").description == "http://[::1]:8080")
        #expect(SMTPProxy(kind: .socks4, host: "h", username: "id").description == "socks4://id@h:1080")
        #expect(SMTPProxy.Kind.httpConnect.description == "httpConnect")
    }

    @Test func configurationErrorsBeforeConnecting() {
        let loop = EmbeddedEventLoop()
        for proxy in [
            SMTPProxy(kind: .socks5, host: "p", username: String(repeating: "u", count: 256), password: "x"),
            SMTPProxy(kind: .socks5, host: "p", port: 70000),
            SMTPProxy(kind: .socks4, host: "p", port: 1080, username: "a\0b"),
        ] {
            expectInvalidInput { () throws(SMTPError) in
                _ = try proxy.makeHandshake(targetHost: "mx.example", targetPort: 25, eventLoop: loop)
            }
        }
        expectInvalidInput { () throws(SMTPError) in
            _ = try SMTPProxy(kind: .socks4, host: "p").makeHandshake(
                targetHost: "::1", targetPort: 25, eventLoop: loop)
        }
    }
}
