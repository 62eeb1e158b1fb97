extension SMTPProxy {
    /// Whether `host` is reached directly rather than through the proxy: whether one of
    /// ``bypassHosts`` matches it.
    ///
    /// The rules are those of `NO_PROXY`, case-insensitive, with surrounding spaces and a
    /// trailing dot ignored:
    /// - `*` matches every host;
    /// - a name matches itself and every name under it: `example.com`, `.example.com` and
    ///   `*.example.com` all match `example.com` and `mx.example.com`, not `badexample.com`;
    /// - an IP address (IPv6 with or without brackets) matches that address only, in any
    ///   spelling (`::1` and `0:0::1`); address ranges (CIDR) are not supported;
    /// - an entry with a port (`example.com:25`, `[::1]:587`) matches only that port when
    ///   `port` is given; when it is `nil`, the entry's port is not considered.
    ///
    /// - Parameters:
    ///   - host: The SMTP server's host name or IP address.
    ///   - port: The SMTP server's port, if known.
    public func isBypassed(for host: String, port: Int? = nil) -> Bool {
        Self.bypassMatch(host: host, port: port, entries: self.bypassHosts)
    }

    /// Whether one of `entries` (see ``isBypassed(for:port:)``) matches `host`.
    static func bypassMatch(host: String, port: Int?, entries: [String]) -> Bool {
        guard let host = BypassName(host) else {
            return false
        }
        for entry in entries {
            let text = Self.trimmed(entry)
            if text == "*" {
                return true
            }
            var hostPart = Substring(text)
            var entryPort: Int?
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else {
                    continue
                }
                hostPart = text[...close]
                let rest = text[text.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.first == ":", let number = Int(rest.dropFirst()) else {
                        continue
                    }
                    entryPort = number
                }
            } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
                guard let number = Int(text[text.index(after: colon)...]) else {
                    continue
                }
                hostPart = text[..<colon]
                entryPort = number
            }
            if let entryPort, let port, entryPort != port {
                continue
            }
            guard let pattern = BypassName(String(hostPart), isPattern: true) else {
                continue
            }
            if pattern.matches(host) {
                return true
            }
        }
        return false
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(text[first...last])
    }
}

/// A host or a bypass entry's host, normalised for comparison.
private enum BypassName {
    /// An IP address's bytes (4 or 16).
    case address([UInt8])
    /// A lowercased name without a trailing dot (or a leading `.` or `*.` for a pattern).
    case name(String)

    init?(_ text: String, isPattern: Bool = false) {
        var text = SMTPProxy.trimmed(text).lowercased()
        if text.hasPrefix("["), text.hasSuffix("]"), text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        if let bytes = ProxyTarget.ipv4Bytes(text) ?? ProxyTarget.ipv6Bytes(text) {
            self = .address(bytes)
            return
        }
        if isPattern {
            if text.hasPrefix("*.") {
                text.removeFirst(2)
            } else if text.hasPrefix(".") {
                text.removeFirst()
            }
        }
        if text.hasSuffix(".") {
            text.removeLast()
        }
        guard !text.isEmpty, !text.contains("*") || !isPattern else {
            return nil
        }
        self = .name(text)
    }

    /// Whether this pattern matches `host`.
    func matches(_ host: BypassName) -> Bool {
        switch (self, host) {
        case (.address(let pattern), .address(let address)):
            pattern == address
        case (.name(let pattern), .name(let name)):
            name == pattern || name.hasSuffix("." + pattern)
        default:
            false
        }
    }
}
