enum ProxyReplySeeds {
    /// Kinds (see `SMTPFuzzing.proxyHandshake`): 0 SOCKS4, 1 SOCKS4A, 2 SOCKS5, 3 SOCKS5
    /// with user name and password, 4 HTTP CONNECT, 5 with Basic credentials, 6 with a
    /// 64-byte response head limit. Chunks: a length byte, then that many bytes (0: the rest).
    static func make() throws -> [String: [UInt8]] {
        let smtpGreeting = Array("220 mail.example.org ESMTP\r\n".utf8)
        var seeds: [String: [UInt8]] = [:]
        seeds["socks4-granted"] = [0, 0] + [0, 0x5A, 0, 0, 0, 0, 0, 0] + smtpGreeting
        seeds["socks4-split"] = [0, 3, 0, 0x5A, 0x01, 0, 0x19, 0xC0, 0x00, 0x02, 0x19]
        seeds["socks4a-rejected"] = [1, 0, 0, 0x5B, 0, 0, 0, 0, 0, 0]
        seeds["socks5-ipv4"] = [2, 0, 5, 0, 5, 0, 0, 1, 192, 0, 2, 1, 0x04, 0x38] + smtpGreeting
        seeds["socks5-domain-split"] =
            [2, 1, 5, 1, 0, 4, 5, 0, 0, 3, 1, 11] + [0] + Array("example.net".utf8) + [0, 25]
        seeds["socks5-no-method"] = [2, 0, 5, 0xFF]
        seeds["socks5-refused"] = [2, 0, 5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]
        seeds["socks5-auth-ipv6"] =
            [3, 0, 5, 2, 1, 0, 5, 0, 0, 4] + [UInt8](repeating: 0, count: 15) + [1, 0x01, 0xD1]
            + smtpGreeting
        seeds["socks5-auth-refused"] = [3, 2, 5, 2, 0, 1, 1]
        seeds["http-200"] =
            [4, 0]
            + Array("HTTP/1.1 200 Connection established\r\nProxy-Agent: fuzz\r\n\r\n".utf8) + smtpGreeting
        seeds["http-407"] =
            [5, 0]
            + Array("HTTP/1.1 407 Proxy Authentication Required\r\n".utf8)
            + Array("Proxy-Authenticate: Basic realm=\"proxy\"\r\n\r\n".utf8)
        seeds["http-split"] = [6, 7] + Array("HTTP/1.".utf8) + [0] + Array("0 200 OK\nVia: 1.0 proxy\n\n".utf8)
        let padding = String(repeating: "a", count: 60)
        seeds["http-long"] = [6, 0] + Array("HTTP/1.1 200 OK\r\nX-Padding: \(padding)\r\n\r\n".utf8)
        return seeds
    }
}
