import Foundation

/// Writes an OpenPGP message — signed, compressed, encrypted and armored as asked — from data
/// given in pieces, in bounded memory: `write` as often as needed, then `finish` once.
///
/// The pipeline is literal data → one-pass signatures → compression → SEIPD → armor, each
/// stage streaming into the next with partial body lengths. Text literal data (`.text`,
/// `.utf8`) is stored with CRLF line endings and signed with text signatures (type 0x01).
public final class MessageWriter {
    /// Receives OPS, literal and signature packets: compression, encryption or the output.
    private let container: WriterStage
    private let literal: LiteralDataStage
    private let signers: [(DocumentSignatures.Signer, HashContext)]
    private let signatureTime: UInt32
    private let options: MessageOptions
    private var finished = false

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
        self.options = options
        let now = options.signatureDate ?? Date()
        signatureTime = UInt32(openPGPTimestamp: now)
        let (signingKeys, recipientKeys) = try Self.selectKeys(
            recipients: recipients, encryptsToPassphrase: !passphrases.isEmpty, signers: signers, options: options,
            at: now)

        let armor =
            options.armor
            ? ArmorWriter(type: .message, headers: options.armorHeaders, lineEnding: options.armorLineEnding) : nil
        let sink = try OutputStage(armor: armor, output: output)

        var container: WriterStage = sink
        let cipher = options.cipher ?? .aes128
        if let keySize = cipher.keySize, !recipientKeys.isEmpty || !passphrases.isEmpty {
            let sessionKey = SecureBytes.random(count: keySize)
            for key in recipientKeys {
                let fields = try SessionKeyCrypto.encrypt(
                    sessionKey: sessionKey, cipher: cipher, to: key.packet)
                try sink.write(
                    PacketFraming.packet(
                        tag: .publicKeyEncryptedSessionKey,
                        body: [3] + key.keyID.bytes + [key.algorithm.rawValue] + fields))
            }
            for passphrase in passphrases {
                let body = try SKESK.make(
                    sessionKey: sessionKey, messageCipher: cipher,
                    passphrase: SecureBytes(Array(passphrase.utf8)))
                try sink.write(PacketFraming.packet(tag: .symmetricKeyEncryptedSessionKey, body: body))
            }
            container = try SEIPDv1Stage(algorithm: cipher, sessionKey: sessionKey, next: sink)
        }
        if options.compression != .uncompressed {
            container = try compressionStage(for: options.compression, level: options.compressionLevel, next: container)
        }
        self.container = container

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
        self.signers = hashed
        literal = try LiteralDataStage(
            format: options.literalFormat, fileName: options.fileName, date: options.literalDate,
            hashes: hashed.map(\.1), next: container)
    }

    /// Checks, without writing anything, that a message with these keys and options can be
    /// written now: the same errors `init` would throw.
    public static func validate(
        recipients: [Certificate], passphrases: [String] = [], signers: [SecretKey],
        options: MessageOptions = MessageOptions()
    ) throws {
        _ = try selectKeys(
            recipients: recipients, encryptsToPassphrase: !passphrases.isEmpty, signers: signers, options: options,
            at: options.signatureDate ?? Date())
    }

    /// The signing keys and the recipient (sub)keys to use, or why there are none.
    private static func selectKeys(
        recipients: [Certificate], encryptsToPassphrase: Bool, signers: [SecretKey], options: MessageOptions,
        at date: Date
    ) throws -> ([DocumentSignatures.Signer], [KeyComponent]) {
        let encrypts = !recipients.isEmpty || encryptsToPassphrase
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
        let signingKeys = try DocumentSignatures.signers(signers, options: options, at: date)
        let recipientKeys = try recipients.flatMap { certificate -> [KeyComponent] in
            let usable = certificate.encryptionKeys(at: date)
            guard !usable.isEmpty else {
                throw OpenPGPError(.keyNotUsable, "certificate \(certificate.fingerprint) has no usable encryption key")
            }
            let forCommunication = usable.filter { $0.flags.contains(.encryptCommunications) }
            return forCommunication.isEmpty ? usable : forCommunication
        }
        return (signingKeys, recipientKeys)
    }

    /// Adds message data.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "MessageWriter.write after finish")
        try literal.write(bytes)
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
        try literal.finish()
        let type = DocumentSignatures.type(for: options.literalFormat)
        for (signer, context) in signers.reversed() {
            let signature = try DocumentSignatures.sign(
                with: signer, type: type, creationTime: signatureTime, context: context)
            try container.write(signature.serialized)
        }
        try container.finish()
    }
}
