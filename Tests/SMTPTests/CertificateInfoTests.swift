import Foundation
import TestSupport
import Testing

@testable import SMTP

/// The fields of ``SMTPCertificate``, reading certificates from PEM and client identities,
/// and the refusal of TLS settings NIOSSL cannot use.
@Suite("Certificate info and TLS settings")
struct CertificateInfoTests {
    @Test
    func serverCertificateFields() throws {
        let pki = try TestPKI.make()
        let certificate = try SMTPCertificate(derBytes: pki.server.certificateDER)
        #expect(certificate.version == 3)
        #expect(certificate.signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(certificate.publicKeyAlgorithm == "EC P-256")
        #expect(certificate.publicKeyBits == 256)
        #expect(certificate.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(certificate.publicKeyPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(certificate.keyUsage == .digitalSignature)
        #expect(certificate.keyUsage.rawValue == 0x80)
        #expect(certificate.keyUsage.description == "Digital Signature")
        #expect(certificate.extendedKeyUsage == ["serverAuth"])
        #expect(certificate.sha256Fingerprint == pki.server.sha256FingerprintHex)
        #expect(certificate.md5Fingerprint.count == 32)
        #expect(certificate.md5Fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(certificate.subjectAlternativeNames == ["localhost", "127.0.0.1"])
    }

    @Test
    func caKeyUsageFlags() throws {
        let pki = try TestPKI.make()
        let ca = try SMTPCertificate(derBytes: pki.caCertificateDER)
        #expect(ca.keyUsage == [.certificateSigning, .crlSigning])
        #expect(ca.keyUsage.rawValue == 0x06)
        #expect(ca.keyUsage.description == "Certificate Signing, CRL Signing")
        #expect(ca.extendedKeyUsage.isEmpty)
        #expect(ca.subject == ca.issuer)
    }

    @Test
    func keyUsageValuesMatchTheReferenceTable() {
        let table: [(SMTPCertificate.KeyUsage, Int)] = [
            (.digitalSignature, 0x80), (.nonRepudiation, 0x40), (.keyEncipherment, 0x20), (.dataEncipherment, 0x10),
            (.keyAgreement, 0x08), (.certificateSigning, 0x04), (.crlSigning, 0x02), (.encipherOnly, 0x01),
        ]
        for (flag, value) in table {
            #expect(flag.rawValue == value)
        }
        let all = SMTPCertificate.KeyUsage(rawValue: 0xFF)
        #expect(
            all.description
                == "Digital Signature, Non-Repudiation, Key Encipherment, Data Encipherment, Key Agreement, Certificate Signing, CRL Signing, Encipher Only"
        )
        #expect(SMTPCertificate.KeyUsage().description == "")
    }

    @Test
    func fromPEMReadsEveryBlockInOrder() throws {
        let pki = try TestPKI.make()
        let client = try #require(pki.client)
        let text = pki.server.certificatePEM + "\n" + pki.caCertificatePEM + client.certificatePEM
        let certificates = try SMTPCertificate.fromPEM(text)
        #expect(certificates.count == 3)
        #expect(
            certificates.map(\.derBytes) == [pki.server.certificateDER, pki.caCertificateDER, client.certificateDER])
        #expect(certificates[2].extendedKeyUsage == ["clientAuth"])
    }

    @Test
    func fromPEMRefusesTextWithoutCertificates() throws {
        for text in ["", "hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
            #expect(throws: SMTPError.self) { try SMTPCertificate.fromPEM(text) }
            do {
                _ = try SMTPCertificate.fromPEM(text)
            } catch {
                #expect(error.code == .tlsConfigurationInvalid)
            }
        }
    }

    @Test
    func pemClientIdentityCertificates() throws {
        let pki = try TestPKI.make()
        let client = try #require(pki.client)
        let chainFile = pki.directory.appendingPathComponent("client-chain.pem").path
        try (client.certificatePEM + pki.caCertificatePEM).write(toFile: chainFile, atomically: true, encoding: .utf8)
        let identity = SMTPTLSConfiguration.ClientIdentity.pem(
            certificateChainFile: chainFile, privateKeyFile: client.privateKeyPath)
        let certificates = try identity.certificates()
        #expect(certificates.map(\.derBytes) == [client.certificateDER, pki.caCertificateDER])
        #expect(certificates.first?.subject.contains("client@example.org") == true)

        let missing = SMTPTLSConfiguration.ClientIdentity.pem(
            certificateChainFile: pki.directory.appendingPathComponent("nope.pem").path,
            privateKeyFile: client.privateKeyPath)
        do {
            _ = try missing.certificates()
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == .tlsConfigurationInvalid)
        }
    }

    /// PKCS#12 bundles are made with the `openssl` tool, which TestPKI does not need
    /// otherwise: without it (outside CI) the test is skipped.
    @Test(.enabled(if: Self.opensslPath != nil || ProcessInfo.processInfo.environment["CI"] != nil))
    func pkcs12ClientIdentityCertificates() throws {
        let openssl = try #require(Self.opensslPath, "CI is set but there is no openssl tool")
        let pki = try TestPKI.make()
        let client = try #require(pki.client)
        let bundle = pki.directory.appendingPathComponent("client.p12").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "pkcs12", "-export", "-in", client.certificatePath, "-inkey", client.privateKeyPath,
            "-certfile", pki.caCertificatePath, "-out", bundle, "-passout", "pass:p12 secret",
        ]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)

        let certificates = try SMTPTLSConfiguration.ClientIdentity.pkcs12(file: bundle, passphrase: "p12 secret")
            .certificates()
        #expect(certificates.first?.derBytes == client.certificateDER)
        #expect(certificates.contains { $0.derBytes == pki.caCertificateDER })

        do {
            _ = try SMTPTLSConfiguration.ClientIdentity.pkcs12(file: bundle, passphrase: "wrong").certificates()
            Issue.record("a wrong passphrase was accepted")
        } catch {
            #expect(error.code == .tlsConfigurationInvalid)
        }
    }

    static let opensslPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    // MARK: Settings

    private func expectInvalid(
        _ change: (inout SMTPTLSConfiguration) -> Void, mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        var configuration = SMTPTLSConfiguration()
        change(&configuration)
        do {
            _ = try await TLSClientFactory.make(configuration)
            Issue.record("the configuration was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .tlsConfigurationInvalid, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test
    func invalidSettingsAreRefusedWhenTLSIsSetUp() async throws {
        await expectInvalid({ $0.cipherSuites = "NOT-A-CIPHER" }, mentioning: "NOT-A-CIPHER")
        await expectInvalid({ $0.cipherSuites = "!aNULL" }, mentioning: "enables no cipher suite")
        await expectInvalid({ $0.cipherSuites = "ECDHE+3DES" }, mentioning: "enables no cipher suite")
        await expectInvalid({ $0.cipherSuites = "" }, mentioning: "empty")
        await expectInvalid({ $0.cipherSuites = "HIGH:@SECLEVEL=2" }, mentioning: "@SECLEVEL")
        await expectInvalid({ $0.cipherSuites = "TLS_AES_128_GCM_SHA256" }, mentioning: "TLS 1.3")
        await expectInvalid({ $0.enabledCipherSuites = ["TLS_RSA_WITH_RC4_128_SHA"] }, mentioning: "RC4")
        await expectInvalid({ $0.enabledCipherSuites = ["0x0005"] }, mentioning: "0x0005")
        await expectInvalid({ $0.enabledCipherSuites = [] }, mentioning: "empty")
        await expectInvalid(
            {
                $0.cipherSuites = "ECDHE+AESGCM"
                $0.enabledCipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
            }, mentioning: "not both")
        await expectInvalid({ $0.signatureAlgorithms = ["sha256-dsa"] }, mentioning: "sha256-dsa")
        await expectInvalid({ $0.signatureAlgorithms = [] }, mentioning: "empty")
        await expectInvalid({ $0.groups = ["P-192"] }, mentioning: "P-192")
        await expectInvalid({ $0.groups = [] }, mentioning: "empty")
        await expectInvalid(
            {
                $0.minimumVersion = .tls13
                $0.maximumVersion = .tls12
            }, mentioning: "minimum")
        await expectInvalid({ $0.keyLogFile = "/nonexistent-directory/keys.log" }, mentioning: "key log")
        await expectInvalid({ $0.trustRoots = .pemDirectory("/nonexistent-directory") }, mentioning: "CA directory")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        await expectInvalid({ $0.trustRoots = .pemDirectory(empty.path) }, mentioning: "holds no certificate")
    }

    @Test
    func validSettingsAreAccepted() async throws {
        let pki = try TestPKI.make()
        let keyLog = pki.directory.appendingPathComponent("keys.log").path
        let choices: [(inout SMTPTLSConfiguration) -> Void] = [
            { $0.cipherSuites = "ECDHE+AESGCM:!aRSA" },
            { $0.cipherSuites = "ECDHE-ECDSA-AES128-GCM-SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:@STRENGTH" },
            { $0.cipherSuites = "HIGH:!PSK:-SHA1:+AES256" },
            { $0.cipherSuites = "RSA+3DES" },
            {
                $0.enabledCipherSuites = [
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "0xCCA9", "TLS_AES_128_GCM_SHA256",
                ]
            },
            { $0.enabledCipherSuites = ["TLS_AES_256_GCM_SHA384"] },
            { $0.signatureAlgorithms = ["ecdsa_secp256r1_sha256", "sha256-rsa", "RSA_PSS_RSAE_SHA256", "ed25519"] },
            { $0.groups = ["X25519", "P-256", "secp384r1", "p521", "X25519MLKEM768"] },
            {
                $0.maximumVersion = .tls12
                $0.renegotiation = .once
            },
            { $0.keyLogFile = keyLog },
            { $0.trustRoots = .pemDirectory(pki.directory.path) },
        ]
        for change in choices {
            var configuration = SMTPTLSConfiguration()
            change(&configuration)
            _ = try await TLSClientFactory.make(configuration)
        }
        #expect(FileManager.default.fileExists(atPath: keyLog))
        let attributes = try FileManager.default.attributesOfItem(atPath: keyLog)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test
    func caDirectoryListsCertificateFilesAndHashedNames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ca-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["a.pem", "b.CRT", "c.cer", "1a2b3c4d.0", "README", "key.key", "1a2b3c4d.r0"] {
            try "".write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let files = try TLSSettings.certificateFiles(inDirectory: directory.path)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["1a2b3c4d.0", "a.pem", "b.CRT", "c.cer"])
    }
}
