/// Chooses a message's algorithms from its recipients' preferences (RFC 9580 §12.2–12.3): the
/// first of the first recipient's preferences that every other recipient also accepts, with
/// the RFC's implicit algorithms (AES-128, AES-128/OCB, SHA-256) accepted by everyone. An
/// explicit choice in ``MessageOptions`` overrides, and weak ciphers are never chosen
/// implicitly. Pure: no keys, no I/O.
struct AlgorithmNegotiation {
    /// What the message is encrypted with.
    struct Encryption: Hashable {
        let cipher: SymmetricAlgorithm
        /// The SEIPDv2 mode, or nil for SEIPDv1.
        let aead: AEADAlgorithm?
    }

    /// Ciphers never chosen unless named in `MessageOptions.cipher` (RFC 9580 §9.3: IDEA,
    /// TripleDES and CAST5 only for legacy data; Blowfish's 64-bit block is as weak).
    static let weakCiphers: Set<SymmetricAlgorithm> = [.idea, .tripleDES, .cast5, .blowfish]
    /// Hashes never chosen for a new signature (RFC 9580 §9.5).
    static let weakHashes: Set<HashAlgorithm> = [.md5, .sha1, .ripemd160]

    /// The recipients' preferences, in the order the recipients were given.
    let recipients: [AlgorithmPreferences]
    /// Whether the message also has passphrases (SKESK).
    let hasPassphrases: Bool
    /// The AEAD ciphersuites this engine can write.
    let writableCiphersuites: (AEADCiphersuite) -> Bool
    /// The SEIPDv1 ciphers this engine can write.
    let writableCipher: (SymmetricAlgorithm) -> Bool

    /// The cipher and container for `options`.
    func encryption(_ options: MessageOptions) throws -> Encryption {
        switch options.aead {
        case .never:
            return Encryption(cipher: options.cipher ?? v1Cipher(), aead: nil)
        case .always(let mode):
            let cipher = options.cipher ?? aeadCiphersuite(mode: mode)?.cipher ?? v1Cipher()
            guard writableCiphersuites(AEADCiphersuite(cipher, mode)) else {
                throw OpenPGPError(.unsupportedAlgorithm, "\(cipher) in \(mode) mode cannot be written")
            }
            return Encryption(cipher: cipher, aead: mode)
        case .negotiated:
            // A passphrase's reader announces nothing, so it gets what everyone reads.
            guard !recipients.isEmpty, !hasPassphrases, recipients.allSatisfy(\.supportsSEIPDv2) else {
                return Encryption(cipher: options.cipher ?? v1Cipher(), aead: nil)
            }
            if let cipher = options.cipher {
                guard let suite = aeadCiphersuite(cipher: cipher) else { return Encryption(cipher: cipher, aead: nil) }
                return Encryption(cipher: cipher, aead: suite.mode)
            }
            guard let suite = aeadCiphersuite() else { return Encryption(cipher: v1Cipher(), aead: nil) }
            return Encryption(cipher: suite.cipher, aead: suite.mode)
        }
    }

    /// The hash for signatures: the requested one, else the first of the first recipient's
    /// preferred hashes that all recipients accept, else SHA-256.
    func hash(requested: HashAlgorithm?) -> HashAlgorithm {
        if let requested { return requested }
        return agreed(\.hash, implicit: [.sha256]) { $0.isSupported && !Self.weakHashes.contains($0) } ?? .sha256
    }

    /// The SEIPDv1 cipher everyone prefers most, else AES-128.
    private func v1Cipher() -> SymmetricAlgorithm {
        agreed(\.symmetric, implicit: [.aes128]) {
            $0.keySize != nil && !Self.weakCiphers.contains($0) && writableCipher($0)
        } ?? .aes128
    }

    /// The agreed AEAD ciphersuite, optionally with a fixed cipher or mode.
    private func aeadCiphersuite(cipher: SymmetricAlgorithm? = nil, mode: AEADAlgorithm? = nil) -> AEADCiphersuite? {
        agreed(\.aeadCiphersuites, implicit: [AEADCiphersuite(.aes128, .ocb)]) { suite in
            (cipher == nil || suite.cipher == cipher) && (mode == nil || suite.mode == mode)
                && !Self.weakCiphers.contains(suite.cipher) && writableCiphersuites(suite)
        }
    }

    /// The first element of the first recipient's list (plus the implicit ones) that passes
    /// `usable` and that every other recipient lists or accepts implicitly.
    private func agreed<T: Hashable>(
        _ list: (AlgorithmPreferences) -> [T], implicit: [T], usable: (T) -> Bool
    ) -> T? {
        let lists = recipients.map { list($0) + implicit }
        let candidates = lists.first ?? implicit
        return candidates.first { candidate in
            usable(candidate) && lists.dropFirst().allSatisfy { $0.contains(candidate) }
        }
    }
}
