import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// Builds the TLS machinery of a session from its ``SMTPTLSConfiguration``: the NIOSSL
/// context (once: it reads files) and a client handler per connection, with the
/// verification the configuration asks for.
///
/// Verification paths:
/// - no pins and no trust evaluator: BoringSSL verifies the chain and the host name;
/// - pins or an evaluator: the chain is verified here with swift-certificates (RFC 5280 and
///   server identity policies against the same roots), a pinned leaf is accepted whatever
///   the verdict, and the evaluator has the last word.
struct TLSClientFactory: Sendable {
    let configuration: SMTPTLSConfiguration
    let context: NIOSSLContext
    /// The trusted roots for swift-certificates' verifier (empty unless pins or an evaluator
    /// need it).
    private let verifierRoots: [Certificate]

    /// Reads the files the configuration names and builds the context. Blocking file reads
    /// run on NIO's thread pool, not on Swift's cooperative pool.
    static func make(_ configuration: SMTPTLSConfiguration) async throws(SMTPError) -> TLSClientFactory {
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try TLSClientFactory(configuration: configuration)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError(.tlsConfigurationInvalid, "cannot set up TLS: \(error)", underlyingError: error)
        }
    }

    private init(configuration: SMTPTLSConfiguration) throws(SMTPError) {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = configuration.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        switch configuration.certificateVerification {
        case .full:
            tls.certificateVerification = .fullVerification
        case .noHostnameVerification:
            tls.certificateVerification = .noHostnameVerification
        case .insecureNoVerification:
            tls.certificateVerification = .none
        }
        var customRoots: [NIOSSLCertificate] = []
        for directory in configuration.trustRoots.pemDirectories {
            customRoots += try TLSSettings.certificates(inDirectory: directory)
        }
        for path in configuration.trustRoots.pemFiles {
            do {
                customRoots += try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw SMTPError(
                    .tlsConfigurationInvalid, "cannot read CA certificates from \(path): \(error)",
                    underlyingError: error)
            }
        }
        for (index, pem) in configuration.trustRoots.pemCertificates.enumerated() {
            do {
                customRoots += try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            } catch {
                throw SMTPError(
                    .tlsConfigurationInvalid, "CA certificate text \(index + 1) is not PEM: \(error)",
                    underlyingError: error)
            }
        }
        // A hashed directory lists each certificate twice (file and link).
        var seenRoots = Set<[UInt8]>()
        customRoots = customRoots.filter { certificate in
            guard let der = try? certificate.toDERBytes() else { return true }
            return seenRoots.insert(der).inserted
        }
        if configuration.trustRoots.includesSystemRoots {
            tls.trustRoots = .default
            if !customRoots.isEmpty {
                tls.additionalTrustRoots = [.certificates(customRoots)]
            }
        } else {
            tls.trustRoots = .certificates(customRoots)
        }
        switch configuration.clientIdentity {
        case .none:
            break
        case .pem(let chainFile, let keyFile):
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(chainFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw SMTPError(
                    .tlsConfigurationInvalid, "cannot read the client certificate or key: \(error)",
                    underlyingError: error)
            }
        case .pkcs12(let file, let passphrase):
            do {
                let bundle = try NIOSSLPKCS12Bundle(file: file, passphrase: Array(passphrase.utf8))
                tls.certificateChain = bundle.certificateChain.map { .certificate($0) }
                tls.privateKey = .privateKey(bundle.privateKey)
            } catch {
                throw SMTPError(
                    .tlsConfigurationInvalid, "cannot read the PKCS#12 bundle \(file): \(error)",
                    underlyingError: error)
            }
        }
        try Self.applySettings(configuration, to: &tls)
        do {
            self.context = try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPError(.tlsConfigurationInvalid, "cannot set up TLS: \(error)", underlyingError: error)
        }
        if configuration.trustEvaluator != nil || !configuration.pinnedCertificateFingerprints.isEmpty {
            var roots: [Certificate] = []
            for certificate in customRoots {
                if let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) {
                    roots.append(parsed)
                }
            }
            self.verifierRoots = roots
        } else {
            self.verifierRoots = []
        }
    }

    /// Applies versions, cipher suites, signature algorithms, groups, renegotiation and the
    /// key log, refusing names NIOSSL does not know.
    private static func applySettings(
        _ configuration: SMTPTLSConfiguration, to tls: inout TLSConfiguration
    ) throws(SMTPError) {
        switch configuration.maximumVersion {
        case .none:
            break
        case .tls12:
            guard configuration.minimumVersion == .tls12 else {
                throw SMTPError(.tlsConfigurationInvalid, "the maximum TLS version (1.2) is below the minimum (1.3)")
            }
            tls.maximumTLSVersion = .tlsv12
        case .tls13:
            tls.maximumTLSVersion = .tlsv13
        }
        if configuration.cipherSuites != nil && configuration.enabledCipherSuites != nil {
            throw SMTPError(.tlsConfigurationInvalid, "set cipherSuites or enabledCipherSuites, not both")
        }
        if let list = configuration.cipherSuites {
            try TLSSettings.validateCipherList(list)
            tls.cipherSuites = list
        }
        if let names = configuration.enabledCipherSuites {
            let suites = try TLSSettings.cipherSuites(names)
            if suites.tls12.isEmpty {
                // Only TLS 1.3 suites: BoringSSL enables all of them, so TLS 1.3 is the way to honour the list.
                guard configuration.maximumVersion != .tls12 else {
                    throw SMTPError(
                        .tlsConfigurationInvalid,
                        "only TLS 1.3 cipher suites are enabled but the maximum version is TLS 1.2")
                }
                tls.minimumTLSVersion = .tlsv13
            } else {
                tls.cipherSuiteValues = suites.tls12
            }
        }
        if let names = configuration.signatureAlgorithms {
            tls.verifySignatureAlgorithms = try TLSSettings.signatureAlgorithms(names)
        }
        if let names = configuration.groups {
            tls.curves = try TLSSettings.groups(names)
        }
        switch configuration.renegotiation {
        case .none:
            tls.renegotiationSupport = .none
        case .once:
            tls.renegotiationSupport = .once
        }
        if let path = configuration.keyLogFile {
            let writer = try TLSKeyLogWriter(path: path)
            tls.keyLogCallback = { line in writer.append(line) }
        }
    }

    /// A client handler for one connection to `host`, reporting the chain it saw (and, for
    /// refusals decided here, why) into `observation`.
    func makeHandler(host: String, observation: TLSObservation) throws(SMTPError) -> NIOSSLClientHandler {
        let name = self.configuration.serverName ?? host
        let sniName = Self.isIPAddress(name) ? nil : name
        do {
            let usesCustomVerification =
                self.configuration.certificateVerification != .insecureNoVerification
                && (self.configuration.trustEvaluator != nil
                    || !self.configuration.pinnedCertificateFingerprints.isEmpty)
            guard usesCustomVerification else {
                return try NIOSSLClientHandler(context: self.context, serverHostname: sniName)
            }
            let factory = self
            return try NIOSSLClientHandler(context: self.context, serverHostname: sniName) { certificates, promise in
                let eventLoop = promise.futureResult.eventLoop
                let ders = certificates.compactMap { try? $0.toDERBytes() }
                let result = eventLoop.makeFutureWithTask {
                    await factory.decide(presented: ders, hostname: name, observation: observation)
                }
                promise.completeWith(result)
            }
        } catch {
            throw SMTPError(.tlsConfigurationInvalid, "cannot start TLS for \(name): \(error)", underlyingError: error)
        }
    }

    /// The verification of pins and the trust evaluator (see the type's comment).
    private func decide(
        presented ders: [[UInt8]], hostname: String, observation: TLSObservation
    ) async -> NIOSSLVerificationResult {
        let parsed = ders.compactMap { der in (try? Certificate(derEncoded: der)).map { ($0, der) } }
        let chain = parsed.map { SMTPCertificate(certificate: $0.0, derBytes: $0.1) }
        observation.record(chain: chain)
        guard let leaf = parsed.first, parsed.count == ders.count else {
            observation.record(refusal: "the server sent a certificate that cannot be parsed")
            return .failed
        }
        if self.configuration.normalizedPins.contains(SMTPCertificate.sha256Fingerprint(of: leaf.1)) {
            return .certificateVerified
        }
        let verdict = await self.verdict(leaf: leaf.0, intermediates: parsed.dropFirst().map(\.0), hostname: hostname)
        if let evaluator = self.configuration.trustEvaluator {
            if await evaluator(chain, verdict) {
                return .certificateVerified
            }
            observation.record(refusal: "the trust evaluator refused the certificate (\(Self.describe(verdict)))")
            return .failed
        }
        guard verdict.isTrusted else {
            observation.record(refusal: "the certificate is not pinned and \(Self.describe(verdict))")
            return .failed
        }
        return .certificateVerified
    }

    private func verdict(
        leaf: Certificate, intermediates: [Certificate], hostname: String
    ) async -> SMTPCertificateVerdict {
        var roots = CertificateStore(self.verifierRoots)
        if self.configuration.trustRoots.includesSystemRoots {
            roots = CertificateStore.systemTrustRoots
            roots.append(contentsOf: self.verifierRoots)
        }
        let checkName = self.configuration.certificateVerification == .full
        let ip = Self.isIPAddress(hostname) ? hostname : nil
        var verifier = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            if checkName {
                ServerIdentityPolicy(serverHostname: ip == nil ? hostname : nil, serverIP: ip)
            }
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate:
            return .trusted
        case .couldNotValidate(let failures):
            let reasons = failures.map { "\($0.policyFailureReason)" }
            return .untrusted(reasons: reasons.isEmpty ? ["no chain to a trusted root"] : Array(Set(reasons)).sorted())
        }
    }

    private static func describe(_ verdict: SMTPCertificateVerdict) -> String {
        switch verdict {
        case .trusted:
            return "the chain is trusted"
        case .untrusted(let reasons):
            return "the chain is not trusted: " + reasons.joined(separator: "; ")
        }
    }

    static func isIPAddress(_ name: String) -> Bool {
        (try? SocketAddress(ipAddress: name, port: 0)) != nil
    }
}

/// What the TLS layer saw during one handshake, for error messages and ``SMTPTLSInfo``.
final class TLSObservation: Sendable {
    private let state = NIOLockedValueBox<(chain: [SMTPCertificate], refusal: String?)>(([], nil))

    func record(chain: [SMTPCertificate]) {
        self.state.withLockedValue { $0.chain = chain }
    }

    func record(refusal: String) {
        self.state.withLockedValue { $0.refusal = refusal }
    }

    var chain: [SMTPCertificate] {
        self.state.withLockedValue { $0.chain }
    }

    var refusal: String? {
        self.state.withLockedValue { $0.refusal }
    }
}
