import Crypto
import Foundation
import X509

/// What a session knows about a certificate the server presented: enough to show it to a
/// person or to pin it (the PSMTP class's `SSLServerCert`).
public struct SMTPCertificate: Hashable, Sendable, CustomStringConvertible {
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
    /// The certificate in DER.
    public var derBytes: [UInt8]

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
        self.derBytes = derBytes
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
    /// Whether TLS started with `STARTTLS` (`false`: implicit TLS).
    public var viaSTARTTLS: Bool
}
