import NIOCore

/// The client side of an HTTP `CONNECT` tunnel, as a pure state machine.
///
/// Sends `CONNECT host:port HTTP/1.1` with a `Host` header and, with a user name, a
/// `Basic` `Proxy-Authorization` header, then any extra header lines; accepts any `2xx` status, reads the header lines
/// up to the blank line (at most ``maximumResponseLength`` bytes in all, else it fails)
/// and refuses any other status, quoting the status line.
struct HTTPConnectHandshake: Sendable {
    private enum State: Sendable {
        case initial
        case waitingForStatusLine
        case readingHeaders
        case established
        case failed
    }

    /// The most bytes the proxy's response head (status line and headers) may take.
    static let defaultMaximumResponseLength = 16 * 1024

    private var state = State.initial
    private let request: ByteBuffer
    private let maximumResponseLength: Int
    private var consumed = 0

    /// Prepares a request for a tunnel to `target`.
    ///
    /// - Parameters:
    ///   - target: The SMTP server.
    ///   - username: The user name for `Basic` authorization (no `:` or control characters).
    ///   - password: The password (no control characters; `nil` is empty).
    ///   - extraHeaders: Header lines written after these, in order.
    ///   - maximumResponseLength: The most bytes the response head may take.
    /// - Throws: ``SMTPError/Code/invalidInput`` for credentials `Basic` cannot carry, or an
    ///   invalid extra header (see ``SMTPProxy/Header/validate()``), `Host`, or
    ///   `Proxy-Authorization` with a user name.
    init(
        target: ProxyTarget, username: String?, password: String?, extraHeaders: [SMTPProxy.Header] = [],
        maximumResponseLength: Int = HTTPConnectHandshake.defaultMaximumResponseLength
    ) throws(SMTPError) {
        self.maximumResponseLength = maximumResponseLength
        let authority = target.authority
        var text = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let username {
            let password = password ?? ""
            guard !username.contains(":"), !(username + password).utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
            else {
                throw SMTPError(.invalidInput, "the HTTP proxy user name contains \":\" or a control character")
            }
            text += "Proxy-Authorization: Basic \(Self.base64(Array("\(username):\(password)".utf8)))\r\n"
        } else if password != nil {
            throw SMTPError(.invalidInput, "an HTTP proxy password needs a user name")
        }
        for header in extraHeaders {
            try header.validate()
            let name = header.name.lowercased()
            guard name != "host", name != "proxy-authorization" || username == nil else {
                throw SMTPError(.invalidInput, "the HTTP proxy header \(header.name) is written by the client itself")
            }
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "\r\n"
        self.request = ByteBuffer(string: text)
    }

    /// The request to send first.
    mutating func start() -> ByteBuffer {
        precondition(self.state == .initial, "the HTTP CONNECT handshake was started twice")
        self.state = .waitingForStatusLine
        return self.request
    }

    /// Reads the proxy's response head from `buffer`, a line at a time.
    ///
    /// - Throws: ``SMTPError/Code/proxyFailed`` when the status is not `2xx`, the response
    ///   is not HTTP or its head is too long.
    mutating func receive(_ buffer: inout ByteBuffer) throws(SMTPError) -> ProxyHandshakeStep {
        do throws(SMTPError) {
            while true {
                switch self.state {
                case .initial, .failed:
                    throw SMTPError(.proxyFailed, "the HTTP proxy sent data out of turn")
                case .established:
                    return .established
                case .waitingForStatusLine, .readingHeaders:
                    break
                }
                guard let line = try self.nextLine(&buffer) else {
                    return .needMoreBytes
                }
                if self.state == .waitingForStatusLine {
                    try Self.checkStatusLine(line)
                    self.state = .readingHeaders
                } else if line.isEmpty {
                    self.state = .established
                }
            }
        } catch {
            self.state = .failed
            throw error
        }
    }

    /// The next line (without CR LF or LF), or `nil` when it is incomplete.
    private mutating func nextLine(_ buffer: inout ByteBuffer) throws(SMTPError) -> [UInt8]? {
        let view = buffer.readableBytesView
        let remaining = max(0, self.maximumResponseLength - self.consumed)
        guard let lf = view.prefix(remaining).firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count >= remaining {
                throw SMTPError(
                    .proxyFailed, "the HTTP proxy's response head is longer than \(self.maximumResponseLength) bytes")
            }
            return nil
        }
        let length = lf + 1 - view.startIndex
        var line = Array(view[view.startIndex..<lf])
        if line.last == UInt8(ascii: "\r") {
            line.removeLast()
        }
        buffer.moveReaderIndex(forwardBy: length)
        self.consumed += length
        return line
    }

    /// Accepts `HTTP/1.x 2xx …`.
    private static func checkStatusLine(_ line: [UInt8]) throws(SMTPError) {
        let prefix = Array("HTTP/".utf8)
        // "HTTP/1.1 200": the code starts after the first space.
        guard line.starts(with: prefix), let space = line.firstIndex(of: UInt8(ascii: " ")),
            line.count >= space + 4,
            line[(space + 1)..<(space + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            line.count == space + 4 || line[space + 4] == UInt8(ascii: " ")
        else {
            throw SMTPError(.proxyFailed, "the proxy's answer is not HTTP: \"\(proxyQuoted(line))\"")
        }
        guard line[space + 1] == UInt8(ascii: "2") else {
            throw SMTPError(.proxyFailed, "the HTTP proxy refused the tunnel: \"\(proxyQuoted(line))\"")
        }
    }

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 {
                group |= UInt32(bytes[index + 1]) << 8
            }
            if count > 2 {
                group |= UInt32(bytes[index + 2])
            }
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(count > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(count > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
