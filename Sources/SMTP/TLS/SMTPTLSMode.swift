/// How a session secures its connection with TLS (the PSMTP class's `SSLStartMode`).
public struct SMTPTLSMode: Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case none
        case startTLS(required: Bool)
        case implicit
        case automatic
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// Clear text only: `STARTTLS` is never sent. Use it for a local test server, never
    /// across a network.
    public static let none = SMTPTLSMode(.none)

    /// `STARTTLS` (RFC 3207) after the first `EHLO`.
    ///
    /// - Parameter required: When `true` (the default mode of a session), the session fails
    ///   with ``SMTPError/Code/tlsUnavailable`` if the server does not offer `STARTTLS` or
    ///   refuses it: someone in the path may have removed it. When `false` (opportunistic),
    ///   the session goes on in clear text then.
    public static func startTLS(required: Bool) -> SMTPTLSMode {
        SMTPTLSMode(.startTLS(required: required))
    }

    /// TLS from the first byte (RFC 8314 "implicit TLS", usually port 465).
    public static let implicit = SMTPTLSMode(.implicit)

    /// Implicit TLS on port 465, required `STARTTLS` on any other port.
    public static let automatic = SMTPTLSMode(.automatic)

    /// The mode for a connection to `port`, with ``automatic`` resolved.
    func resolved(port: Int) -> ResolvedTLSMode {
        switch self.base {
        case .none:
            return .none
        case .startTLS(let required):
            return .startTLS(required: required)
        case .implicit:
            return .implicit
        case .automatic:
            return port == 465 ? .implicit : .startTLS(required: true)
        }
    }

    /// `none`, `startTLS(required: true)`, `startTLS(required: false)`, `implicit` or
    /// `automatic`.
    public var description: String {
        switch self.base {
        case .none:
            return "none"
        case .startTLS(let required):
            return "startTLS(required: \(required))"
        case .implicit:
            return "implicit"
        case .automatic:
            return "automatic"
        }
    }
}

/// ``SMTPTLSMode`` with ``SMTPTLSMode/automatic`` resolved for a port: what the state
/// machine and the transport act on.
enum ResolvedTLSMode: Hashable, Sendable {
    case none
    case startTLS(required: Bool)
    case implicit
}
