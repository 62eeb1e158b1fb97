import OpenPGP

/// An attachment of an inline PGP message after decryption or signature checking.
public struct InlinePGPAttachment: Sendable {
    /// The file name, without the `.pgp` suffix of an encrypted attachment.
    public let filename: String?
    /// The content: decrypted, or as received when the attachment was not encrypted.
    public let data: [UInt8]
    /// Whether the attachment was an OpenPGP message (`<name>.pgp`) that was decrypted.
    public let wasEncrypted: Bool
    /// The signatures found: those of the `<name>.sig` part that follows it, or those inside
    /// its OpenPGP message. Empty for an attachment nobody signed.
    public let signatures: [SignatureVerification]

    /// Whether at least one signature is good.
    public var hasGoodSignature: Bool { signatures.contains { $0.status == .good } }
}

/// An inline PGP message after decryption or signature checking.
public struct InlinePGPMail: Sendable {
    /// The message as received.
    public let outer: MIMEEntity
    /// The protected text, decrypted or cleartext signed, with LF line breaks. A cleartext
    /// signed text has no trailing whitespace and no final line break (neither is signed).
    public let text: String
    /// Whether the text was an encrypted OpenPGP message.
    public let textWasEncrypted: Bool
    /// The signatures over the text.
    public let textSignatures: [SignatureVerification]
    /// The attachments in order; `.sig` parts that belong to an attachment are not listed.
    public let attachments: [InlinePGPAttachment]

    /// Whether at least one signature over the text is good.
    public var textHasGoodSignature: Bool { textSignatures.contains { $0.status == .good } }
}

/// Reading inline PGP messages, as ``MailMessage/inlineSigned(by:options:processAttachments:)``
/// and ``MailMessage/inlineEncrypted(for:passphrases:options:processAttachments:)`` write
/// them: a `text/plain` body alone or as the first part of a `multipart/mixed`, followed by
/// the attachments.
public enum InlinePGP {
    /// The most `.pgp` attachments ``decrypt(_:using:passphrases:verifyingWith:limits:sessionKeyLimits:)``
    /// decrypts in one message: each may cost public-key and passphrase work.
    public static let maximumEncryptedAttachments = 128

    /// Checks the cleartext signature of the text and the detached signature of every
    /// attachment that is followed by a `<name>.sig` part (`application/pgp-signature`).
    ///
    /// Throws `MailError(.malformedMIME)` when the message has no `text/plain` body, and
    /// `OpenPGPError(.malformedArmor)` when the text is not cleartext signed, or the
    /// `OpenPGPError` of reading a `.sig` part that holds no signature packets. Bad signatures
    /// do not throw: they show in the results' statuses.
    public static func verify(_ rawMessage: [UInt8], with certificates: [Certificate]) throws -> InlinePGPMail {
        let (outer, textPart, others) = try split(rawMessage)
        let verification = try OpenPGPMessage.verifyCleartext(try textPart.decodedBody(), with: certificates)
        var attachments: [InlinePGPAttachment] = []
        var lastIsUnsigned = false
        for part in others {
            if lastIsUnsigned, let previous = attachments.last, let name = previous.filename,
                part.filename == name + ".sig", part.contentType.mimeType == "application/pgp-signature"
            {
                let signatures = try OpenPGPMessage.verifyDetached(
                    try part.decodedBody(), of: previous.data, with: certificates)
                attachments[attachments.count - 1] = InlinePGPAttachment(
                    filename: name, data: previous.data, wasEncrypted: false, signatures: signatures)
                lastIsUnsigned = false
                continue
            }
            attachments.append(
                InlinePGPAttachment(
                    filename: part.filename, data: try part.decodedBody(), wasEncrypted: false, signatures: []))
            lastIsUnsigned = true
        }
        return InlinePGPMail(
            outer: outer, text: text(verification.data, of: textPart), textWasEncrypted: false,
            textSignatures: verification.signatures, attachments: attachments)
    }

    /// Decrypts the text and every `<name>.pgp` attachment, checking their signatures
    /// against `certificates`. Attachments that are not `.pgp` are returned as received,
    /// with `wasEncrypted` false: they were not protected.
    ///
    /// Throws `MailError(.malformedMIME)` when the message has no `text/plain` body or more
    /// than ``maximumEncryptedAttachments`` encrypted attachments, and the `OpenPGPError` of
    /// the first decryption that fails (no plaintext is returned then). The plaintexts are
    /// held in memory: decompression over the whole message, text and attachments together,
    /// is capped by `limits` (256 MiB by default); `sessionKeyLimits` bound the passphrase
    /// and private-key work of each OpenPGP message.
    public static func decrypt(
        _ rawMessage: [UInt8], using secretKeys: [SecretKey], passphrases: [String] = [],
        verifyingWith certificates: [Certificate] = [], limits: DecompressionLimits = .inMemory,
        sessionKeyLimits: SessionKeyLimits = SessionKeyLimits()
    ) throws -> InlinePGPMail {
        let (outer, textPart, others) = try split(rawMessage)
        let encryptedCount = others.filter(isEncryptedAttachment).count
        guard encryptedCount <= maximumEncryptedAttachments else {
            throw MailError(
                .malformedMIME,
                "the message has \(encryptedCount) encrypted attachments, more than \(maximumEncryptedAttachments)")
        }
        var remaining = limits
        func open(_ part: MIMEEntity) throws -> DecryptedMessage {
            let result = try OpenPGPMessage.decrypt(
                try part.decodedBody(), using: secretKeys, passphrases: passphrases, verifyingWith: certificates,
                limits: remaining, sessionKeyLimits: sessionKeyLimits)
            remaining.maxOutputBytes = max(0, remaining.maxOutputBytes - result.data.count)
            return result
        }
        let textResult = try open(textPart)
        var attachments: [InlinePGPAttachment] = []
        for part in others {
            if isEncryptedAttachment(part) {
                let result = try open(part)
                attachments.append(
                    InlinePGPAttachment(
                        filename: part.filename.map { String($0.dropLast(4)) }, data: result.data, wasEncrypted: true,
                        signatures: result.signatures))
            } else {
                attachments.append(
                    InlinePGPAttachment(
                        filename: part.filename, data: try part.decodedBody(), wasEncrypted: false, signatures: []))
            }
        }
        return InlinePGPMail(
            outer: outer, text: text(textResult.data, of: textPart), textWasEncrypted: true,
            textSignatures: textResult.signatures, attachments: attachments)
    }

    /// The message parsed, its text part and the parts after it.
    private static func split(_ rawMessage: [UInt8]) throws -> (MIMEEntity, MIMEEntity, ArraySlice<MIMEEntity>) {
        let outer = try MIMEEntity.parse(rawMessage)
        if outer.contentType.mimeType == "text/plain" { return (outer, outer, []) }
        guard outer.contentType.mimeType == "multipart/mixed", let first = outer.children.first,
            first.contentType.mimeType == "text/plain"
        else {
            throw MailError(
                .malformedMIME,
                "not an inline PGP message: no text/plain body (Content-Type \(outer.contentType.mimeType))")
        }
        return (outer, first, outer.children.dropFirst())
    }

    /// Whether `part` is an attachment encrypted as a file of its own (`<name>.pgp`).
    private static func isEncryptedAttachment(_ part: MIMEEntity) -> Bool {
        guard let name = part.filename, name.count > 4 else { return false }
        return name.lowercased().hasSuffix(".pgp")
    }

    /// `bytes` decoded in the charset of `part` (UTF-8 when unknown), CRLF made LF.
    private static func text(_ bytes: [UInt8], of part: MIMEEntity) -> String {
        var lf: [UInt8] = []
        lf.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if byte == ASCII.cr && index + 1 < bytes.count && bytes[index + 1] == ASCII.lf { continue }
            lf.append(byte)
        }
        let charset = part.contentType[parameter: "charset"].flatMap(Charset.init(name:)) ?? .utf8
        return charset.decode(lf)
    }
}
