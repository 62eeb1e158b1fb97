import Dispatch
import Foundation
import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Name tables and checks for the settings of ``SMTPTLSConfiguration`` that NIOSSL takes as
/// code points or passes to BoringSSL unchecked (BoringSSL stops the process on a cipher
/// list that it cannot use, so the list is checked here first).
enum TLSSettings {
    // MARK: Cipher suites

    /// A TLS 1.2 (and older) cipher suite as BoringSSL knows it.
    private struct Suite: Sendable {
        enum KeyExchange: Sendable { case rsa, ecdhe, psk }
        enum Authentication: Sendable { case rsa, ecdsa, psk }
        enum Encryption: Sendable { case tripleDES, aes128, aes256, aes128GCM, aes256GCM, chacha20 }
        enum MAC: Sendable { case sha1, sha256, aead }

        var name: String
        var standardName: String
        var value: UInt16
        var keyExchange: KeyExchange
        var authentication: Authentication
        var encryption: Encryption
        var mac: MAC

        /// Whether the suite exists only from TLS 1.2 on.
        var isTLS12Only: Bool { self.mac != .sha1 }
        var isDeprecated: Bool { self.encryption == .tripleDES }
    }

    /// BoringSSL's `kCiphers` without the TLS 1.3 suites (which a cipher list cannot name).
    private static let suites: [Suite] = [
        Suite(
            name: "DES-CBC3-SHA", standardName: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", value: 0x000A, keyExchange: .rsa,
            authentication: .rsa, encryption: .tripleDES, mac: .sha1),
        Suite(
            name: "AES128-SHA", standardName: "TLS_RSA_WITH_AES_128_CBC_SHA", value: 0x002F, keyExchange: .rsa,
            authentication: .rsa, encryption: .aes128, mac: .sha1),
        Suite(
            name: "AES256-SHA", standardName: "TLS_RSA_WITH_AES_256_CBC_SHA", value: 0x0035, keyExchange: .rsa,
            authentication: .rsa, encryption: .aes256, mac: .sha1),
        Suite(
            name: "PSK-AES128-CBC-SHA", standardName: "TLS_PSK_WITH_AES_128_CBC_SHA", value: 0x008C, keyExchange: .psk,
            authentication: .psk, encryption: .aes128, mac: .sha1),
        Suite(
            name: "PSK-AES256-CBC-SHA", standardName: "TLS_PSK_WITH_AES_256_CBC_SHA", value: 0x008D, keyExchange: .psk,
            authentication: .psk, encryption: .aes256, mac: .sha1),
        Suite(
            name: "AES128-GCM-SHA256", standardName: "TLS_RSA_WITH_AES_128_GCM_SHA256", value: 0x009C,
            keyExchange: .rsa, authentication: .rsa, encryption: .aes128GCM, mac: .aead),
        Suite(
            name: "AES256-GCM-SHA384", standardName: "TLS_RSA_WITH_AES_256_GCM_SHA384", value: 0x009D,
            keyExchange: .rsa, authentication: .rsa, encryption: .aes256GCM, mac: .aead),
        Suite(
            name: "ECDHE-ECDSA-AES128-SHA", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", value: 0xC009,
            keyExchange: .ecdhe, authentication: .ecdsa, encryption: .aes128, mac: .sha1),
        Suite(
            name: "ECDHE-ECDSA-AES256-SHA", standardName: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", value: 0xC00A,
            keyExchange: .ecdhe, authentication: .ecdsa, encryption: .aes256, mac: .sha1),
        Suite(
            name: "ECDHE-RSA-AES128-SHA", standardName: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", value: 0xC013,
            keyExchange: .ecdhe, authentication: .rsa, encryption: .aes128, mac: .sha1),
        Suite(
            name: "ECDHE-RSA-AES256-SHA", standardName: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", value: 0xC014,
            keyExchange: .ecdhe, authentication: .rsa, encryption: .aes256, mac: .sha1),
        Suite(
            name: "ECDHE-ECDSA-AES128-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", value: 0xC023,
            keyExchange: .ecdhe, authentication: .ecdsa, encryption: .aes128, mac: .sha256),
        Suite(
            name: "ECDHE-RSA-AES128-SHA256", standardName: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", value: 0xC027,
            keyExchange: .ecdhe, authentication: .rsa, encryption: .aes128, mac: .sha256),
        Suite(
            name: "ECDHE-ECDSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            value: 0xC02B, keyExchange: .ecdhe, authentication: .ecdsa, encryption: .aes128GCM, mac: .aead),
        Suite(
            name: "ECDHE-ECDSA-AES256-GCM-SHA384", standardName: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            value: 0xC02C, keyExchange: .ecdhe, authentication: .ecdsa, encryption: .aes256GCM, mac: .aead),
        Suite(
            name: "ECDHE-RSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", value: 0xC02F,
            keyExchange: .ecdhe, authentication: .rsa, encryption: .aes128GCM, mac: .aead),
        Suite(
            name: "ECDHE-RSA-AES256-GCM-SHA384", standardName: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", value: 0xC030,
            keyExchange: .ecdhe, authentication: .rsa, encryption: .aes256GCM, mac: .aead),
        Suite(
            name: "ECDHE-PSK-AES128-CBC-SHA", standardName: "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", value: 0xC035,
            keyExchange: .ecdhe, authentication: .psk, encryption: .aes128, mac: .sha1),
        Suite(
            name: "ECDHE-PSK-AES256-CBC-SHA", standardName: "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", value: 0xC036,
            keyExchange: .ecdhe, authentication: .psk, encryption: .aes256, mac: .sha1),
        Suite(
            name: "ECDHE-RSA-CHACHA20-POLY1305", standardName: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            value: 0xCCA8, keyExchange: .ecdhe, authentication: .rsa, encryption: .chacha20, mac: .aead),
        Suite(
            name: "ECDHE-ECDSA-CHACHA20-POLY1305", standardName: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            value: 0xCCA9, keyExchange: .ecdhe, authentication: .ecdsa, encryption: .chacha20, mac: .aead),
        Suite(
            name: "ECDHE-PSK-CHACHA20-POLY1305", standardName: "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
            value: 0xCCAC, keyExchange: .ecdhe, authentication: .psk, encryption: .chacha20, mac: .aead),
    ]

    /// The TLS 1.3 suites: always enabled by BoringSSL, not configurable.
    private static let tls13Suites: [String: UInt16] = [
        "TLS_AES_128_GCM_SHA256": 0x1301, "TLS_AES_256_GCM_SHA384": 0x1302, "TLS_CHACHA20_POLY1305_SHA256": 0x1303,
    ]

    /// BoringSSL's cipher aliases: which suites each matches, and whether it includes the
    /// deprecated (3DES) ones.
    private static let aliases: [String: (matches: @Sendable (Suite) -> Bool, deprecated: Bool)] = [
        "ALL": ({ _ in true }, false),
        "kRSA": ({ $0.keyExchange == .rsa }, false),
        "kECDHE": ({ $0.keyExchange == .ecdhe }, false),
        "kEECDH": ({ $0.keyExchange == .ecdhe }, false),
        "ECDH": ({ $0.keyExchange == .ecdhe }, false),
        "kPSK": ({ $0.keyExchange == .psk }, false),
        "aRSA": ({ $0.authentication == .rsa }, false),
        "aECDSA": ({ $0.authentication == .ecdsa }, false),
        "ECDSA": ({ $0.authentication == .ecdsa }, false),
        "aPSK": ({ $0.authentication == .psk }, false),
        "ECDHE": ({ $0.keyExchange == .ecdhe }, false),
        "EECDH": ({ $0.keyExchange == .ecdhe }, false),
        "RSA": ({ $0.keyExchange == .rsa && $0.authentication == .rsa }, false),
        "PSK": ({ $0.keyExchange == .psk && $0.authentication == .psk }, false),
        "3DES": ({ $0.encryption == .tripleDES }, true),
        "AES128": ({ $0.encryption == .aes128 || $0.encryption == .aes128GCM }, false),
        "AES256": ({ $0.encryption == .aes256 || $0.encryption == .aes256GCM }, false),
        "AES": ({ [.aes128, .aes256, .aes128GCM, .aes256GCM].contains($0.encryption) }, false),
        "AESGCM": ({ $0.encryption == .aes128GCM || $0.encryption == .aes256GCM }, false),
        "CHACHA20": ({ $0.encryption == .chacha20 }, false),
        "SHA1": ({ $0.mac == .sha1 }, false),
        "SHA": ({ $0.mac == .sha1 }, false),
        "SSLv3": ({ !$0.isTLS12Only }, false),
        "TLSv1": ({ !$0.isTLS12Only }, false),
        "TLSv1.2": ({ $0.isTLS12Only }, false),
        "HIGH": ({ _ in true }, false),
        "FIPS": ({ _ in true }, false),
    ]

    /// Checks an OpenSSL cipher string the way BoringSSL reads it, but refusing names it
    /// would silently skip in rules that enable suites (unknown names after `!`, `-` or `+`
    /// are ignored, as BoringSSL ignores them), and that it leaves at least one suite enabled.
    static func validateCipherList(_ list: String) throws(SMTPError) {
        var enabled = Set<UInt16>()
        var killed = Set<UInt16>()
        let separators: Set<Character> = [":", " ", ";", ",", "[", "]", "|"]
        let rules = list.split(whereSeparator: { separators.contains($0) })
        guard !rules.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the cipher list is empty")
        }
        for var rule in rules {
            var operation: Character = " "
            if let first = rule.first, "!-+".contains(first) {
                operation = first
                rule = rule.dropFirst()
            }
            if rule.hasPrefix("@") {
                guard rule == "@STRENGTH" else {
                    throw SMTPError(.tlsConfigurationInvalid, "the cipher list has an unknown command \(rule)")
                }
                continue
            }
            let atoms = rule.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            var matched: [Suite]
            if atoms.count == 1,
                let suite = Self.suites.first(where: { $0.name == atoms[0] || $0.standardName == atoms[0] })
            {
                matched = [suite]
            } else {
                var includeDeprecated = false
                matched = Self.suites
                for atom in atoms {
                    guard let alias = Self.aliases[atom] else {
                        // As in BoringSSL, an unknown name excludes nothing (OpenSSL lists often
                        // say `!aNULL:!MD5`); it is an error only where it would enable suites.
                        if operation != " " {
                            matched = []
                            break
                        }
                        let hint = Self.tls13Suites[atom] != nil ? " (TLS 1.3 suites cannot be configured)" : ""
                        throw SMTPError(
                            .tlsConfigurationInvalid,
                            "the cipher list names \"\(atom)\", which is no cipher suite or alias BoringSSL knows\(hint)"
                        )
                    }
                    includeDeprecated = includeDeprecated || alias.deprecated
                    matched = matched.filter(alias.matches)
                }
                if !includeDeprecated {
                    matched = matched.filter { !$0.isDeprecated }
                }
            }
            let values = Set(matched.map(\.value))
            switch operation {
            case "!":
                killed.formUnion(values)
                enabled.subtract(values)
            case "-":
                enabled.subtract(values)
            case "+":
                break
            default:
                enabled.formUnion(values.subtracting(killed))
            }
        }
        guard !enabled.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the cipher list \"\(list)\" enables no cipher suite")
        }
    }

    /// The TLS 1.2 suites named by IANA name (or OpenSSL name, or a hexadecimal code point
    /// such as `0xC02B`), and whether TLS 1.3 suites were named too.
    static func cipherSuites(_ names: [String]) throws(SMTPError) -> (tls12: [NIOTLSCipher], namesTLS13: Bool) {
        var result: [NIOTLSCipher] = []
        var namesTLS13 = false
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            var value: UInt16?
            if trimmed.lowercased().hasPrefix("0x") {
                value = UInt16(trimmed.dropFirst(2), radix: 16)
            }
            if let value, Self.tls13Suites.values.contains(value) {
                namesTLS13 = true
                continue
            }
            if Self.tls13Suites[trimmed.uppercased()] != nil {
                namesTLS13 = true
                continue
            }
            guard
                let suite = Self.suites.first(where: {
                    $0.value == value || $0.standardName == trimmed.uppercased() || $0.name == trimmed.uppercased()
                })
            else {
                throw SMTPError(.tlsConfigurationInvalid, "\"\(name)\" is no cipher suite BoringSSL supports")
            }
            result.append(NIOTLSCipher(rawValue: suite.value))
        }
        guard !result.isEmpty || namesTLS13 else {
            throw SMTPError(.tlsConfigurationInvalid, "the list of enabled cipher suites is empty")
        }
        return (result, namesTLS13)
    }

    // MARK: Signature algorithms and groups

    private static let signatureAlgorithmNames: [String: SignatureAlgorithm] = [
        "rsa_pkcs1_sha1": .rsaPkcs1Sha1, "sha1-rsa": .rsaPkcs1Sha1,
        "rsa_pkcs1_sha256": .rsaPkcs1Sha256, "sha256-rsa": .rsaPkcs1Sha256,
        "rsa_pkcs1_sha384": .rsaPkcs1Sha384, "sha384-rsa": .rsaPkcs1Sha384,
        "rsa_pkcs1_sha512": .rsaPkcs1Sha512, "sha512-rsa": .rsaPkcs1Sha512,
        "ecdsa_sha1": .ecdsaSha1, "sha1-ecdsa": .ecdsaSha1,
        "ecdsa_secp256r1_sha256": .ecdsaSecp256R1Sha256, "sha256-ecdsa": .ecdsaSecp256R1Sha256,
        "ecdsa_secp384r1_sha384": .ecdsaSecp384R1Sha384, "sha384-ecdsa": .ecdsaSecp384R1Sha384,
        "ecdsa_secp521r1_sha512": .ecdsaSecp521R1Sha512, "sha512-ecdsa": .ecdsaSecp521R1Sha512,
        "rsa_pss_rsae_sha256": .rsaPssRsaeSha256, "sha256-rsapss": .rsaPssRsaeSha256,
        "rsa_pss_rsae_sha384": .rsaPssRsaeSha384, "sha384-rsapss": .rsaPssRsaeSha384,
        "rsa_pss_rsae_sha512": .rsaPssRsaeSha512, "sha512-rsapss": .rsaPssRsaeSha512,
        "ed25519": .ed25519,
    ]

    /// The NIOSSL algorithms for names in IANA's `SignatureScheme` spelling
    /// (`ecdsa_secp256r1_sha256`) or the reference's (`sha256-ecdsa`), any case.
    static func signatureAlgorithms(_ names: [String]) throws(SMTPError) -> [SignatureAlgorithm] {
        guard !names.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the list of signature algorithms is empty")
        }
        var result: [SignatureAlgorithm] = []
        for name in names {
            guard let algorithm = Self.signatureAlgorithmNames[name.trimmingCharacters(in: .whitespaces).lowercased()]
            else {
                throw SMTPError(
                    .tlsConfigurationInvalid,
                    "\"\(name)\" is no supported signature algorithm (for example ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, ed25519)"
                )
            }
            result.append(algorithm)
        }
        return result
    }

    private static let groupNames: [String: NIOTLSCurve] = [
        "x25519": .x25519, "p256": .secp256r1, "secp256r1": .secp256r1, "prime256v1": .secp256r1,
        "p384": .secp384r1, "secp384r1": .secp384r1, "p521": .secp521r1, "secp521r1": .secp521r1,
        "x25519mlkem768": .x25519_MLKEM768,
    ]

    /// The NIOSSL groups for names such as `X25519`, `P-256` (`secp256r1`, `prime256v1`),
    /// `P-384`, `P-521` and `X25519MLKEM768`, any case.
    static func groups(_ names: [String]) throws(SMTPError) -> [NIOTLSCurve] {
        guard !names.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the list of groups is empty")
        }
        var result: [NIOTLSCurve] = []
        for name in names {
            let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
            guard let group = Self.groupNames[key] else {
                throw SMTPError(
                    .tlsConfigurationInvalid,
                    "\"\(name)\" is no supported group (X25519, P-256, P-384, P-521, X25519MLKEM768)")
            }
            result.append(group)
        }
        return result
    }

    // MARK: Trust roots

    /// The certificate files of a CA directory: `*.pem`, `*.crt`, `*.cer` and OpenSSL's
    /// hashed names (`1a2b3c4d.0`), sorted by name.
    static func certificateFiles(inDirectory path: String) throws(SMTPError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw SMTPError(
                .tlsConfigurationInvalid, "cannot read the CA directory \(path): \(error)", underlyingError: error)
        }
        let hashed = /^[0-9a-fA-F]{8}\.[0-9]+$/
        return names.sorted().filter { name in
            let lower = name.lowercased()
            return lower.hasSuffix(".pem") || lower.hasSuffix(".crt") || lower.hasSuffix(".cer")
                || name.wholeMatch(of: hashed) != nil
        }.map { (path as NSString).appendingPathComponent($0) }
    }

    /// The certificates in a CA directory's certificate files (PEM, or DER for a file with
    /// no PEM block). Files that hold no certificate, such as keys kept alongside, are
    /// skipped, as OpenSSL skips them.
    ///
    /// - Throws: ``SMTPError/Code/tlsConfigurationInvalid`` when the directory cannot be
    ///   read or yields no certificate.
    static func certificates(inDirectory path: String) throws(SMTPError) -> [NIOSSLCertificate] {
        var result: [NIOSSLCertificate] = []
        for file in try Self.certificateFiles(inDirectory: path) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = Array(data)
            if data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil {
                result += (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
            } else if let certificate = try? NIOSSLCertificate(bytes: bytes, format: .der) {
                result.append(certificate)
            }
        }
        guard !result.isEmpty else {
            throw SMTPError(.tlsConfigurationInvalid, "the CA directory \(path) holds no certificate")
        }
        return result
    }
}

/// Appends NSS key-log lines (`SSLKEYLOGFILE`) to a file opened once with `O_APPEND`. The
/// writes happen in order on a serial queue, never on the event loop that reports them.
final class TLSKeyLogWriter: Sendable {
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "PGPMail.TLSKeyLog")

    /// Opens (or creates, mode 0600) `path` for appending.
    init(path: String) throws(SMTPError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SMTPError(.tlsConfigurationInvalid, "cannot open the key log file \(path): \(reason)")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Queues one line (NIOSSL includes the newline).
    func append(_ line: ByteBuffer) {
        let bytes = Array(line.readableBytesView)
        self.queue.async {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(self.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Waits until every queued line is written (for tests).
    func flush() {
        self.queue.sync {}
    }
}
