import Foundation

/// Message operations: in-memory conveniences and streaming forms, all on the same
/// ``MessageWriter`` and streaming reader.
public enum OpenPGPMessage {
    /// Encrypts (and, with signers, signs) `data` for `recipients` and/or `passphrases`.
    public static func encrypt(
        _ data: [UInt8], for recipients: [Certificate], passphrases: [String] = [], signedBy signers: [SecretKey] = [],
        options: MessageOptions = MessageOptions()
    ) throws -> [UInt8] {
        guard !recipients.isEmpty || !passphrases.isEmpty else {
            throw OpenPGPError(.invalidArgument, "encrypting needs at least one recipient or passphrase")
        }
        return try write(data, recipients: recipients, passphrases: passphrases, signers: signers, options: options)
    }

    /// Signs `data` into an inline-signed (one-pass) message, compressed as `options` say.
    public static func sign(
        _ data: [UInt8], by signers: [SecretKey], options: MessageOptions = MessageOptions()
    ) throws -> [UInt8] {
        guard !signers.isEmpty else { throw OpenPGPError(.invalidArgument, "signing needs at least one key") }
        return try write(data, recipients: [], passphrases: [], signers: signers, options: options)
    }

    /// Decrypts (when encrypted) and reads `message` — armored or binary — checking its
    /// signatures against `certificates`. Throws, returning nothing, when the encrypted data
    /// fails its integrity check.
    ///
    /// The plaintext is held in memory, so decompression is capped at
    /// ``DecompressionLimits/inMemory`` (256 MiB) unless `limits` say otherwise; beyond it the
    /// read fails with `decompressionLimitExceeded`. `sessionKeyLimits` bound the SKESK
    /// packets and S2K work that passphrases may cost.
    public static func decrypt(
        _ message: [UInt8], using secretKeys: [SecretKey], passphrases: [String] = [],
        verifyingWith certificates: [Certificate] = [], limits: DecompressionLimits = .inMemory,
        sessionKeyLimits: SessionKeyLimits = SessionKeyLimits()
    ) throws -> DecryptedMessage {
        let sink = MemoryPlaintextSink()
        let report = try decrypt(
            from: ArrayByteSource(message), to: sink, using: secretKeys, passphrases: passphrases,
            verifyingWith: certificates, limits: limits, sessionKeyLimits: sessionKeyLimits)
        return DecryptedMessage(data: sink.data ?? [], report: report)
    }

    /// Reads a message from `source` into `sink` in one pass and bounded memory. The sink is
    /// committed only if every integrity check passed and discarded otherwise.
    ///
    /// - Parameters:
    ///   - sessionKeys: session keys to decrypt with instead of keys or passphrases.
    ///   - revealSessionKey: whether the report should carry the session key.
    ///   - limits: decompression limits over the whole message; ``DecompressionLimits/streaming``
    ///     (4 GiB) by default. Pass ``DecompressionLimits/inMemory`` with a ``MemoryPlaintextSink``.
    ///   - sessionKeyLimits: bounds on the SKESK packets and S2K work passphrases may cost.
    public static func decrypt(
        from source: ByteSource, to sink: PlaintextSink, using secretKeys: [SecretKey], passphrases: [String] = [],
        sessionKeys: [SessionKey] = [], revealSessionKey: Bool = false,
        verifyingWith certificates: [Certificate] = [], limits: DecompressionLimits = .streaming,
        sessionKeyLimits: SessionKeyLimits = SessionKeyLimits()
    ) throws -> MessageReadReport {
        var reader = MessageReader(
            secretKeys: secretKeys, passphrases: passphrases.map { SecureBytes(Array($0.utf8)) },
            certificates: certificates, limits: limits)
        reader.sessionKeys = sessionKeys
        reader.revealSessionKey = revealSessionKey
        reader.sessionKeyLimits = sessionKeyLimits
        return try reader.read(from: source, to: sink)
    }

    /// Writes a message for everything `source` yields into `output`, in bounded memory.
    public static func write(
        from source: ByteSource, to output: @escaping (UnsafeRawBufferPointer) throws -> Void,
        recipients: [Certificate],
        passphrases: [String] = [], signers: [SecretKey] = [], options: MessageOptions = MessageOptions()
    ) throws {
        let writer = try MessageWriter(
            recipients: recipients, passphrases: passphrases, signers: signers, options: options, output: output)
        try source.forEachChunk { try writer.write($0) }
        try writer.finish()
    }

    private static func write(
        _ data: [UInt8], recipients: [Certificate], passphrases: [String], signers: [SecretKey], options: MessageOptions
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try MessageWriter(
            recipients: recipients, passphrases: passphrases, signers: signers, options: options
        ) { output += $0 }
        try writer.write(data)
        try writer.finish()
        return output
    }
}
