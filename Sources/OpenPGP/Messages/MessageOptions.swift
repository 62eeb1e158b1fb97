import Foundation

/// How messages are written: the PSMTP `EncryptingAlgorithm`, `SigningAlgorithm`,
/// `CompressionMethod` and `CompressionLevel` settings, and armoring.
public struct MessageOptions: Sendable, Hashable {
    /// The cipher for the message (PSMTP `EncryptingAlgorithm`). When nil (the default) it is
    /// negotiated: the first of the first recipient's preferred ciphers that every recipient
    /// accepts, else AES-128 (RFC 9580's implicit cipher). Weak ciphers (IDEA, TripleDES,
    /// CAST5, Blowfish) are only used when named here.
    public var cipher: SymmetricAlgorithm?
    /// Whether the message is encrypted with AEAD (SEIPDv2, RFC 9580 §5.13.2) and in which mode.
    public var aead: AEADChoice
    /// The SEIPDv2 chunk size octet (PSMTP `AEADChunkSizeExp`): chunks of 2^(n+6) bytes,
    /// n in 0...16. The default 12 gives 256 KiB chunks.
    public var aeadChunkSizeExponent: Int
    /// The signature hash. When nil (the default) it is negotiated from the recipients'
    /// preferred hashes (SHA-256 when they name none that fits).
    public var hash: HashAlgorithm?
    /// Whether a hash too short for a DSA or ECDSA key is replaced by one that fits it (the
    /// PSMTP `EnsureValidDSASignatureHashAlgorithm`, on by default): P-256 → SHA-256,
    /// P-384 → SHA-384, P-521 → SHA-512, DSA by the size of q.
    public var ensureValidSignatureHash: Bool
    /// The compression method (default ZIP).
    public var compression: CompressionAlgorithm
    /// The compression level, 0–9 (default 6).
    public var compressionLevel: Int
    /// Whether to ASCII-armor the output (default true).
    public var armor: Bool
    /// `Comment:`/`Version:` armor headers (PSMTP `Comment`, `VersionHeader`); none by default.
    public var armorHeaders: ArmorHeaders
    /// The line ending of armored output (LF by default; PGP/MIME uses CRLF).
    public var armorLineEnding: ArmorLineEnding
    /// How the literal data is marked.
    public var literalFormat: LiteralFormat
    /// The file name stored in the literal data packet (empty by default).
    public var fileName: String
    /// The date stored in the literal data packet (none by default).
    public var literalDate: Date?
    /// The signature creation time; now when nil.
    public var signatureDate: Date?
    /// How passphrases protect the session key (PSMTP `UseArgon2`): iterated and salted
    /// SHA-256 by default, which every reader knows; ``PassphraseKDF/argon2Default`` for the
    /// memory-hard Argon2 S2K, written in v4 SKESK packets (see ``PassphraseKDF``).
    public var passphraseKDF: PassphraseKDF

    public init(
        cipher: SymmetricAlgorithm? = nil, aead: AEADChoice = .negotiated, aeadChunkSizeExponent: Int = 12,
        hash: HashAlgorithm? = nil, compression: CompressionAlgorithm = .zip,
        compressionLevel: Int = 6, armor: Bool = true, armorHeaders: ArmorHeaders = ArmorHeaders(),
        armorLineEnding: ArmorLineEnding = .lf, ensureValidSignatureHash: Bool = true,
        literalFormat: LiteralFormat = .binary, fileName: String = "", literalDate: Date? = nil,
        signatureDate: Date? = nil, passphraseKDF: PassphraseKDF = .iteratedAndSalted
    ) {
        self.cipher = cipher
        self.aead = aead
        self.aeadChunkSizeExponent = aeadChunkSizeExponent
        self.hash = hash
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.armor = armor
        self.armorHeaders = armorHeaders
        self.armorLineEnding = armorLineEnding
        self.ensureValidSignatureHash = ensureValidSignatureHash
        self.literalFormat = literalFormat
        self.fileName = fileName
        self.literalDate = literalDate
        self.signatureDate = signatureDate
        self.passphraseKDF = passphraseKDF
    }
}

/// Whether a message is encrypted with AEAD (SEIPDv2) or with CFB and a modification detection
/// code (SEIPDv1).
public enum AEADChoice: Sendable, Hashable {
    /// SEIPDv2 when every recipient's certificate announces it (Features), in the first mode
    /// of the first recipient's preferred AEAD ciphersuites that all accept (OCB by default);
    /// otherwise SEIPDv1. A message that passphrases also open uses SEIPDv1: the reader of a
    /// passphrase announces nothing.
    case negotiated
    /// Always SEIPDv1, whatever the recipients support (for older readers).
    case never
    /// Always SEIPDv2 in this mode.
    case always(AEADAlgorithm)
}
