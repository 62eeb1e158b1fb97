import Crypto
import Foundation
import _CryptoExtras

/// A DKIM signing algorithm, written in the signature's `a=` tag.
public enum DKIMSignatureAlgorithm: String, Sendable, Hashable {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6376 §3.3.1).
    case rsaSHA256 = "rsa-sha256"
    /// Ed25519 over the SHA-256 hash of the signed header data (RFC 8463).
    case ed25519SHA256 = "ed25519-sha256"
}

/// A private key that signs DKIM signatures: RSA (`a=rsa-sha256`) or Ed25519 (`a=ed25519-sha256`).
///
/// RSA keys must have at least 1024 bits; RFC 8301 requires verifiers to accept 1024 to 4096 bits,
/// but keys below 2048 bits are weak and should be replaced. Receivers that do not yet verify
/// Ed25519 treat such a signature as absent, so domains moving to Ed25519 commonly sign twice,
/// once with each algorithm, under two selectors.
public struct DKIMKey: Sendable {
    private enum Backing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        /// The 32-byte seed: swift-crypto's Ed25519 key type is not `Sendable`, so the key is rebuilt
        /// from it for each use (cheap, and it keeps `DKIMKey` a plain `Sendable` value).
        case ed25519(seed: [UInt8])
    }

    private let backing: Backing

    private init(_ backing: Backing) { self.backing = backing }

    /// An RSA key from a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`) or unencrypted PKCS#8
    /// (`BEGIN PRIVATE KEY`), as `openssl genpkey -algorithm RSA` writes it.
    ///
    /// Throws `invalidParameter` for other PEM documents, encrypted keys and keys under 1024 bits.
    public static func rsa(pemRepresentation pem: String) throws -> DKIMKey {
        let document = try PEMDocument(pem)
        guard document.label == "RSA PRIVATE KEY" || document.label == "PRIVATE KEY" else {
            throw MailError(.invalidParameter, "DKIM: expected an RSA private key, found PEM \"\(document.label)\"")
        }
        let key: _RSA.Signing.PrivateKey
        do {
            // The "unsafe" initializer accepts 1024 to 2047 bits, which DKIM still allows (RFC 8301).
            key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: document.der)
        } catch {
            throw MailError(
                .invalidParameter, "DKIM: the PEM document is not an RSA private key of at least 1024 bits")
        }
        guard key.keySizeInBits >= 1024 else {
            throw MailError(.invalidParameter, "DKIM: RSA keys must have at least 1024 bits (RFC 8301)")
        }
        return DKIMKey(.rsa(key))
    }

    /// An Ed25519 key from its 32-byte private seed (the `nWGx…` value of RFC 8463 Appendix A).
    public static func ed25519(seed: some Collection<UInt8>) throws -> DKIMKey {
        guard seed.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed))) != nil else {
            throw MailError(.invalidParameter, "DKIM: an Ed25519 private key seed has 32 bytes, not \(seed.count)")
        }
        return DKIMKey(.ed25519(seed: Array(seed)))
    }

    /// An Ed25519 key from an unencrypted PEM PKCS#8 private key (`BEGIN PRIVATE KEY`, RFC 8410), as
    /// `openssl genpkey -algorithm ed25519` writes it.
    public static func ed25519(pemRepresentation pem: String) throws -> DKIMKey {
        let document = try PEMDocument(pem)
        guard document.label == "PRIVATE KEY" else {
            throw MailError(
                .invalidParameter, "DKIM: expected a PKCS#8 Ed25519 private key, found PEM \"\(document.label)\"")
        }
        return try ed25519(seed: Ed25519PKCS8.seed(fromDER: document.der))
    }

    /// The algorithm this key signs with.
    public var algorithm: DKIMSignatureAlgorithm {
        switch backing {
        case .rsa: .rsaSHA256
        case .ed25519: .ed25519SHA256
        }
    }

    /// The size of the key in bits: the RSA modulus size, or 256 for Ed25519.
    public var keySizeInBits: Int {
        switch backing {
        case .rsa(let key): key.keySizeInBits
        case .ed25519: 256
        }
    }

    /// The DNS TXT record text that publishes the public key, to be placed at
    /// `<selector>._domainkey.<domain>` (RFC 6376 §3.6.1, RFC 8463 §4.2).
    ///
    /// `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>` or `v=DKIM1; k=ed25519; p=<base64 32-byte key>`.
    /// For RSA this is the DER SubjectPublicKeyInfo, as the RFC's own examples, OpenDKIM and every
    /// common verifier use it. A record over 255 octets must be split into several strings in the zone.
    public var publicKeyRecord: String {
        switch backing {
        case .rsa(let key):
            "v=DKIM1; k=rsa; p=\(key.publicKey.derRepresentation.base64EncodedString())"
        case .ed25519(let seed):
            "v=DKIM1; k=ed25519; p=\(Self.ed25519PublicKey(seed: seed).base64EncodedString())"
        }
    }

    /// The raw Ed25519 public key for a seed that `ed25519(seed:)` has accepted.
    private static func ed25519PublicKey(seed: [UInt8]) -> Data {
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed))?.publicKey.rawRepresentation ?? Data()
    }

    /// Signs the SHA-256 hash of the canonical header data (RFC 6376 §3.7, RFC 8463 §3).
    func signature(forHeaderHash digest: SHA256.Digest) throws -> [UInt8] {
        do {
            switch backing {
            case .rsa(let key):
                // DKIM's rsa-sha256 is RSASSA-PKCS1-v1_5 (RFC 6376 §3.3.1). swift-crypto names the
                // padding "insecure" to steer new protocols to PSS; PKCS#1 v1.5 signatures have no
                // known practical forgery, and DKIM verifiers accept no other padding.
                return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ed25519(let seed):
                // RFC 8463 §3: PureEd25519 over the 32-byte SHA-256 hash, not over the data itself.
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
                return Array(try key.signature(for: Array(digest)))
            }
        } catch {
            throw MailError(.invalidParameter, "DKIM: the key could not sign: \(error)")
        }
    }
}

/// One PEM document (RFC 7468): its label and its decoded DER contents.
private struct PEMDocument {
    let label: String
    let der: [UInt8]

    init(_ text: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw MailError(.invalidParameter, "DKIM: the key is not a PEM document (no -----BEGIN line)")
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast("-----".count))
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else {
            throw MailError(.invalidParameter, "DKIM: the PEM document \"\(label)\" has no matching -----END line")
        }
        let body = lines[(begin + 1)..<end]
        if label == "ENCRYPTED PRIVATE KEY" || body.contains(where: { $0.hasPrefix("Proc-Type:") }) {
            throw MailError(.invalidParameter, "DKIM: the private key is encrypted; decrypt it first")
        }
        guard let der = Data(base64Encoded: body.joined()), !der.isEmpty else {
            throw MailError(.invalidParameter, "DKIM: the PEM document \"\(label)\" is not valid base64")
        }
        self.label = label
        self.der = Array(der)
    }
}

/// Reads the seed from an Ed25519 PKCS#8 `OneAsymmetricKey` (RFC 5958, RFC 8410 §7).
private enum Ed25519PKCS8 {
    /// The DER of the AlgorithmIdentifier for id-Ed25519 (1.3.101.112), without parameters.
    private static let algorithmIdentifier: [UInt8] = [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70]

    static func seed(fromDER der: [UInt8]) throws -> [UInt8] {
        let invalid = MailError(.invalidParameter, "DKIM: the PKCS#8 document is not an Ed25519 private key")
        var outer = DERReader(der[...])
        guard let sequence = outer.read(tag: 0x30), outer.isAtEnd else { throw invalid }
        var key = DERReader(sequence)
        guard let version = key.read(tag: 0x02), version.count == 1, (version.first ?? 2) <= 1,
            let algorithm = key.readElement(), algorithm.elementsEqual(algorithmIdentifier),
            var privateKey = key.read(tag: 0x04).map({ DERReader($0) }),
            let seed = privateKey.read(tag: 0x04), privateKey.isAtEnd, seed.count == 32
        else { throw invalid }
        // Optional attributes [0] and public key [1] may follow; the seed is all that signing needs.
        return Array(seed)
    }
}

/// A minimal, bounds-checked DER reader: definite lengths of up to four octets.
private struct DERReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    /// Reads one element with `tag` and returns its contents, or nil if the next element differs.
    mutating func read(tag: UInt8) -> ArraySlice<UInt8>? {
        guard bytes.first == tag, let (header, length) = elementHeader() else { return nil }
        let contents = bytes.dropFirst(header).prefix(length)
        bytes = bytes.dropFirst(header + length)
        return contents
    }

    /// Reads one whole element, tag and length included.
    mutating func readElement() -> ArraySlice<UInt8>? {
        guard let (header, length) = elementHeader() else { return nil }
        let element = bytes.prefix(header + length)
        bytes = bytes.dropFirst(header + length)
        return element
    }

    /// The header size and contents length of the next element, if it fits in the input.
    private func elementHeader() -> (Int, Int)? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[bytes.startIndex + 1]
        var header = 2
        var length = Int(first)
        if first & 0x80 != 0 {
            let octets = Int(first & 0x7F)
            guard octets >= 1, octets <= 4, bytes.count >= 2 + octets else { return nil }
            length = 0
            for byte in bytes.dropFirst(2).prefix(octets) { length = length << 8 | Int(byte) }
            header += octets
        }
        guard length <= bytes.count - header else { return nil }
        return (header, length)
    }
}
