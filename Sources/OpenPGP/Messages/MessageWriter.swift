import Foundation

/// Writes an OpenPGP message — signed, compressed, encrypted and armored as asked — from data
/// given in pieces, in bounded memory: `write` as often as needed, then `finish` once.
///
/// The pipeline is literal data → one-pass signatures → compression → SEIPD → armor, each
/// stage streaming into the next with partial body lengths. Text literal data (`.text`,
/// `.utf8`) is stored with CRLF line endings and signed with text signatures (type 0x01).
/// Past the first MiB, the stages up to encryption run on a second thread while the calling
/// thread armors and delivers the output (``WriterPipeline``); `output` is always called on
/// the thread that called `write` or `finish`.
public final class MessageWriter {
    /// Literal data, hashing, compression and encryption, possibly on a second thread.
    private let pipeline: WriterPipeline
    private var finished = false

    /// The cipher the message is encrypted with (negotiated unless `MessageOptions.cipher`
    /// names one); nil for a message that is only signed.
    public let symmetricAlgorithm: SymmetricAlgorithm?
    /// The AEAD mode of a SEIPDv2 message; nil for SEIPDv1 or an unencrypted message.
    public let aeadAlgorithm: AEADAlgorithm?

    /// Starts a message.
    ///
    /// - Parameters:
    ///   - recipients: certificates to encrypt to.
    ///   - passphrases: passphrases that can also decrypt (SKESK, the PSMTP
    ///     `SymmetricPassphrase`). With neither recipients nor passphrases the message is
    ///     signed only.
    ///   - signers: keys to sign with (unlocked); none gives an unsigned message.
    ///   - options: algorithms and formatting.
    ///   - output: receives the message bytes as they are produced.
    public init(
        recipients: [Certificate], passphrases: [String] = [], signers: [SecretKey] = [],
        options: MessageOptions = MessageOptions(), output: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let now = options.signatureDate ?? Date()
        let signatureTime = UInt32(openPGPTimestamp: now)
        let plan = try Self.plan(
            recipients: recipients, passphrases: passphrases, signers: signers, options: options, at: now)
        let signingKeys = plan.signers
        symmetricAlgorithm = plan.encryption?.cipher
        aeadAlgorithm = plan.encryption?.aead

        let armor =
            options.armor
            ? ArmorWriter(type: .message, headers: options.armorHeaders, lineEnding: options.armorLineEnding) : nil
        let sink = try OutputStage(armor: armor, output: output)
        let collector = WriterPipeline.Collector(sink: sink)

        var container: WriterStage = collector
        if let encryption = plan.encryption, let keySize = encryption.cipher.keySize {
            let cipher = encryption.cipher
            let sessionKey = SecureBytes.random(count: keySize)
            for key in plan.recipientKeys {
                // RFC 9580 §10.3.2.1: v6 PKESKs before SEIPDv2, v3 before SEIPDv1.
                let body =
                    encryption.aead == nil
                    ? try PKESK.makeV3(sessionKey: sessionKey, cipher: cipher, to: key.packet)
                    : try PKESK.makeV6(sessionKey: sessionKey, to: key.packet)
                try sink.write(PacketFraming.packet(tag: .publicKeyEncryptedSessionKey, body: body))
            }
            for passphrase in passphrases {
                let secret = SecureBytes(Array(passphrase.utf8))
                let body =
                    if let mode = encryption.aead {
                        try SKESK.makeV6(
                            sessionKey: sessionKey, messageCipher: cipher, mode: mode, passphrase: secret,
                            kdf: options.passphraseKDF)
                    } else {
                        try SKESK.make(
                            sessionKey: sessionKey, messageCipher: cipher, passphrase: secret,
                            kdf: options.passphraseKDF)
                    }
                try sink.write(PacketFraming.packet(tag: .symmetricKeyEncryptedSessionKey, body: body))
            }
            if let mode = encryption.aead {
                container = try SEIPDv2Stage(
                    algorithm: cipher, mode: mode, chunkSizeExponent: options.aeadChunkSizeExponent,
                    sessionKey: sessionKey, next: collector)
            } else {
                container = try SEIPDv1Stage(algorithm: cipher, sessionKey: sessionKey, next: collector)
            }
        }
        if options.compression != .uncompressed {
            container = try compressionStage(for: options.compression, level: options.compressionLevel, next: container)
        }
        let signatureType = DocumentSignatures.type(for: options.literalFormat)
        var hashed: [(DocumentSignatures.Signer, HashContext)] = []
        for (index, signer) in signingKeys.enumerated() {
            let last = index == signingKeys.count - 1
            let key = signer.key.publicKey
            // One-pass signature packet (version 3, or 6 for a v6 key); the last one written is "not nested".
            let onePass = OnePassSignature(
                type: signatureType, hashAlgorithm: signer.hash, key: key, salt: signer.salt, isLast: last)
            try container.write(PacketFraming.packet(tag: .onePassSignature, body: onePass.body))
            hashed.append((signer, try signer.makeHashContext()))
        }
        // RFC 9580 §5.2.3.36: a v6 signature inside an encrypted message names its recipients,
        // so that it cannot be re-encrypted to someone else and passed off as meant for them.
        // (v4 signatures do not: readers of that era, rnp 0.16 among them, warn about it.)
        let intendedRecipients =
            plan.encryption == nil
            ? []
            : recipients.map(\.primaryKey).map {
                Subpacket(.intendedRecipientFingerprint, [UInt8(truncatingIfNeeded: $0.version)] + $0.fingerprint.bytes)
            }
        let literal = try LiteralDataStage(
            format: options.literalFormat, fileName: options.fileName, date: options.literalDate,
            hashes: hashed.map(\.1), next: container)
        let front = WriterPipeline.Front(
            write: { try literal.write($0) },
            finish: { [hashed, container, intendedRecipients] in
                // Closes the literal data, appends the signatures (in reverse order of their
                // one-pass packets) and flushes every stage.
                try literal.finish()
                for (signer, context) in hashed.reversed() {
                    let signature = try DocumentSignatures.sign(
                        with: signer, type: signatureType, creationTime: signatureTime, context: context,
                        extraHashedSubpackets: signer.key.publicKey.version == 6 ? intendedRecipients : [])
                    try container.write(signature.serialized)
                }
                try container.finish()
            })
        pipeline = WriterPipeline(front: front, collector: collector, sink: sink)
    }

    /// Checks, without writing anything, that a message with these keys and options can be
    /// written now: the same errors `init` would throw.
    public static func validate(
        recipients: [Certificate], passphrases: [String] = [], signers: [SecretKey],
        options: MessageOptions = MessageOptions()
    ) throws {
        _ = try plan(
            recipients: recipients, passphrases: passphrases, signers: signers, options: options,
            at: options.signatureDate ?? Date())
    }

    /// The keys and algorithms of one message.
    private struct Plan {
        let signers: [DocumentSignatures.Signer]
        let recipientKeys: [KeyComponent]
        /// Nil for a message that is only signed.
        let encryption: AlgorithmNegotiation.Encryption?
    }

    /// The signing keys, the recipient (sub)keys and the negotiated algorithms, or why there
    /// are none.
    private static func plan(
        recipients: [Certificate], passphrases: [String], signers: [SecretKey], options: MessageOptions, at date: Date
    ) throws -> Plan {
        let encrypts = !recipients.isEmpty || !passphrases.isEmpty
        guard encrypts || !signers.isEmpty else {
            throw OpenPGPError(.invalidArgument, "a message needs at least one recipient, passphrase or signer")
        }
        if encrypts, let cipher = options.cipher, cipher.keySize == nil || !cipher.isSupported {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(cipher) is not supported")
        }
        guard options.compression.isSupported else {
            throw OpenPGPError(.unsupportedAlgorithm, "compression algorithm \(options.compression) is not supported")
        }
        guard (0...9).contains(options.compressionLevel) else {
            throw OpenPGPError(.invalidArgument, "compression level must be 0–9, got \(options.compressionLevel)")
        }
        let recipientKeys = try recipients.flatMap { certificate -> [KeyComponent] in
            let usable = certificate.encryptionKeys(at: date)
            guard !usable.isEmpty else {
                throw OpenPGPError(.keyNotUsable, "certificate \(certificate.fingerprint) has no usable encryption key")
            }
            let forCommunication = usable.filter { $0.flags.contains(.encryptCommunications) }
            return forCommunication.isEmpty ? usable : forCommunication
        }
        let negotiation = AlgorithmNegotiation(
            recipients: recipients.map(\.preferences), hasPassphrases: !passphrases.isEmpty,
            writableCiphersuites: { $0.cipher.supportsAEAD($0.mode) },
            writableCipher: \.isSupported)
        let encryption = encrypts ? try negotiation.encryption(options) : nil
        // Checked here, before anything is written, whether AEAD was asked for or negotiated.
        if encryption?.aead != nil { try SEIPDv2Stage.checkChunkSizeExponent(options.aeadChunkSizeExponent) }
        var signingOptions = options
        signingOptions.hash = negotiation.hash(requested: options.hash)
        return Plan(
            signers: try DocumentSignatures.signers(signers, options: signingOptions, at: date),
            recipientKeys: recipientKeys, encryption: encryption)
    }

    /// Adds message data.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "MessageWriter.write after finish")
        try pipeline.write(bytes)
    }

    /// Adds message data.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Completes the message: closes the literal data, appends the signatures (in reverse
    /// order of their one-pass packets) and flushes every stage.
    public func finish() throws {
        precondition(!finished, "MessageWriter.finish called twice")
        finished = true
        try pipeline.finish()
    }
}
