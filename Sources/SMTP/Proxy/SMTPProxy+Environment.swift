import Foundation

extension SMTPProxy {
    /// The variables ``fromEnvironment(_:for:port:)`` reads the proxy URL from, in order.
    public static let environmentVariables = ["SMTP_PROXY", "smtp_proxy", "ALL_PROXY", "all_proxy"]

    /// The proxy the environment asks for, for a connection to `host` (the PSMTP class's
    /// `FirewallAutoDetect`).
    ///
    /// The URL (see ``init(url:)``) is the first non-empty one of `SMTP_PROXY`,
    /// `smtp_proxy`, `ALL_PROXY` and `all_proxy`; `HTTP_PROXY` and `HTTPS_PROXY` are for
    /// web traffic and are not read. `NO_PROXY` (or, when it is unset or empty, `no_proxy`)
    /// is a list of hosts and domains separated by commas or spaces; it becomes the proxy's
    /// ``bypassHosts``, and when it matches `host` (see ``isBypassed(for:port:)``) the
    /// result is `nil`. The URL is checked even then.
    ///
    /// - Parameters:
    ///   - environment: The environment variables; by default the process's.
    ///   - host: The SMTP server's host name or IP address.
    ///   - port: The SMTP server's port, for `NO_PROXY` entries with a port; `nil` ignores them.
    /// - Returns: The proxy, or `nil` when no variable is set or `host` is excluded.
    /// - Throws: ``SMTPError/Code/invalidInput`` when the URL cannot be parsed (the message
    ///   names the variable, not its value, which may hold a password).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, for host: String, port: Int? = nil
    ) throws(SMTPError) -> SMTPProxy? {
        var found: (name: String, value: String)?
        for name in Self.environmentVariables {
            if let value = environment[name].map(Self.trimmed), !value.isEmpty {
                found = (name, value)
                break
            }
        }
        guard let found else {
            return nil
        }
        var proxy: SMTPProxy
        do {
            proxy = try SMTPProxy(url: found.value)
        } catch {
            throw SMTPError(.invalidInput, "\(found.name): \(error.message)", underlyingError: error)
        }
        let exclusions = [environment["NO_PROXY"], environment["no_proxy"]].lazy.compactMap { $0 }
            .first { !Self.trimmed($0).isEmpty }
        proxy.bypassHosts = (exclusions ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
            .map(String.init)
        return proxy.isBypassed(for: host, port: port) ? nil : proxy
    }
}
