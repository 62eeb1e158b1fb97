import Foundation
import OpenPGP

/// OpenPGP protection of the message text itself ("inline PGP"), as the PSMTP class writes it:
/// the plain-text body becomes a cleartext signed text or an armored OpenPGP message, and
/// with `processAttachments` (the PSMTP `ProcessAttachments` setting) every attachment is
/// signed or encrypted as a file of its own. Read such messages with ``InlinePGP``.
///
/// Inline PGP protects a plain-text body and file attachments only: the MIME headers of the
/// parts and the top-level headers stay readable and unsigned. A message with an HTML body or
/// a custom MIME body throws `invalidBody` (an HTML alternative would be shown unverified or
/// sent unencrypted); protect those with PGP/MIME (``signed(by:options:)``,
/// ``encrypted(for:passphrases:options:)``).
extension MailMessage {
    /// A copy whose plain-text body is cleartext signed (RFC 9580 §7): the PSMTP `Sign` with
    /// `ClearSignature`. The text stays readable in any mail reader.
    ///
    /// The body part is `text/plain; charset=utf-8`: 7bit for short ASCII lines, otherwise
    /// quoted-printable, so the exact signed bytes arrive. As the cleartext format requires,
    /// trailing spaces and tabs are removed from every line and are not signed, lines
    /// starting with "-" or "From " are dash-escaped, and a final line break is not signed.
    /// A message without a text body signs an empty text.
    ///
    /// With `processAttachments` each attachment is followed by `<name>.sig`
    /// (`application/pgp-signature`), a binary detached signature over the attachment's
    /// bytes as `gpg --detach-sign` makes it; an unnamed attachment is named `attachment<n>`.
    /// File attachments are read now, in bounded memory, to sign them and again when the
    /// message is sent: they must not change in between. Without `processAttachments` a
    /// message with attachments throws `invalidBody`, as they would go unsigned.
    ///
    /// - Parameters:
    ///   - signer: an unlocked secret key; throws `keyNotUsable` if it cannot sign now.
    ///   - options: `hash`, `armorHeaders` (PSMTP `Comment`, `VersionHeader`) and
    ///     `signatureDate` apply.
    ///   - processAttachments: whether to sign each attachment (PSMTP `ProcessAttachments`).
    public func inlineSigned(
        by signer: SecretKey, options: MessageOptions = MessageOptions(), processAttachments: Bool = false
    ) throws -> MailMessage {
        try checkInlineProtectable(processAttachments: processAttachments, action: "signed", mime: "signed(by:)")
        var attachmentOptions = options
        attachmentOptions.armor = false
        attachmentOptions.literalFormat = .binary
        var processed: [Attachment] = []
        for (index, attachment) in attachments.enumerated() {
            let (named, name) = try attachment.inlinePGPNamed(index: index)
            let detachedSigner = try DetachedSigner(signers: [signer], options: attachmentOptions)
            try attachment.forEachInlinePGPChunk { try detachedSigner.write($0) }
            processed.append(named)
            processed.append(
                try Attachment(
                    filename: name + ".sig", data: try detachedSigner.finish(),
                    contentType: ContentType("application/pgp-signature")))
        }
        let text = try OpenPGPMessage.clearSign(textBody ?? "", by: [signer], options: options)
        return withText(text).withAttachments(processed)
    }

    /// A copy whose plain-text body is encrypted for `recipients` and/or `passphrases` as an
    /// armored OpenPGP message (`-----BEGIN PGP MESSAGE-----`): the PSMTP `Encrypt`.
    ///
    /// The body part is `text/plain; charset=utf-8` (mail readers decode the decrypted text
    /// in the part's charset), 7bit. The encrypted plaintext is the text in UTF-8 with CRLF
    /// line breaks; `options.literalFormat` marks it (binary by default).
    ///
    /// With `processAttachments` each attachment is replaced by `<name>.pgp`
    /// (`application/octet-stream`, base64), a binary OpenPGP message whose literal data
    /// carries the original file name, as `gpg --encrypt` makes it. Attachments are encrypted
    /// now and the ciphertext is held in memory (file attachments are read in chunks, but
    /// their ciphertext, about the compressed file size, stays in the message). Without
    /// `processAttachments` a message with attachments throws `invalidBody`: they would be
    /// sent unencrypted.
    ///
    /// - Parameters:
    ///   - recipients: every certificate that must be able to read the message.
    ///   - passphrases: passphrases that can also open it (PSMTP `SymmetricPassphrase`).
    ///   - options: PSMTP `EncryptingAlgorithm` (`cipher`), `CompressionMethod`… Output is
    ///     always armored for the text and binary for attachments.
    ///   - processAttachments: whether to encrypt each attachment (PSMTP `ProcessAttachments`).
    public func inlineEncrypted(
        for recipients: [Certificate], passphrases: [String] = [], options: MessageOptions = MessageOptions(),
        processAttachments: Bool = false
    ) throws -> MailMessage {
        try inlineEncrypted(
            signers: [], recipients: recipients, passphrases: passphrases, options: options,
            processAttachments: processAttachments)
    }

    /// A copy whose plain-text body (and, with `processAttachments`, each attachment) is
    /// signed by `signer` and encrypted for `recipients` and/or `passphrases` in one
    /// OpenPGP message each: the PSMTP `SignAndEncrypt`. See
    /// ``inlineEncrypted(for:passphrases:options:processAttachments:)`` for the format;
    /// `options.hash` and `signatureDate` apply to the signatures.
    public func inlineSignedAndEncrypted(
        by signer: SecretKey, for recipients: [Certificate], passphrases: [String] = [],
        options: MessageOptions = MessageOptions(), processAttachments: Bool = false
    ) throws -> MailMessage {
        try inlineEncrypted(
            signers: [signer], recipients: recipients, passphrases: passphrases, options: options,
            processAttachments: processAttachments)
    }

    private func inlineEncrypted(
        signers: [SecretKey], recipients: [Certificate], passphrases: [String], options: MessageOptions,
        processAttachments: Bool
    ) throws -> MailMessage {
        try checkInlineProtectable(
            processAttachments: processAttachments, action: "unencrypted", mime: "encrypted(for:)")
        guard !recipients.isEmpty || !passphrases.isEmpty else {
            throw MailError(
                .invalidParameter, "inline PGP encryption needs at least one recipient certificate or passphrase")
        }
        var textOptions = options
        textOptions.armor = true
        textOptions.armorLineEnding = .crlf
        try MessageWriter.validate(
            recipients: recipients, passphrases: passphrases, signers: signers, options: textOptions)

        var processed: [Attachment] = []
        for (index, attachment) in attachments.enumerated() {
            let (_, name) = try attachment.inlinePGPNamed(index: index)
            var attachmentOptions = options
            attachmentOptions.armor = false
            attachmentOptions.literalFormat = .binary
            attachmentOptions.fileName = name
            var ciphertext: [UInt8] = []
            let writer = try MessageWriter(
                recipients: recipients, passphrases: passphrases, signers: signers, options: attachmentOptions
            ) { ciphertext += $0 }
            try attachment.forEachInlinePGPChunk { try writer.write($0) }
            try writer.finish()
            processed.append(
                try Attachment(
                    filename: name + ".pgp", data: ciphertext, contentType: ContentType("application/octet-stream")))
        }
        let plaintext = BodyInspection.canonicalLineBreaks(Array((textBody ?? "").utf8))
        let armored = try OpenPGPMessage.encrypt(
            plaintext, for: recipients, passphrases: passphrases, signedBy: signers, options: textOptions)
        return withText(String(decoding: armored, as: UTF8.self)).withAttachments(processed)
    }

    /// Throws `invalidBody` unless the message is a plain-text body with attachments that
    /// are to be processed: inline PGP never sends content it did not protect.
    private func checkInlineProtectable(processAttachments: Bool, action: String, mime: String) throws {
        guard htmlBody == nil, customBody == nil else {
            throw MailError(
                .invalidBody,
                "inline PGP protects a plain-text body only; an HTML or custom MIME body would be \(action): use \(mime) (PGP/MIME)"
            )
        }
        guard attachments.isEmpty || processAttachments else {
            throw MailError(
                .invalidBody,
                "attachments would be sent \(action); pass processAttachments: true or use \(mime) (PGP/MIME)")
        }
    }
}

extension Attachment {
    /// The attachment with a file name (`attachment<index + 1>` when it has none), and that name.
    fileprivate func inlinePGPNamed(index: Int) throws -> (Attachment, String) {
        if let filename { return (self, filename) }
        let name = "attachment\(index + 1)"
        switch source {
        case .data(let bytes):
            return (
                try Attachment(
                    filename: name, data: bytes, contentType: contentType, disposition: disposition,
                    contentID: contentID, description: description), name
            )
        case .file(let url):
            return (
                try Attachment(
                    fileURL: url, filename: name, contentType: contentType, disposition: disposition,
                    contentID: contentID, description: description), name
            )
        }
    }

    /// Hands the content to `body` in pieces: in-memory bytes at once, a file in 64 KiB chunks.
    /// Throws `unreadableAttachment` for a file that cannot be read.
    fileprivate func forEachInlinePGPChunk(_ body: ([UInt8]) throws -> Void) throws {
        switch source {
        case .data(let bytes):
            try body(bytes)
        case .file(let url):
            let reader = try FileChunkReader(url: url)
            while true {
                let chunk = try reader.read(upTo: 1 << 16)
                if chunk.isEmpty { return }
                try body(Array(chunk))
            }
        }
    }
}
