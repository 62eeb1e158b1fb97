import Crypto
import Foundation
import NIOSSL
import X509

/// What a session knows about a certificate: one the server presented (the PSMTP class's
/// `SSLServerCert`) or the client's own (`SSLCert`), enough to show it to a person or to
/// pin it.
public struct SMTPCertificate: Hashable, Sendable, CustomStringConvertible {
    /// The key usage extension's bits, with the values of the PSMTP class's `UsageFlags`.
    public struct KeyUsage: OptionSet, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int

        public init(rawValue: Int) {
            self.rawValue = rawValue
        }

        /// `0x80` Digital Signature.
        public static let digitalSignature = KeyUsage(rawValue: 0x80)
        /// `0x40` Non-Repudiation (content commitment).
        public static let nonRepudiation = KeyUsage(rawValue: 0x40)
        /// `0x20` Key Encipherment.
        public static let keyEncipherment = KeyUsage(rawValue: 0x20)
        /// `0x10` Data Encipherment.
        public static let dataEncipherment = KeyUsage(rawValue: 0x10)
        /// `0x08` Key Agreement.
        public static let keyAgreement = KeyUsage(rawValue: 0x08)
        /// `0x04` Certificate Signing.
        public static let certificateSigning = KeyUsage(rawValue: 0x04)
        /// `0x02` CRL Signing.
        public static let crlSigning = KeyUsage(rawValue: 0x02)
        /// `0x01` Encipher Only.
        public static let encipherOnly = KeyUsage(rawValue: 0x01)
        /// `0x8000` Decipher Only (not in the reference's table; the second byte of the
        /// extension's bit string, as Windows numbers it).
        public static let decipherOnly = KeyUsage(rawValue: 0x8000)

        private static let names: [(KeyUsage, String)] = [
            (.digitalSignature, "Digital Signature"), (.nonRepudiation, "Non-Repudiation"),
            (.keyEncipherment, "Key Encipherment"), (.dataEncipherment, "Data Encipherment"),
            (.keyAgreement, "Key Agreement"), (.certificateSigning, "Certificate Signing"),
            (.crlSigning, "CRL Signing"), (.encipherOnly, "Encipher Only"), (.decipherOnly, "Decipher Only"),
        ]

        /// The names of the bits set, separated by `, ` (the reference's `Usage`), for
        /// example `Digital Signature, Key Encipherment`; empty when none is set.
        public var description: String {
            Self.names.filter { self.contains($0.0) }.map(\.1).joined(separator: ", ")
        }
    }

    /// The subject's distinguished name, for example `CN=mail.example.com`.
    public var subject: String
    /// The issuer's distinguished name.
    public var issuer: String
    /// The DNS names and IP addresses of the subject alternative name extension.
    public var subjectAlternativeNames: [String]
    /// The start of the validity period.
    public var notValidBefore: Date
    /// The end of the validity period.
    public var notValidAfter: Date
    /// The serial number in hexadecimal.
    public var serialNumber: String
    /// The SHA-256 fingerprint of the DER encoding, lower-case hexadecimal without separators.
    public var sha256Fingerprint: String
    /// The SHA-1 fingerprint of the DER encoding (for display and old pin lists only).
    public var sha1Fingerprint: String
    /// The MD5 fingerprint of the DER encoding, lower-case hexadecimal (for display only).
    public var md5Fingerprint: String
    /// The certificate in DER.
    public var derBytes: [UInt8]
    /// The X.509 version: 1, 2 or 3 (the reference's `Version` is `V` and this number).
    public var version: Int
    /// The signature algorithm in OpenSSL's spelling, for example `ecdsa-with-SHA256` or
    /// `sha256WithRSAEncryption`.
    public var signatureAlgorithm: String
    /// The subject's key type: `RSA`, `EC P-256`, `EC P-384`, `EC P-521` or `Ed25519`.
    public var publicKeyAlgorithm: String
    /// The key's size in bits (the RSA modulus, the curve's size), when known.
    public var publicKeyBits: Int?
    /// The subject's public key as a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo).
    public var publicKeyPEM: String
    /// The key usage extension; empty when the certificate has none.
    public var keyUsage: KeyUsage
    /// The extended key usage extension: names such as `serverAuth`, `clientAuth`,
    /// `emailProtection`, or dotted OIDs for others; empty when the certificate has none.
    public var extendedKeyUsage: [String]

    /// Reads a DER-encoded certificate.
    ///
    /// - Throws: ``SMTPError/Code/tlsConfigurationInvalid`` when the bytes are not a certificate.
    public init(derBytes: [UInt8]) throws(SMTPError) {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: derBytes)
        } catch {
            throw SMTPError(.tlsConfigurationInvalid, "not a DER certificate: \(error)", underlyingError: error)
        }
        self.init(certificate: certificate, derBytes: derBytes)
    }

    init(certificate: Certificate, derBytes: [UInt8]) {
        self.subject = certificate.subject.description
        self.issuer = certificate.issuer.description
        var names: [String] = []
        if let extensionValue = try? certificate.extensions.subjectAlternativeNames {
            for name in extensionValue {
                switch name {
                case .dnsName(let dnsName):
                    names.append(dnsName)
                case .ipAddress(let bytes):
                    names.append(Self.format(ipAddress: Array(bytes.bytes)))
                default:
                    continue
                }
            }
        }
        self.subjectAlternativeNames = names
        self.notValidBefore = certificate.notValidBefore
        self.notValidAfter = certificate.notValidAfter
        self.serialNumber = certificate.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()
        self.sha256Fingerprint = SHA256.hash(data: derBytes).map { String(format: "%02x", $0) }.joined()
        self.sha1Fingerprint = Insecure.SHA1.hash(data: derBytes).map { String(format: "%02x", $0) }.joined()
        self.md5Fingerprint = Insecure.MD5.hash(data: derBytes).map { String(format: "%02x", $0) }.joined()
        self.derBytes = derBytes
        switch certificate.version {
        case .v1:
            self.version = 1
        case .v3:
            self.version = 3
        default:
            // "X509vN" for other versions.
            self.version = Int(certificate.version.description.dropFirst(5)) ?? 2
        }
        self.signatureAlgorithm = Self.name(of: certificate.signatureAlgorithm)
        let key = certificate.publicKey
        if P256.Signing.PublicKey(key) != nil {
            (self.publicKeyAlgorithm, self.publicKeyBits) = ("EC P-256", 256)
        } else if P384.Signing.PublicKey(key) != nil {
            (self.publicKeyAlgorithm, self.publicKeyBits) = ("EC P-384", 384)
        } else if P521.Signing.PublicKey(key) != nil {
            (self.publicKeyAlgorithm, self.publicKeyBits) = ("EC P-521", 521)
        } else if Curve25519.Signing.PublicKey(key) != nil {
            (self.publicKeyAlgorithm, self.publicKeyBits) = ("Ed25519", 256)
        } else {
            // swift-certificates describes RSA keys as `RSA<bits>.PublicKey`.
            let text = key.description
            if text.hasPrefix("RSA") {
                self.publicKeyAlgorithm = "RSA"
                self.publicKeyBits = Int(text.dropFirst(3).prefix { $0.isNumber })
            } else {
                self.publicKeyAlgorithm = text
                self.publicKeyBits = nil
            }
        }
        self.publicKeyPEM = ((try? key.serializeAsPEM().pemString) ?? "") + "\n"
        var usage: KeyUsage = []
        if let extensionValue = try? certificate.extensions.keyUsage {
            let bits: [(Bool, KeyUsage)] = [
                (extensionValue.digitalSignature, .digitalSignature), (extensionValue.nonRepudiation, .nonRepudiation),
                (extensionValue.keyEncipherment, .keyEncipherment),
                (extensionValue.dataEncipherment, .dataEncipherment),
                (extensionValue.keyAgreement, .keyAgreement), (extensionValue.keyCertSign, .certificateSigning),
                (extensionValue.cRLSign, .crlSigning), (extensionValue.encipherOnly, .encipherOnly),
                (extensionValue.decipherOnly, .decipherOnly),
            ]
            for (isSet, flag) in bits where isSet {
                usage.insert(flag)
            }
        }
        self.keyUsage = usage
        if let extensionValue = try? certificate.extensions.extendedKeyUsage {
            self.extendedKeyUsage = extensionValue.map(\.description)
        } else {
            self.extendedKeyUsage = []
        }
    }

    /// Reads every `CERTIFICATE` block of PEM text, in order.
    ///
    /// - Throws: ``SMTPError/Code/tlsConfigurationInvalid`` when the text holds no
    ///   certificate or a block is not one.
    public static func fromPEM(_ text: String) throws(SMTPError) -> [SMTPCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(text.utf8))
        } catch {
            throw SMTPError(.tlsConfigurationInvalid, "not PEM certificates: \(error)", underlyingError: error)
        }
        guard !certificates.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the PEM text holds no CERTIFICATE block")
        }
        return try Self.make(from: certificates)
    }

    /// Converts NIOSSL's certificates.
    static func make(from certificates: [NIOSSLCertificate]) throws(SMTPError) -> [SMTPCertificate] {
        var result: [SMTPCertificate] = []
        for certificate in certificates {
            let der: [UInt8]
            do {
                der = try certificate.toDERBytes()
            } catch {
                throw SMTPError(
                    .tlsConfigurationInvalid, "cannot encode a certificate: \(error)", underlyingError: error)
            }
            result.append(try SMTPCertificate(derBytes: der))
        }
        return result
    }

    private static func name(of algorithm: Certificate.SignatureAlgorithm) -> String {
        switch algorithm {
        case .ecdsaWithSHA256:
            return "ecdsa-with-SHA256"
        case .ecdsaWithSHA384:
            return "ecdsa-with-SHA384"
        case .ecdsaWithSHA512:
            return "ecdsa-with-SHA512"
        case .sha1WithRSAEncryption:
            return "sha1WithRSAEncryption"
        case .sha256WithRSAEncryption:
            return "sha256WithRSAEncryption"
        case .sha384WithRSAEncryption:
            return "sha384WithRSAEncryption"
        case .sha512WithRSAEncryption:
            return "sha512WithRSAEncryption"
        case .ed25519:
            return "ED25519"
        default:
            return algorithm.description
        }
    }

    /// The SHA-256 fingerprint of `derBytes`, as ``sha256Fingerprint`` writes it.
    static func sha256Fingerprint(of derBytes: [UInt8]) -> String {
        SHA256.hash(data: derBytes).map { String(format: "%02x", $0) }.joined()
    }

    private static func format(ipAddress bytes: [UInt8]) -> String {
        if bytes.count == 4 {
            return bytes.map(String.init).joined(separator: ".")
        }
        var groups: [String] = []
        var index = 0
        while index + 1 < bytes.count {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
            index += 2
        }
        return groups.joined(separator: ":")
    }

    /// Subject, issuer and SHA-256 fingerprint.
    public var description: String {
        "\(self.subject) (issued by \(self.issuer), SHA-256 \(self.sha256Fingerprint))"
    }
}

/// The result of verifying the server's certificate chain and host name, as handed to a
/// ``SMTPTLSConfiguration/trustEvaluator``.
public enum SMTPCertificateVerdict: Hashable, Sendable {
    /// The chain leads to a trusted root and the certificate names the host.
    case trusted
    /// The certificate is not trusted; the reasons say why (untrusted issuer, expired,
    /// wrong host name, …).
    case untrusted(reasons: [String])

    /// Whether the verdict is ``trusted``.
    public var isTrusted: Bool {
        self == .trusted
    }
}

/// What TLS the session negotiated (the PSMTP class's `SSLServerCert` and `SSLStatus`).
public struct SMTPTLSInfo: Hashable, Sendable {
    /// The negotiated protocol version, for example `TLS 1.3`.
    public var protocolVersion: String
    /// The server's leaf certificate.
    public var peerCertificate: SMTPCertificate?
    /// The chain the server presented, leaf first (the reference's `SSLIncludeCertChain`).
    ///
    /// NIOSSL hands the whole chain over only to a custom verification callback: with pins
    /// or a ``SMTPTLSConfiguration/trustEvaluator`` this is every certificate the server
    /// sent; otherwise (BoringSSL verifies) it is ``peerCertificate`` alone.
    public var peerCertificateChain: [SMTPCertificate] = []
    /// Whether TLS started with `STARTTLS` (`false`: implicit TLS).
    public var viaSTARTTLS: Bool
}
