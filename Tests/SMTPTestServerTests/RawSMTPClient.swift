#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking SMTP client on a plain POSIX socket for end-to-end tests: it writes exactly the
/// bytes it is given (so tests can pipeline, dot-stuff or misbehave) and reads whole replies.
/// Reads time out, so a server that never answers fails the test instead of hanging it.
/// Writing to a connection the server closed fails with an error rather than `SIGPIPE`.
final class RawSMTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var socketDescriptor: Int32
    private var pending: [UInt8] = []

    init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 10) throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        socketDescriptor = descriptor

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
            var noSignal: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #endif

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close()
            throw Failure(description: "bad IPv4 address \(host)")
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close()
            throw Failure(description: "connect() to \(host):\(port) failed: errno \(code)")
        }
    }

    deinit {
        close()
    }

    func close() {
        if socketDescriptor >= 0 {
            _ = systemClose(socketDescriptor)
            socketDescriptor = -1
        }
    }

    /// Writes `text` as UTF-8, exactly.
    func send(_ text: String) throws {
        try send(bytes: Array(text.utf8))
    }

    /// Writes `bytes` exactly, in one `send` call where the kernel allows.
    func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                systemSend(socketDescriptor, $0.baseAddress, $0.count, 0)
            }
            guard written > 0 else { throw Failure(description: "send() failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one reply and returns its lines without CRLF, for example `["250-a", "250 b"]`.
    func readReply() throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try readLine()
            lines.append(line)
            let characters = Array(line.utf8)
            guard characters.count >= 3 else { throw Failure(description: "malformed reply line \(line)") }
            if characters.count == 3 || characters[3] == UInt8(ascii: " ") { return lines }
        }
    }

    /// Reads `count` replies, as a pipelined burst of commands gets them.
    func readReplies(_ count: Int) throws -> [[String]] {
        try (0..<count).map { _ in try readReply() }
    }

    /// Sends a command line (CRLF added) and reads its reply.
    func command(_ line: String) throws -> [String] {
        try send(line + "\r\n")
        return try readReply()
    }

    /// Reads until the server closes the connection (orderly or by reset); returns what came.
    func readUntilClosed() throws -> [UInt8] {
        var received = pending
        pending = []
        while true {
            switch try receive() {
            case nil: return received
            case let chunk?: received += chunk
            }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let lf = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[..<lf]
                pending.removeSubrange(...lf)
                guard line.last == UInt8(ascii: "\r") else {
                    throw Failure(description: "reply line not ended by CRLF")
                }
                return String(decoding: line.dropLast(), as: UTF8.self)
            }
            guard let chunk = try receive() else {
                throw Failure(description: "connection closed while reading a reply")
            }
            pending += chunk
        }
    }

    /// One `recv`; `nil` at end of input or on reset.
    private func receive() throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes {
            recv(socketDescriptor, $0.baseAddress, $0.count, 0)
        }
        if count > 0 { return Array(chunk.prefix(count)) }
        if count == 0 || errno == ECONNRESET { return nil }
        throw Failure(
            description: errno == EAGAIN ? "timed out waiting for the server" : "recv() failed: errno \(errno)")
    }
}

#if canImport(Glibc)
    private func systemClose(_ descriptor: Int32) -> Int32 { Glibc.close(descriptor) }
    private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
        Glibc.send(descriptor, bytes, count, flags | Int32(MSG_NOSIGNAL))
    }
#else
    private func systemClose(_ descriptor: Int32) -> Int32 { Darwin.close(descriptor) }
    private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
        Darwin.send(descriptor, bytes, count, flags)
    }
#endif
