extension SMTPProxy {
    /// Parses a proxy URL: `socks4://host:port`, `socks4a://…`, `socks5://user:pass@host:port`,
    /// `socks5h://…` (the same as `socks5`: the proxy always resolves host names) or
    /// `http://[user:pass@]host:port`.
    ///
    /// The scheme is case-insensitive; the user name and password are percent-decoded; an
    /// IPv6 address goes in brackets (`socks5://[::1]:1080`); without a port the kind's
    /// ``Kind/defaultPort`` is used. A path other than `/`, a query or a fragment is not
    /// accepted.
    ///
    /// - Throws: ``SMTPError/Code/invalidInput`` when the URL is not one of these forms.
    public init(url: String) throws(SMTPError) {
        func invalid(_ reason: String) -> SMTPError {
            // The URL may hold a password: it is not repeated in the error.
            SMTPError(.invalidInput, "invalid proxy URL: \(reason)")
        }
        guard let separator = url.range(of: "://") else {
            throw invalid("it has no scheme (such as socks5://)")
        }
        let kind: Kind
        switch url[..<separator.lowerBound].lowercased() {
        case "socks4": kind = .socks4
        case "socks4a": kind = .socks4a
        case "socks5", "socks5h": kind = .socks5
        case "http": kind = .httpConnect
        default: throw invalid("the scheme is not socks4, socks4a, socks5, socks5h or http")
        }
        var authority = url[separator.upperBound...]
        if authority.last == "/" {
            authority = authority.dropLast()
        }
        guard !authority.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else {
            throw invalid("it has a path, query or fragment")
        }
        var username: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                username = try Self.percentDecoded(
                    userinfo[..<colon], invalid("the user name is not validly percent-encoded"))
                password = try Self.percentDecoded(
                    userinfo[userinfo.index(after: colon)...], invalid("the password is not validly percent-encoded"))
            } else {
                username = try Self.percentDecoded(userinfo, invalid("the user name is not validly percent-encoded"))
            }
        }
        let host: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw invalid("an IPv6 address lacks its closing bracket")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else {
                    throw invalid("unexpected characters after the IPv6 address")
                }
                portText = rest.dropFirst()
            }
            guard ProxyTarget.ipv6Bytes(String(host)) != nil else {
                throw invalid("\"\(host)\" is not an IPv6 address")
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty,
                host.utf8.allSatisfy({ byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                })
            else {
                throw invalid("the host is empty or not a host name")
            }
        }
        var port = kind.defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let number = Int(portText), (1...65535).contains(number)
            else {
                throw invalid("the port is not a number from 1 to 65535")
            }
            port = number
        }
        self.init(kind: kind, host: String(host), port: port, username: username, password: password)
    }

    /// Decodes `%XX` escapes; fails on a malformed escape or bytes that are not UTF-8.
    private static func percentDecoded(_ text: Substring, _ error: SMTPError) throws(SMTPError) -> String {
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        let encoded = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = 0
        while index < encoded.count {
            if encoded[index] == UInt8(ascii: "%") {
                guard index + 2 < encoded.count, let high = hexValue(encoded[index + 1]),
                    let low = hexValue(encoded[index + 2])
                else {
                    throw error
                }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(encoded[index])
                index += 1
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw error
        }
        return decoded
    }
}
