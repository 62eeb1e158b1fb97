/// One-call message operations on in-memory data; thin layers over ``MessageWriter`` and
/// the message reader.
public enum OpenPGPMessage {
    /// Encrypts (and, with signers, signs) `data` for `recipients`.
    public static func encrypt(
        _ data: [UInt8], for recipients: [Certificate], signedBy signers: [SecretKey] = [],
        options: MessageOptions = MessageOptions()
    ) throws -> [UInt8] {
        guard !recipients.isEmpty else { throw OpenPGPError(.invalidArgument, "encrypting needs at least one recipient") }
        return try write(data, recipients: recipients, signers: signers, options: options)
    }

    /// Signs `data` into an inline-signed (one-pass) message, compressed as `options` say.
    public static func sign(_ data: [UInt8], by signers: [SecretKey], options: MessageOptions = MessageOptions()) throws -> [UInt8] {
        guard !signers.isEmpty else { throw OpenPGPError(.invalidArgument, "signing needs at least one key") }
        return try write(data, recipients: [], signers: signers, options: options)
    }

    /// Decrypts (when encrypted) and reads `message`, checking its signatures against
    /// `certificates`. Throws before returning any plaintext that failed integrity checks.
    public static func decrypt(
        _ message: [UInt8], using secretKeys: [SecretKey], verifyingWith certificates: [Certificate] = [],
        limits: DecompressionLimits = DecompressionLimits()
    ) throws -> DecryptedMessage {
        try MessageReader(secretKeys: secretKeys, certificates: certificates, limits: limits).read(message)
    }

    private static func write(_ data: [UInt8], recipients: [Certificate], signers: [SecretKey], options: MessageOptions) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try MessageWriter(recipients: recipients, signers: signers, options: options) { output += $0 }
        try writer.write(data)
        try writer.finish()
        return output
    }
}
