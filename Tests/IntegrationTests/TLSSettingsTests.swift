import Foundation
import PGPMail
import TestSupport
import Testing

/// The TLS settings (versions, cipher suites, groups, signature algorithms, key log, CA
/// directory) and the reported chain, against aiosmtpd with the test PKI. With `CI` set a
/// missing aiosmtpd fails these tests instead of skipping them.
@Suite("TLS settings", .timeLimit(.minutes(2)))
struct TLSSettingsTests {
    private func withServer(
        mode: AiosmtpdServer.TLS.Mode = .starttlsRequired, _ body: (AiosmtpdServer, TestPKI) async throws -> Void
    ) async throws {
        let pki = try TestPKI.make()
        let server = try await Secure.aiosmtpd(mode, pki: pki)
        defer { server.stop() }
        try await body(server, pki)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func restrictedCipherListAndGroupDeliverOverTLS12() async throws {
        try await withServer { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.maximumVersion = .tls12
            configuration.tlsConfiguration.cipherSuites = "ECDHE+AESGCM:!aRSA"
            configuration.tlsConfiguration.groups = ["P-256"]
            configuration.tlsConfiguration.signatureAlgorithms = ["ecdsa_secp256r1_sha256"]
            let record = await Secure.run(configuration)
            _ = try record.delivery()
            #expect(record.tlsInfo?.protocolVersion == "TLS 1.2")
            let messages = try server.messages()
            #expect(messages.count == 1)
            #expect(messages.first?.tls == true)
            #expect(messages.first?.tlsVersion == "TLSv1.2", "\(String(describing: messages.first?.tlsVersion))")
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func enabledCipherSuitesByIANANameDeliverOverImplicitTLS() async throws {
        try await withServer(mode: .implicit) { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tls = .implicit
            configuration.tlsConfiguration.maximumVersion = .tls12
            configuration.tlsConfiguration.enabledCipherSuites = ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"]
            // In TLS 1.2 the groups also name the curves an ECDSA certificate may use: P-256 for the server's.
            configuration.tlsConfiguration.groups = ["X25519", "P-256"]
            let record = await Secure.run(configuration)
            _ = try record.delivery()
            #expect(record.tlsInfo?.protocolVersion == "TLS 1.2")
            #expect(record.tlsInfo?.viaSTARTTLS == false)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func signatureAlgorithmsTheServerCannotUseFailTheHandshake() async throws {
        try await withServer { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            // The server's key is P-256: it cannot sign with RSA-PSS.
            configuration.tlsConfiguration.signatureAlgorithms = ["rsa_pss_rsae_sha256"]
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .tlsHandshakeFailed, "\(error)")
            #expect(try server.messages().isEmpty)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func keyLogFileGetsTheSessionSecrets() async throws {
        try await withServer { server, pki in
            let keyLog = pki.directory.appendingPathComponent("keys.log").path
            for maximum in [SMTPTLSConfiguration.MaximumVersion.tls12, .tls13] {
                var configuration = Secure.configuration(port: server.port, pki: pki)
                configuration.tlsConfiguration.keyLogFile = keyLog
                configuration.tlsConfiguration.maximumVersion = maximum
                _ = try await Secure.run(configuration).delivery()
            }
            // Lines are written on a queue of their own: wait for them briefly.
            var text = ""
            for _ in 0..<50 {
                text = (try? String(contentsOfFile: keyLog, encoding: .utf8)) ?? ""
                if text.contains("CLIENT_RANDOM ") && text.contains("CLIENT_TRAFFIC_SECRET_0 ") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let lines = text.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("CLIENT_RANDOM ") }, "\(text)")  // TLS 1.2
            #expect(lines.contains { $0.hasPrefix("CLIENT_TRAFFIC_SECRET_0 ") }, "\(text)")  // TLS 1.3
            #expect(lines.allSatisfy { $0.split(separator: " ").count == 3 }, "\(text)")
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func peerCertificateChainStartsWithTheServersCertificate() async throws {
        try await withServer { server, pki in
            // BoringSSL verifies: the leaf only.
            var configuration = Secure.configuration(port: server.port, pki: pki)
            var record = await Secure.run(configuration)
            _ = try record.delivery()
            var chain = try #require(record.tlsInfo?.peerCertificateChain)
            #expect(chain.first?.sha256Fingerprint == pki.server.sha256FingerprintHex)
            #expect(chain.first == record.tlsInfo?.peerCertificate)
            #expect(chain.first?.extendedKeyUsage == ["serverAuth"])

            // Verified here (a trust evaluator): every certificate the server sent.
            configuration.tlsConfiguration.trustEvaluator = { _, verdict in verdict.isTrusted }
            record = await Secure.run(configuration)
            _ = try record.delivery()
            chain = try #require(record.tlsInfo?.peerCertificateChain)
            #expect(!chain.isEmpty)
            #expect(chain.first?.sha256Fingerprint == pki.server.sha256FingerprintHex)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func trustRootsFromADirectory() async throws {
        try await withServer { server, pki in
            let directory = pki.directory.appendingPathComponent("ca-dir")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // A c_rehash-style directory: the file, a hashed link to it, and a key to skip.
            try pki.caCertificatePEM.write(
                to: directory.appendingPathComponent("test-ca.pem"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(
                atPath: directory.appendingPathComponent("0badc0de.0").path, withDestinationPath: "test-ca.pem")
            try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(
                to: directory.appendingPathComponent("stray-key.pem"), atomically: true, encoding: .utf8)

            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.trustRoots = .pemDirectory(directory.path)
            _ = try await Secure.run(configuration).delivery()
            // The same directory for swift-certificates' verifier (a trust evaluator sees its verdict).
            let verdicts = Locked<[SMTPCertificateVerdict]>([])
            configuration.tlsConfiguration.trustEvaluator = { _, verdict in
                verdicts.withLockedValue { $0.append(verdict) }
                return verdict.isTrusted
            }
            _ = try await Secure.run(configuration).delivery()
            #expect(verdicts.withLockedValue { $0 } == [.trusted])

            // A directory with another CA only: refused.
            let other = pki.directory.appendingPathComponent("other-dir")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            let selfSigned = try #require(pki.selfSignedServer)
            try selfSigned.certificatePEM.write(
                to: other.appendingPathComponent("other.crt"), atomically: true, encoding: .utf8)
            configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.trustRoots = .pemDirectory(other.path)
            let error = try await Secure.run(configuration).error()
            #expect(error.code == .certificateRejected, "\(error)")
        }
    }
}
