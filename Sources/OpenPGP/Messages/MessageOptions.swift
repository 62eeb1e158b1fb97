import Foundation

/// How messages are written: the PSMTP `EncryptingAlgorithm`, `SigningAlgorithm`,
/// `CompressionMethod` and `CompressionLevel` settings, and armoring.
public struct MessageOptions: Sendable, Hashable {
    /// The cipher for the message (default AES-128, as in PSMTP).
    public var cipher: SymmetricAlgorithm
    /// The signature hash (default SHA-256).
    public var hash: HashAlgorithm
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

    public init(
        cipher: SymmetricAlgorithm = .aes128, hash: HashAlgorithm = .sha256, compression: CompressionAlgorithm = .zip,
        compressionLevel: Int = 6, armor: Bool = true, armorHeaders: ArmorHeaders = ArmorHeaders(),
        armorLineEnding: ArmorLineEnding = .lf, ensureValidSignatureHash: Bool = true,
        literalFormat: LiteralFormat = .binary, fileName: String = "", literalDate: Date? = nil,
        signatureDate: Date? = nil
    ) {
        self.cipher = cipher
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
    }
}
