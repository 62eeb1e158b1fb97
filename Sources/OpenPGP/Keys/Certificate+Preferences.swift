/// What a certificate's owner says their software reads: the algorithm preferences and
/// features of RFC 9580 §5.2.3.14–17 and §5.2.3.32.
public struct AlgorithmPreferences: Sendable, Hashable {
    /// Preferred ciphers for SEIPDv1, most preferred first; empty when not stated.
    public var symmetric: [SymmetricAlgorithm]
    /// Preferred AEAD ciphersuites for SEIPDv2, most preferred first; empty when not stated.
    public var aeadCiphersuites: [AEADCiphersuite]
    /// Preferred hashes, most preferred first; empty when not stated.
    public var hash: [HashAlgorithm]
    /// Preferred compression algorithms, most preferred first; empty when not stated.
    public var compression: [CompressionAlgorithm]
    /// The Features flags (first octet): 0x01 SEIPDv1, 0x08 SEIPDv2.
    public var features: UInt8

    public init(
        symmetric: [SymmetricAlgorithm] = [], aeadCiphersuites: [AEADCiphersuite] = [], hash: [HashAlgorithm] = [],
        compression: [CompressionAlgorithm] = [], features: UInt8 = 0
    ) {
        self.symmetric = symmetric
        self.aeadCiphersuites = aeadCiphersuites
        self.hash = hash
        self.compression = compression
        self.features = features
    }

    /// Whether the owner's software reads SEIPDv2 (AEAD) data.
    public var supportsSEIPDv2: Bool { features & 0x08 != 0 }
}

/// A cipher and AEAD mode pair from the Preferred AEAD Ciphersuites subpacket.
public struct AEADCiphersuite: Sendable, Hashable, CustomStringConvertible {
    public var cipher: SymmetricAlgorithm
    public var mode: AEADAlgorithm

    public init(_ cipher: SymmetricAlgorithm, _ mode: AEADAlgorithm) {
        self.cipher = cipher
        self.mode = mode
    }

    public var description: String { "\(cipher)-\(mode)" }
}

extension Certificate {
    /// The algorithm preferences that apply when writing to this certificate: each one from
    /// the primary user ID's self-signature, else the direct-key signature (for a v6 key the
    /// direct-key signature comes first, RFC 9580 §5.2.3.10).
    public var preferences: AlgorithmPreferences {
        let userIDSignature = primaryUserID?.selfSignature
        let directSignature = primaryKey.directKeySignature
        let sources =
            (primaryKey.version >= 6 ? [directSignature, userIDSignature] : [userIDSignature, directSignature])
            .compactMap { $0 }
        func first<T>(_ read: (SignaturePacket) -> [T]) -> [T] {
            sources.lazy.map(read).first { !$0.isEmpty } ?? []
        }
        return AlgorithmPreferences(
            symmetric: first(\.preferredSymmetricAlgorithms),
            aeadCiphersuites: first(\.preferredAEADCiphersuites),
            hash: first(\.preferredHashAlgorithms),
            compression: first(\.preferredCompressionAlgorithms),
            features: sources.lazy.compactMap(\.features).first ?? 0)
    }
}

extension SignaturePacket {
    /// The Preferred AEAD Ciphersuites subpacket: pairs of cipher and mode octets.
    var preferredAEADCiphersuites: [AEADCiphersuite] {
        guard let body = hashed(.preferredAEADCiphersuites)?.body else { return [] }
        return stride(from: 0, to: body.count - 1, by: 2).map {
            AEADCiphersuite(SymmetricAlgorithm(rawValue: body[$0]), AEADAlgorithm(rawValue: body[$0 + 1]))
        }
    }

    /// The first octet of the Features subpacket, nil when there is none.
    var features: UInt8? { hashed(.features)?.body.first }
}
