/// How a session verifies the server and identifies itself over TLS: trust roots, minimum
/// version, client certificate, pinned certificates and a trust callback.
///
/// The defaults verify the certificate chain against the system's roots and the host name
/// (the name is also sent with SNI), and accept TLS 1.2 or later.
public struct SMTPTLSConfiguration: Sendable {
    /// Where trusted root certificates come from.
    public struct TrustRoots: Hashable, Sendable {
        /// PEM files whose certificates are trusted.
        public var pemFiles: [String]
        /// PEM text (one or more `CERTIFICATE` blocks each) whose certificates are trusted.
        public var pemCertificates: [String] = []
        /// Whether the system's roots are trusted as well.
        public var includesSystemRoots: Bool

        /// The system's roots.
        public static let system = TrustRoots(pemFiles: [], includesSystemRoots: true)

        /// Only the certificates in these PEM files (for a private CA).
        public static func pemFiles(_ paths: [String]) -> TrustRoots {
            TrustRoots(pemFiles: paths, includesSystemRoots: false)
        }

        /// The system's roots and the certificates in these PEM files.
        public static func systemAndPEMFiles(_ paths: [String]) -> TrustRoots {
            TrustRoots(pemFiles: paths, includesSystemRoots: true)
        }

        /// Only the certificates in this PEM text (the PSMTP `SSLServerCACerts`).
        public static func pemCertificates(_ pem: [String]) -> TrustRoots {
            TrustRoots(pemFiles: [], pemCertificates: pem, includesSystemRoots: false)
        }
    }

    /// How much of the server's identity is checked.
    public enum CertificateVerification: Hashable, Sendable {
        /// The chain leads to a trusted root and the certificate names the host (default).
        case full
        /// The chain leads to a trusted root; the host name is not checked.
        case noHostnameVerification
        /// Nothing is checked: anyone in the path can read and change the session. For
        /// tests and for hosts you reach only by loopback; never for credentials on a network.
        case insecureNoVerification
    }

    /// The lowest TLS version a session accepts.
    public enum MinimumVersion: Hashable, Sendable {
        /// TLS 1.2 (default; RFC 8996 deprecated 1.0 and 1.1).
        case tls12
        /// TLS 1.3.
        case tls13
    }

    /// A certificate and key that identify the client (`SSLCert`).
    public enum ClientIdentity: Hashable, Sendable {
        /// A PEM certificate chain (leaf first) and a PEM private key.
        case pem(certificateChainFile: String, privateKeyFile: String)
        /// A PKCS#12 bundle and its passphrase.
        case pkcs12(file: String, passphrase: String)
    }

    /// A decision on the server's certificate chain (leaf first) given the library's own
    /// verdict: return `true` to accept the connection, `false` to refuse it (the PSMTP
    /// `SSLServerAuthentication` event). Called once per handshake, off the event loop —
    /// except with ``CertificateVerification/insecureNoVerification``, which checks nothing
    /// and asks nobody.
    public typealias TrustEvaluator =
        @Sendable (_ chain: [SMTPCertificate], _ verdict: SMTPCertificateVerdict) async -> Bool

    /// The trusted roots; the system's by default.
    public var trustRoots: TrustRoots
    /// What is verified; ``CertificateVerification/full`` by default.
    public var certificateVerification: CertificateVerification
    /// The lowest accepted version; TLS 1.2 by default.
    public var minimumVersion: MinimumVersion
    /// A client certificate, when the server asks for one.
    public var clientIdentity: ClientIdentity?
    /// SHA-256 fingerprints (hexadecimal, any case, `:` separators allowed) of server
    /// certificates accepted whatever their chain says (`SSLAcceptServerCert`): for a
    /// self-signed server you know. Other certificates are verified as usual.
    public var pinnedCertificateFingerprints: [String]
    /// The name sent with SNI and checked against the certificate, when it differs from the
    /// host connected to (for example when connecting to an address).
    public var serverName: String?
    /// A callback that sees every chain with the verdict and may override it (not called
    /// with ``CertificateVerification/insecureNoVerification``).
    public var trustEvaluator: TrustEvaluator?

    /// Creates the default configuration: system roots, full verification, TLS 1.2 or later.
    public init() {
        self.trustRoots = .system
        self.certificateVerification = .full
        self.minimumVersion = .tls12
        self.clientIdentity = nil
        self.pinnedCertificateFingerprints = []
        self.serverName = nil
        self.trustEvaluator = nil
    }

    /// The pins, normalised to lower-case hexadecimal without separators.
    var normalizedPins: Set<String> {
        Set(
            self.pinnedCertificateFingerprints.map { pin in
                String(pin.lowercased().filter { $0.isHexDigit })
            })
    }
}
