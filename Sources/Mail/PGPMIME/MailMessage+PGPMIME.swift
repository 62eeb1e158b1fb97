import Foundation
import OpenPGP

/// OpenPGP protection of whole messages as PGP/MIME (RFC 3156).
extension MailMessage {
    /// A copy whose body is signed by `signer` and encrypted for `recipients` in one pass
    /// (RFC 3156 §6.2): `multipart/encrypted; protocol="application/pgp-encrypted"`.
    ///
    /// The encrypted entity is the message's MIME body (text, HTML, attachments); the
    /// top-level headers stay readable, as transport needs them, except what header
    /// protection hides (see `HeaderProtection`). Keys are checked now, so a
    /// signer without a usable signing key or a recipient without an encryption key throws
    /// here; encryption itself runs while the message is rendered, streaming attachments
    /// through the OpenPGP writer. Each render yields a fresh ciphertext.
    ///
    /// - Parameters:
    ///   - signer: an unlocked secret key.
    ///   - recipients: every certificate that must be able to read the message (add the
    ///     sender's own to keep a readable copy).
    ///   - passphrases: passphrases that can also open it (the PSMTP `SymmetricPassphrase`).
    ///   - options: the PSMTP `EncryptingAlgorithm`, `SigningAlgorithm`, `CompressionMethod`…
    ///   - headerProtection: `.default` protects the header fields and obscures the outer
    ///     Subject as `[...]` (RFC 9788); `.none` encrypts the body alone.
    ///   - autocryptGossip: certificates of other To/Cc recipients to hand on inside the
    ///     encrypted part as `Autocrypt-Gossip` fields (Autocrypt Level 1 §2.7).
    ///
    /// Throws `invalidParameter` when the message has Bcc recipients whose certificates are
    /// among `recipients` while it also has To or Cc recipients: every reader could see the
    /// Bcc recipients' key IDs. Use `encryptedDeliveries(recipientCertificates:…)` instead.
    public func signedAndEncrypted(
        by signer: SecretKey, for recipients: [Certificate], passphrases: [String] = [],
        options: MessageOptions = MessageOptions(), headerProtection: HeaderProtection = .default,
        autocryptGossip: [Certificate] = []
    ) throws -> MailMessage {
        try pgpEncrypted(
            signers: [signer], recipients: recipients, passphrases: passphrases, options: options,
            headerProtection: headerProtection, autocryptGossip: autocryptGossip)
    }

    /// A copy whose body is encrypted (not signed) for `recipients` and/or `passphrases` as
    /// PGP/MIME. The parameters and errors are those of `signedAndEncrypted(by:for:…)`.
    public func encrypted(
        for recipients: [Certificate], passphrases: [String] = [], options: MessageOptions = MessageOptions(),
        headerProtection: HeaderProtection = .default, autocryptGossip: [Certificate] = []
    ) throws -> MailMessage {
        try pgpEncrypted(
            signers: [], recipients: recipients, passphrases: passphrases, options: options,
            headerProtection: headerProtection, autocryptGossip: autocryptGossip)
    }

    private func pgpEncrypted(
        signers: [SecretKey], recipients: [Certificate], passphrases: [String], options: MessageOptions,
        headerProtection: HeaderProtection, autocryptGossip: [Certificate]
    ) throws -> MailMessage {
        guard !recipients.isEmpty || !passphrases.isEmpty else {
            throw MailError(
                .invalidParameter, "PGP/MIME encryption needs at least one recipient certificate or passphrase")
        }
        try checkBccPrivacy(of: recipients)
        var options = options
        options.armor = true
        options.armorLineEnding = .crlf
        try MessageWriter.validate(recipients: recipients, passphrases: passphrases, signers: signers, options: options)

        var payload = try mimeTree()
        var outer = self
        if headerProtection == .default && payload.canCarryProtectedHeaders {
            outer = obscuredForEncryption()
            payload = try ProtectedHeaders.payload(
                payload, protecting: topLevelHeaders(), outerHeaders: outer.topLevelHeaders())
        }
        for field in try autocryptGossipFields(for: autocryptGossip) { payload = try payload.addingHeader(field) }
        let inner = payload
        let frozenOptions = options
        let ciphertext = MIMEBodyStream {
            try EncryptingByteSource(
                inner: inner, recipients: recipients, passphrases: passphrases, signers: signers, options: frozenOptions
            )
        }
        let versionPart = try MIMEPart.preEncoded(
            Array("Version: 1\r\n".utf8), contentType: ContentType("application/pgp-encrypted"),
            transferEncoding: .sevenBit
        ).withDescription("PGP/MIME version identification")
        let encryptedPart = try MIMEPart.stream(
            ciphertext, contentType: ContentType("application/octet-stream", parameters: ["name": "encrypted.asc"]),
            transferEncoding: .sevenBit
        )
        .withDescription("OpenPGP encrypted message")
        .withDisposition(ContentDisposition(.inline, filename: "encrypted.asc"))
        let body = try MIMEPart.multipart(
            "encrypted", parameters: [try MIMEParameter("protocol", "application/pgp-encrypted")],
            parts: [versionPart, encryptedPart])
        return outer.withMIMEBody(body)
    }
}

/// Pulls the inner entity from its renderer, pushes it through the OpenPGP writer and hands
/// out the armored ciphertext as it appears: one pass, bounded memory.
private struct EncryptingByteSource: MIMEByteSource {
    private var renderer: MIMERenderer
    private let writer: MessageWriter
    private let output: OutputBuffer
    private var finished = false

    init(
        inner: MIMEPart, recipients: [Certificate], passphrases: [String], signers: [SecretKey], options: MessageOptions
    ) throws {
        renderer = MIMERenderer(part: inner)
        let output = OutputBuffer()
        self.output = output
        writer = try MessageWriter(recipients: recipients, passphrases: passphrases, signers: signers, options: options)
        {
            output.bytes += $0
        }
    }

    mutating func nextChunk() throws -> [UInt8]? {
        while output.bytes.isEmpty && !finished {
            if let chunk = try renderer.nextChunk() {
                try writer.write(chunk)
            } else {
                try writer.finish()
                finished = true
            }
        }
        guard !output.bytes.isEmpty else { return nil }
        defer { output.bytes.removeAll(keepingCapacity: true) }
        return output.bytes
    }
}

/// Where the writer's output collects between two pulls (a class: the writer's output
/// closure and the source both reach it).
private final class OutputBuffer {
    var bytes: [UInt8] = []
}
