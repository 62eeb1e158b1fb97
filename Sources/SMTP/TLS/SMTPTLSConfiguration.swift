import NIOSSL

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
        /// Directories whose certificate files are trusted (the reference's `OpenSSLCADir`):
        /// every `*.pem`, `*.crt`, `*.cer` and OpenSSL hashed name (`1a2b3c4d.0`) in them,
        /// read when the session's TLS is set up.
        public var pemDirectories: [String] = []
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

        /// Only the certificates in the files of this directory (the PSMTP `OpenSSLCADir`; a
        /// plain or `c_rehash`ed directory of PEM files).
        public static func pemDirectory(_ path: String) -> TrustRoots {
            TrustRoots(pemFiles: [], pemDirectories: [path], includesSystemRoots: false)
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

    /// The highest TLS version a session offers.
    public enum MaximumVersion: Hashable, Sendable {
        /// TLS 1.2.
        case tls12
        /// TLS 1.3 (the default: no limit below the newest version).
        case tls13
    }

    /// Whether the server may renegotiate (the reference's `SSLEnableRenegotiation`).
    /// Applies to TLS 1.2 only: TLS 1.3 has no renegotiation.
    public enum Renegotiation: Hashable, Sendable {
        /// Never (default).
        case none
        /// Once per connection (some servers ask for a client certificate this way).
        case once
    }

    /// A certificate and key that identify the client (`SSLCert`).
    public enum ClientIdentity: Hashable, Sendable {
        /// A PEM certificate chain (leaf first) and a PEM private key.
        case pem(certificateChainFile: String, privateKeyFile: String)
        /// A PKCS#12 bundle and its passphrase.
        case pkcs12(file: String, passphrase: String)

        /// The identity's certificates, leaf first, to show them (the reference's `SSLCert`
        /// fields). Reads the PEM chain file or the PKCS#12 bundle on the calling thread, so
        /// call it off the event loop and outside latency-sensitive tasks.
        ///
        /// - Throws: ``SMTPError/Code/tlsConfigurationInvalid`` when the file cannot be read
        ///   or holds no certificate, or the passphrase is wrong.
        public func certificates() throws(SMTPError) -> [SMTPCertificate] {
            let certificates: [NIOSSLCertificate]
            switch self {
            case .pem(let chainFile, _):
                do {
                    certificates = try NIOSSLCertificate.fromPEMFile(chainFile)
                } catch {
                    throw SMTPError(
                        .tlsConfigurationInvalid, "cannot read the client certificate chain \(chainFile): \(error)",
                        underlyingError: error)
                }
            case .pkcs12(let file, let passphrase):
                do {
                    certificates = try NIOSSLPKCS12Bundle(file: file, passphrase: Array(passphrase.utf8))
                        .certificateChain
                } catch {
                    throw SMTPError(
                        .tlsConfigurationInvalid, "cannot read the PKCS#12 bundle \(file): \(error)",
                        underlyingError: error)
                }
            }
            guard !certificates.isEmpty else {
                throw SMTPError(.tlsConfigurationInvalid, "the client identity holds no certificate")
            }
            return try SMTPCertificate.make(from: certificates)
        }
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
    /// The highest offered version; `nil` (default) for the newest (TLS 1.3).
    public var maximumVersion: MaximumVersion?
    /// The TLS 1.2 cipher suites in OpenSSL cipher-string syntax (the reference's
    /// `OpenSSLCipherList`), for example `ECDHE+AESGCM:!aRSA`; `nil` for NIOSSL's defaults.
    /// TLS 1.3 suites cannot be restricted. Names BoringSSL does not know and lists that
    /// enable nothing are refused.
    public var cipherSuites: String?
    /// The TLS 1.2 cipher suites by IANA name (the reference's `SSLEnabledCipherSuites`),
    /// for example `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, or as hexadecimal code points
    /// (`0xC02B`); `nil` for NIOSSL's defaults. Not together with ``cipherSuites``.
    /// TLS 1.3 names are accepted; naming only TLS 1.3 suites raises the minimum to TLS 1.3.
    public var enabledCipherSuites: [String]?
    /// The signature algorithms accepted from the server in TLS 1.2 and 1.3 (the
    /// reference's `TLS12SignatureAlgorithms` and `TLS13SignatureAlgorithms`), by IANA name
    /// (`ecdsa_secp256r1_sha256`, `rsa_pss_rsae_sha256`, `rsa_pkcs1_sha256`, `ed25519`, …)
    /// or the reference's (`sha256-ecdsa`, `sha256-rsa`, …); `nil` for the defaults.
    public var signatureAlgorithms: [String]?
    /// The key-exchange groups offered, in order (the reference's `TLS12SupportedGroups`
    /// and `TLS13SupportedGroups`): `X25519`, `P-256`, `P-384`, `P-521`, `X25519MLKEM768`;
    /// `nil` for the defaults. In TLS 1.2 the list also limits the curves of an ECDSA
    /// server certificate: leave out P-256 and a server with a P-256 key cannot connect.
    public var groups: [String]?
    /// Whether the server may renegotiate; ``Renegotiation/none`` by default.
    public var renegotiation: Renegotiation
    /// For debugging only: a file to which the session keys of every handshake are appended
    /// in the NSS key-log format (`SSLKEYLOGFILE`, the reference's `SSLKeyLogFile`), so that
    /// Wireshark can decrypt a capture. Anyone who reads the file can read the sessions,
    /// passwords included: never set it in production. Created with mode 0600 if missing.
    public var keyLogFile: String?

    /// Creates the default configuration: system roots, full verification, TLS 1.2 or later.
    public init() {
        self.trustRoots = .system
        self.certificateVerification = .full
        self.minimumVersion = .tls12
        self.clientIdentity = nil
        self.pinnedCertificateFingerprints = []
        self.serverName = nil
        self.trustEvaluator = nil
        self.maximumVersion = nil
        self.cipherSuites = nil
        self.enabledCipherSuites = nil
        self.signatureAlgorithms = nil
        self.groups = nil
        self.renegotiation = .none
        self.keyLogFile = nil
    }

    /// The pins, normalised to lower-case hexadecimal without separators.
    var normalizedPins: Set<String> {
        Set(
            self.pinnedCertificateFingerprints.map { pin in
                String(pin.lowercased().filter { $0.isHexDigit })
            })
    }
}
