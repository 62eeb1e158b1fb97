import Foundation

/// What reading a message found out, apart from the data itself.
public struct MessageReadReport: Sendable {
    /// How the literal data was marked.
    public let literalFormat: LiteralFormat
    /// The file name stored with the literal data.
    public let fileName: String
    /// The date stored with the literal data, if any.
    public let literalDate: Date?
    /// The cipher, when the message was encrypted.
    public let symmetricAlgorithm: SymmetricAlgorithm?
    /// The key (primary or subkey) whose secret decrypted the session key; nil when a
    /// passphrase did, or the message was not encrypted.
    public let decryptionKey: Fingerprint?
    /// Whether a passphrase (SKESK) rather than a key decrypted the message.
    public let decryptedWithPassphrase: Bool
    /// The compression method, when the message was compressed.
    public let compression: CompressionAlgorithm?
    /// One entry per signature found, in message order.
    public let signatures: [SignatureVerification]
    /// The session key, only when it was asked for.
    public let sessionKey: SessionKey?
    /// The signature packets as found, serialised (binary), in message order: the inline
    /// signatures as a detached signature over the data (SOP `inline-detach`).
    public let signaturePackets: [UInt8]

    /// Whether the message was encrypted.
    public var wasEncrypted: Bool { symmetricAlgorithm != nil }

    /// Whether at least one signature is good.
    public var hasGoodSignature: Bool { signatures.contains { $0.status == .good } }
}

/// The result of reading a message in memory: its data and the ``MessageReadReport``.
public struct DecryptedMessage: Sendable {
    /// The literal data.
    public let data: [UInt8]
    /// Everything else that was found out.
    public let report: MessageReadReport

    /// The signatures found (``MessageReadReport/signatures``).
    public var signatures: [SignatureVerification] { report.signatures }
    /// The cipher, when encrypted (``MessageReadReport/symmetricAlgorithm``).
    public var symmetricAlgorithm: SymmetricAlgorithm? { report.symmetricAlgorithm }
    /// The compression method, when compressed (``MessageReadReport/compression``).
    public var compression: CompressionAlgorithm? { report.compression }
    /// The key that decrypted the session key (``MessageReadReport/decryptionKey``).
    public var decryptionKey: Fingerprint? { report.decryptionKey }
    /// How the literal data was marked (``MessageReadReport/literalFormat``).
    public var literalFormat: LiteralFormat { report.literalFormat }
    /// The stored file name (``MessageReadReport/fileName``).
    public var fileName: String { report.fileName }
    /// Whether the message was encrypted.
    public var wasEncrypted: Bool { report.wasEncrypted }
    /// Whether at least one signature is good.
    public var hasGoodSignature: Bool { report.hasGoodSignature }
}

/// The outcome of checking one signature.
public struct SignatureVerification: Sendable, Hashable {
    /// What the check found.
    public enum Status: String, Sendable, Hashable {
        /// Valid, by a key that was usable for signing when it signed.
        case good
        /// Cryptographically invalid, or the data was altered.
        case bad
        /// None of the given certificates holds the issuing key.
        case missingKey
        /// Valid, but the key may not sign (flags), or was expired or revoked at signing time.
        case unusableKey
        /// The algorithm is not supported by this engine.
        case unsupported
    }

    public let status: Status
    /// Why the status is not `good`, for people.
    public let detail: String
    /// The issuer key ID from the signature.
    public let issuerKeyID: KeyID?
    /// The primary fingerprint of the certificate that made it, when found.
    public let signerFingerprint: Fingerprint?
    /// The fingerprint of the (sub)key that made it, when found.
    public let signingKeyFingerprint: Fingerprint?
    /// When the signature was made.
    public let creationDate: Date?
    public let hashAlgorithm: HashAlgorithm
    public let publicKeyAlgorithm: PublicKeyAlgorithm
    public let signatureType: SignatureType
}
