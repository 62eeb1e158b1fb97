import Foundation
import PGPMail
import TestSupport
import Testing

/// How the client verifies the server's certificate, against aiosmtpd with the test PKI's
/// good and bad certificates.
@Suite("Certificate verification", .timeLimit(.minutes(2)))
struct CertificateVerificationTests {
    /// Which of the PKI's server certificates the server presents.
    enum Pick: CaseIterable {
        case server, expired, wrongHost, selfSigned

        func credential(in pki: TestPKI) -> TestPKI.Credential? {
            switch self {
            case .server: pki.server
            case .expired: pki.expiredServer
            case .wrongHost: pki.wrongHostServer
            case .selfSigned: pki.selfSignedServer
            }
        }
    }

    /// A STARTTLS server presenting `credential` (the good server certificate by default).
    private func withServer(
        _ credential: Pick = .server, verifyClients: Bool = false,
        mode: AiosmtpdServer.TLS.Mode = .starttlsRequired,
        _ body: (AiosmtpdServer, TestPKI) async throws -> Void
    ) async throws {
        let pki = try TestPKI.make()
        let chosen = try #require(credential.credential(in: pki))
        let server = try await Secure.aiosmtpd(mode, pki: pki, credential: chosen, verifyClients: verifyClients)
        defer { server.stop() }
        try await body(server, pki)
    }

    private func expectRejected(
        _ record: SessionRecord, _ server: AiosmtpdServer, code: SMTPError.Code = .certificateRejected,
        delivered: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try record.error(sourceLocation: sourceLocation)
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(record.tlsInfo == nil, sourceLocation: sourceLocation)
        #expect(!record.commands.contains { $0.hasPrefix("MAIL") }, sourceLocation: sourceLocation)
        // Nothing was delivered by this session (earlier ones in the test may have).
        #expect(
            !record.commands.contains("DATA") && !record.commands.contains { $0.hasPrefix("AUTH") },
            "\(record.commands)", sourceLocation: sourceLocation)
        let count = try server.messages().count
        #expect(count == delivered, sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func wrongHostIsRejectedUnlessHostNamesAreNotChecked() async throws {
        try await withServer(.wrongHost) { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            try expectRejected(await Secure.run(configuration), server)
            // By address too: the certificate has no IP address.
            try expectRejected(
                await Secure.run(Secure.configuration(port: server.port, pki: pki, host: "127.0.0.1")), server)

            // A pin for another certificate switches to the library's own verification:
            // it checks the name just the same.
            var pinned = configuration
            pinned.tlsConfiguration.pinnedCertificateFingerprints = [pki.server.sha256FingerprintHex]
            try expectRejected(await Secure.run(pinned), server)

            configuration.tlsConfiguration.certificateVerification = .noHostnameVerification
            let record = await Secure.run(configuration)
            _ = try record.delivery()
            #expect(record.tlsInfo?.peerCertificate?.sha256Fingerprint == pki.wrongHostServer?.sha256FingerprintHex)
            #expect(record.tlsInfo?.peerCertificate?.subjectAlternativeNames == ["wrong.invalid"])
            #expect(try server.messages().first?.tls == true)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func serverNameOverridesTheHostForVerification() async throws {
        try await withServer(.wrongHost) { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki, host: "127.0.0.1")
            configuration.tlsConfiguration.serverName = "wrong.invalid"
            _ = try await Secure.run(configuration).delivery()
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func caCertificateGivenAsPEMTextIsTrusted() async throws {
        try await withServer { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.trustRoots = .pemCertificates([pki.caCertificatePEM])
            let record = await Secure.run(configuration)
            _ = try record.delivery()
            #expect(try server.messages().count == 1)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func expiredCertificateIsRejected() async throws {
        try await withServer(.expired) { server, pki in
            try expectRejected(await Secure.run(Secure.configuration(port: server.port, pki: pki)), server)
            // Not even without host name checks.
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.certificateVerification = .noHostnameVerification
            try expectRejected(await Secure.run(configuration), server)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func selfSignedIsRejectedUnlessPinned() async throws {
        try await withServer(.selfSigned) { server, pki in
            // Default roots (the system's), and the test CA: neither trusts it.
            try expectRejected(await Secure.run(Secure.configuration(port: server.port, pki: nil)), server)
            try expectRejected(await Secure.run(Secure.configuration(port: server.port, pki: pki)), server)

            // Pinned by its SHA-256 fingerprint (with separators and upper case): accepted.
            let selfSigned = try #require(pki.selfSignedServer)
            var configuration = Secure.configuration(port: server.port, pki: nil)
            configuration.tlsConfiguration.pinnedCertificateFingerprints = [
                selfSigned.sha256Fingerprint.map { String(format: "%02X", $0) }.joined(separator: ":")
            ]
            let record = await Secure.run(configuration)
            _ = try record.delivery()
            #expect(record.tlsInfo?.peerCertificate?.sha256Fingerprint == selfSigned.sha256FingerprintHex)
            #expect(try server.messages().count == 1)

            // A different pin does not help.
            configuration.tlsConfiguration.pinnedCertificateFingerprints = [pki.server.sha256FingerprintHex]
            try expectRejected(await Secure.run(configuration), server, delivered: 1)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func trustEvaluatorSeesTheChainAndDecides() async throws {
        try await withServer(.selfSigned) { server, pki in
            let selfSigned = try #require(pki.selfSignedServer)
            let seen = Locked<[([SMTPCertificate], SMTPCertificateVerdict)]>([])
            for accept in [false, true] {
                var configuration = Secure.configuration(port: server.port, pki: pki)
                configuration.tlsConfiguration.trustEvaluator = { chain, verdict in
                    seen.withLockedValue { $0.append((chain, verdict)) }
                    return accept
                }
                let record = await Secure.run(configuration)
                if accept {
                    _ = try record.delivery()
                    #expect(record.tlsInfo?.peerCertificate?.sha256Fingerprint == selfSigned.sha256FingerprintHex)
                } else {
                    try expectRejected(record, server)
                }
            }
            let calls = seen.withLockedValue { $0 }
            #expect(calls.count == 2)
            for (chain, verdict) in calls {
                let leaf = chain.first
                #expect(leaf?.sha256Fingerprint == selfSigned.sha256FingerprintHex)
                #expect(leaf?.subject.contains("CN=localhost") == true, "\(String(describing: leaf))")
                #expect(leaf?.issuer == leaf?.subject)
                #expect(leaf?.subjectAlternativeNames == ["localhost", "127.0.0.1"])
                #expect(leaf?.derBytes == selfSigned.certificateDER)
                if case .untrusted(let reasons) = verdict {
                    #expect(!reasons.isEmpty)
                } else {
                    Issue.record("a self-signed certificate was trusted")
                }
            }
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func trustEvaluatorSeesATrustedVerdictForTheGoodCertificate() async throws {
        try await withServer { server, pki in
            let seen = Locked<[SMTPCertificateVerdict]>([])
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.trustEvaluator = { chain, verdict in
                seen.withLockedValue { $0.append(verdict) }
                return verdict.isTrusted
            }
            _ = try await Secure.run(configuration).delivery()
            #expect(seen.withLockedValue { $0 } == [.trusted])

            // Pins for other certificates do not stop a verified chain.
            var pinned = Secure.configuration(port: server.port, pki: pki)
            pinned.tlsConfiguration.pinnedCertificateFingerprints = [String(repeating: "ab", count: 32)]
            _ = try await Secure.run(pinned).delivery()
            #expect(try server.messages().count == 2)

            // The evaluator can refuse a trusted chain too.
            configuration.tlsConfiguration.trustEvaluator = { _, _ in false }
            try expectRejected(await Secure.run(configuration), server, delivered: 2)
        }
    }

    /// The verdict the evaluator gets (swift-certificates' verification) agrees with what
    /// BoringSSL decides without an evaluator, certificate by certificate.
    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func trustEvaluatorVerdictsMatchTheDefaultVerification() async throws {
        let expectations: [(Pick, SMTPTLSConfiguration.CertificateVerification, Bool)] = [
            (.server, .full, true), (.wrongHost, .full, false), (.wrongHost, .noHostnameVerification, true),
            (.expired, .full, false), (.expired, .noHostnameVerification, false), (.selfSigned, .full, false),
        ]
        for (pick, verification, trusted) in expectations {
            try await withServer(pick) { server, pki in
                let verdicts = Locked<[SMTPCertificateVerdict]>([])
                var configuration = Secure.configuration(port: server.port, pki: pki)
                configuration.tlsConfiguration.certificateVerification = verification
                let plain = await Secure.run(configuration)
                configuration.tlsConfiguration.trustEvaluator = { _, verdict in
                    verdicts.withLockedValue { $0.append(verdict) }
                    return verdict.isTrusted
                }
                let evaluated = await Secure.run(configuration)
                let seen = verdicts.withLockedValue { $0 }
                #expect(seen.count == 1, "\(pick) \(verification)")
                #expect(seen.first?.isTrusted == trusted, "\(pick) \(verification): \(seen)")
                for record in [plain, evaluated] {
                    if trusted {
                        #expect(throws: Never.self, "\(pick) \(verification)") { try record.delivery() }
                    } else {
                        let error = try record.error()
                        #expect(error.code == .certificateRejected, "\(pick) \(verification): \(error)")
                    }
                }
            }
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func insecureNoVerificationAcceptsAnything() async throws {
        for pick in [Pick.selfSigned, .expired, .wrongHost] {
            try await withServer(pick) { server, pki in
                var configuration = Secure.configuration(port: server.port, pki: nil)
                configuration.tlsConfiguration.certificateVerification = .insecureNoVerification
                let record = await Secure.run(configuration)
                _ = try record.delivery()
                #expect(
                    record.tlsInfo?.peerCertificate?.sha256Fingerprint == pick.credential(in: pki)?.sha256FingerprintHex
                )
                #expect(try server.messages().first?.tls == true)
            }
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func missingCAFileIsAConfigurationError() async throws {
        try await withServer { server, pki in
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.trustRoots = .pemFiles([
                pki.directory.appendingPathComponent("none.pem").path
            ])
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .tlsConfigurationInvalid, "\(error)")
            #expect(!record.commands.contains { $0.hasPrefix("MAIL") })

            // A missing client key too.
            configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.clientIdentity = .pem(
                certificateChainFile: pki.server.certificatePath,
                privateKeyFile: pki.directory.appendingPathComponent("none-key.pem").path)
            let keyError = try await Secure.run(configuration).error()
            #expect(keyError.code == .tlsConfigurationInvalid, "\(keyError)")
            let messages = try server.messages()
            #expect(messages.isEmpty)
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func clientCertificateIsPresented() async throws {
        try await withServer(verifyClients: true) { server, pki in
            let client = try #require(pki.client)
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.clientIdentity = .pem(
                certificateChainFile: client.certificatePath, privateKeyFile: client.privateKeyPath)
            _ = try await Secure.run(configuration).delivery()
            // Without one the server (which only asks) accepts the message anonymously.
            _ = try await Secure.run(Secure.configuration(port: server.port, pki: pki)).delivery()
            let messages = try server.messages()
            #expect(messages.map(\.clientCertificateSubject) == ["client@example.org", nil])
            #expect(messages.allSatisfy { $0.tls })
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled && ExternalProcess.shouldRun("openssl")))
    func clientCertificateFromPKCS12() async throws {
        try await withServer(verifyClients: true) { server, pki in
            let client = try #require(pki.client)
            let bundle = pki.directory.appendingPathComponent("client.p12").path
            try ExternalProcess.run(
                "openssl",
                [
                    "pkcs12", "-export", "-in", client.certificatePath, "-inkey", client.privateKeyPath,
                    "-out", bundle, "-passout", "pass:bündel pass",
                ])
            var configuration = Secure.configuration(port: server.port, pki: pki)
            configuration.tlsConfiguration.clientIdentity = .pkcs12(file: bundle, passphrase: "bündel pass")
            _ = try await Secure.run(configuration).delivery()
            #expect(try server.messages().map(\.clientCertificateSubject) == ["client@example.org"])

            // A wrong passphrase is a configuration error, found before anything is sent.
            configuration.tlsConfiguration.clientIdentity = .pkcs12(file: bundle, passphrase: "wrong")
            let record = await Secure.run(configuration)
            let error = try record.error()
            #expect(error.code == .tlsConfigurationInvalid, "\(error)")
            #expect(!record.commands.contains { $0.hasPrefix("MAIL") })
        }
    }

    @Test(.enabled(if: Secure.aiosmtpdEnabled))
    func minimumTLS13() async throws {
        for mode in [AiosmtpdServer.TLS.Mode.starttlsRequired, .implicit] {
            try await withServer(mode: mode) { server, pki in
                var configuration = Secure.configuration(port: server.port, pki: pki)
                configuration.tls = mode == .implicit ? .implicit : .startTLS(required: true)
                configuration.tlsConfiguration.minimumVersion = .tls13
                let record = await Secure.run(configuration)
                _ = try record.delivery()
                #expect(record.tlsInfo?.protocolVersion == "TLS 1.3")
                #expect(try server.messages().first?.tlsVersion == "TLSv1.3")
            }
        }
    }
}
