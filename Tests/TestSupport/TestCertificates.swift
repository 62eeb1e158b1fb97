import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throw-away public-key infrastructure for TLS tests, generated in-process with P-256
/// keys: a test CA and certificates it issues, written as PEM files into a private temporary
/// directory that is removed when the value goes away (or on `remove()`).
///
/// Every certificate is valid from an hour ago for a day, except `expiredServer`.
public final class TestPKI: Sendable {
    /// A certificate with its private key, as PEM text and as files.
    public struct Credential: Sendable {
        /// The certificate, one PEM `CERTIFICATE` block.
        public let certificatePEM: String
        /// The private key, one PEM `PRIVATE KEY` block (PKCS #8, unencrypted).
        public let privateKeyPEM: String
        /// The certificate's DER encoding.
        public let certificateDER: [UInt8]
        /// Where `certificatePEM` is written.
        public let certificatePath: String
        /// Where `privateKeyPEM` is written (mode 0600).
        public let privateKeyPath: String

        /// SHA-256 of `certificateDER`.
        public var sha256Fingerprint: [UInt8] { Array(SHA256.hash(data: self.certificateDER)) }

        /// `sha256Fingerprint` as lowercase hex without separators.
        public var sha256FingerprintHex: String {
            self.sha256Fingerprint.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// The directory holding every file.
    public let directory: URL
    /// The CA certificate as PEM (the trust anchor the tests give to clients).
    public let caCertificatePEM: String
    /// The CA certificate's DER encoding.
    public let caCertificateDER: [UInt8]
    /// Where `caCertificatePEM` is written (`ca.pem`).
    public let caCertificatePath: String
    /// The server certificate: subject CN the first server name, SANs every server name (DNS)
    /// and every IP address; extended key usage serverAuth.
    public let server: Credential
    /// The same names as `server`, but valid only until yesterday.
    public let expiredServer: Credential?
    /// Issued by the CA for `wrong.invalid` only (no IP address): fails host name checks.
    public let wrongHostServer: Credential?
    /// Self-signed (not issued by the CA), with the same names as `server`.
    public let selfSignedServer: Credential?
    /// A client certificate for client-certificate authentication (extended key usage
    /// clientAuth), subject CN the given client name, SAN the name as an e-mail address.
    public let client: Credential?

    /// The DNS names and IP addresses in the server certificates.
    public let serverNames: [String]
    /// The IP addresses in the server certificates, as text.
    public let ipAddresses: [String]

    /// SHA-256 of the server certificate's DER, for pinning tests.
    public var serverCertificateSHA256: [UInt8] { self.server.sha256Fingerprint }

    private init(
        directory: URL, caCertificatePEM: String, caCertificateDER: [UInt8], caCertificatePath: String,
        server: Credential, expiredServer: Credential?, wrongHostServer: Credential?, selfSignedServer: Credential?,
        client: Credential?, serverNames: [String], ipAddresses: [String]
    ) {
        self.directory = directory
        self.caCertificatePEM = caCertificatePEM
        self.caCertificateDER = caCertificateDER
        self.caCertificatePath = caCertificatePath
        self.server = server
        self.expiredServer = expiredServer
        self.wrongHostServer = wrongHostServer
        self.selfSignedServer = selfSignedServer
        self.client = client
        self.serverNames = serverNames
        self.ipAddresses = ipAddresses
    }

    deinit { self.remove() }

    /// Removes the directory and every file in it.
    public func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Generates a CA and the certificates asked for, and writes them as PEM files.
    ///
    /// - Parameters:
    ///   - serverNames: DNS names of the server certificates; the first is also the subject CN.
    ///   - ipAddresses: IPv4 or IPv6 addresses of the server certificates, as text.
    ///   - expired: Also make `expiredServer`.
    ///   - wrongHost: Also make `wrongHostServer`.
    ///   - selfSigned: Also make `selfSignedServer`.
    ///   - clientName: Make `client` for this name (an e-mail address or user name); nil for none.
    public static func make(
        serverNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1"], expired: Bool = true,
        wrongHost: Bool = true, selfSigned: Bool = true, clientName: String? = "client@example.org"
    ) throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("test-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        do {
            let now = Date()
            let notBefore = now.addingTimeInterval(-3600)
            let notAfter = now.addingTimeInterval(86400)

            let caKey = P256.Signing.PrivateKey()
            let caPublicKey = Certificate.PublicKey(caKey.publicKey)
            let caName = try DistinguishedName {
                OrganizationName("PGPMail Tests")
                CommonName("PGPMail Test CA")
            }
            let caSKI = SubjectKeyIdentifier(hash: caPublicKey)
            let ca = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublicKey,
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    caSKI
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey))
            let caDocument = try ca.serializeAsPEM()
            let caPEM = caDocument.pemString + "\n"
            let caDER = caDocument.derBytes
            let caPath = directory.appendingPathComponent("ca.pem")
            try caPEM.write(to: caPath, atomically: true, encoding: .utf8)

            let addresses = try ipAddresses.map { try Self.addressBytes($0) }
            let serverSANs: [GeneralName] =
                serverNames.map { .dnsName($0) } + addresses.map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) }
            let issuer = Issuer(name: caName, key: caKey, keyIdentifier: caSKI.keyIdentifier)

            func issue(
                _ name: String, commonName: String, sans: [GeneralName], usage: ExtendedKeyUsage.Usage,
                from: Date = notBefore, until: Date = notAfter, by issuer: Issuer?
            ) throws -> Credential {
                let key = P256.Signing.PrivateKey()
                let publicKey = Certificate.PublicKey(key.publicKey)
                let subject = try DistinguishedName {
                    OrganizationName("PGPMail Tests")
                    CommonName(commonName)
                }
                let certificate = try Certificate(
                    version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                    notValidBefore: from, notValidAfter: until, issuer: issuer?.name ?? subject, subject: subject,
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        Critical(BasicConstraints.notCertificateAuthority)
                        Critical(KeyUsage(digitalSignature: true))
                        try ExtendedKeyUsage([usage])
                        SubjectAlternativeNames(sans)
                        SubjectKeyIdentifier(hash: publicKey)
                        if let issuer {
                            AuthorityKeyIdentifier(keyIdentifier: issuer.keyIdentifier)
                        }
                    },
                    issuerPrivateKey: Certificate.PrivateKey(issuer?.key ?? key))
                let document = try certificate.serializeAsPEM()
                let certificatePEM = document.pemString + "\n"
                let keyPEM = key.pemRepresentation + "\n"
                let certificatePath = directory.appendingPathComponent("\(name).pem")
                let keyPath = directory.appendingPathComponent("\(name)-key.pem")
                try certificatePEM.write(to: certificatePath, atomically: true, encoding: .utf8)
                try keyPEM.write(to: keyPath, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath.path)
                return Credential(
                    certificatePEM: certificatePEM, privateKeyPEM: keyPEM,
                    certificateDER: document.derBytes,
                    certificatePath: certificatePath.path, privateKeyPath: keyPath.path)
            }

            let commonName = serverNames.first ?? ipAddresses.first ?? "localhost"
            let server = try issue("server", commonName: commonName, sans: serverSANs, usage: .serverAuth, by: issuer)
            let expiredServer =
                expired
                ? try issue(
                    "expired", commonName: commonName, sans: serverSANs, usage: .serverAuth,
                    from: now.addingTimeInterval(-3 * 86400), until: now.addingTimeInterval(-86400), by: issuer)
                : nil
            let wrongHostServer =
                wrongHost
                ? try issue(
                    "wrong-host", commonName: "wrong.invalid", sans: [.dnsName("wrong.invalid")], usage: .serverAuth,
                    by: issuer)
                : nil
            let selfSignedServer =
                selfSigned
                ? try issue("self-signed", commonName: commonName, sans: serverSANs, usage: .serverAuth, by: nil)
                : nil
            let client = try clientName.map { name in
                let sans: [GeneralName] = name.contains("@") ? [.rfc822Name(name)] : []
                return try issue("client", commonName: name, sans: sans, usage: .clientAuth, by: issuer)
            }
            return TestPKI(
                directory: directory, caCertificatePEM: caPEM, caCertificateDER: caDER,
                caCertificatePath: caPath.path, server: server, expiredServer: expiredServer,
                wrongHostServer: wrongHostServer, selfSignedServer: selfSignedServer, client: client,
                serverNames: serverNames, ipAddresses: ipAddresses)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The CA that signs the leaf certificates.
    private struct Issuer {
        var name: DistinguishedName
        var key: P256.Signing.PrivateKey
        var keyIdentifier: ArraySlice<UInt8>
    }

    /// The 4 or 16 bytes of an IP address in text form.
    private static func addressBytes(_ text: String) throws -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        throw TestSupportError("not an IP address: \(text)")
    }
}

/// A failure in a test fixture (a server that did not start, a tool that failed).
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
