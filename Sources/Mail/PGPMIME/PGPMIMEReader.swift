import OpenPGP

/// A PGP/MIME message after decryption: the outer message, the decrypted inner entity
/// and what OpenPGP found out (signatures, algorithms).
public struct DecryptedMail: Sendable {
    /// The message as received (top-level headers, multipart/encrypted body).
    public let outer: MIMEEntity
    /// The decrypted MIME entity that was protected: text, HTML, attachments.
    public let inner: MIMEEntity
    /// The OpenPGP result: signatures, cipher, compression, decryption key.
    public let openPGP: DecryptedMessage

    /// The header fields protected inside the encryption (RFC 9788 `hp`, or the older
    /// `protected-headers="v1"`), in order, without `HP-Outer` records; nil when the message
    /// has no header protection. Where present they, not the outer ones, are the message's
    /// real headers (the outer Subject may be `[...]`).
    public var protectedHeaders: [MIMEEntity.Header]? { ProtectedHeaders.fields(of: inner) }

    /// The protected Subject, decoded; nil without header protection or Subject.
    public var protectedSubject: String? {
        protectedHeaders?.last { ASCII.caseInsensitiveEquals($0.name, "Subject") }?.decodedValue
    }

    /// What the sender said the outer header fields were (`HP-Outer`, RFC 9788 §2.2), as
    /// `Name: value` strings; empty without them.
    public var outerHeaderRecords: [String] {
        guard protectedHeaders != nil else { return [] }
        return inner.headers(named: ProtectedHeaders.outerRecordName).map(\.decodedValue)
    }
}

/// Reading PGP/MIME messages (RFC 3156).
public enum PGPMIME {
    /// Decrypts a received `multipart/encrypted` message and checks its signatures.
    ///
    /// Throws `MailError(.malformedMIME)` when the message is not PGP/MIME encrypted, and
    /// the `OpenPGPError` of the decryption (no plaintext is returned on an integrity failure).
    /// The decrypted entity is held in memory: decompression is capped by `limits`, 256 MiB
    /// over all compression layers by default (`DecompressionLimits.inMemory`); beyond it the
    /// error is `OpenPGPError(.decompressionLimitExceeded)`. `sessionKeyLimits` bound the
    /// passphrase and private-key work the message may ask for (`workLimitExceeded`).
    public static func decrypt(
        _ rawMessage: [UInt8], using secretKeys: [SecretKey], passphrases: [String] = [],
        verifyingWith certificates: [Certificate] = [], limits: DecompressionLimits = .inMemory,
        sessionKeyLimits: SessionKeyLimits = SessionKeyLimits()
    ) throws -> DecryptedMail {
        let outer = try twoPartEntity(
            rawMessage, subtype: "encrypted", protocol: "application/pgp-encrypted", protocolPart: 0)
        let result = try OpenPGPMessage.decrypt(
            try outer.children[1].decodedBody(), using: secretKeys, passphrases: passphrases,
            verifyingWith: certificates,
            limits: limits, sessionKeyLimits: sessionKeyLimits)
        return DecryptedMail(outer: outer, inner: try MIMEEntity.parse(result.data), openPGP: result)
    }

    /// `rawMessage` parsed, if it is `multipart/<subtype>` with the given `protocol`
    /// parameter and two parts, the one at `protocolPart` of the protocol's type (RFC 3156).
    static func twoPartEntity(
        _ rawMessage: [UInt8], subtype: String, protocol type: String, protocolPart: Int
    ) throws -> MIMEEntity {
        let outer = try MIMEEntity.parse(rawMessage)
        guard outer.contentType.mimeType == "multipart/\(subtype)",
            outer.contentType[parameter: "protocol"]?.lowercased() == type
        else {
            throw MailError(
                .malformedMIME, "not a PGP/MIME \(subtype) message (Content-Type \(outer.contentType.mimeType))")
        }
        guard outer.children.count == 2, outer.children[protocolPart].contentType.mimeType == type else {
            throw MailError(
                .malformedMIME, "a PGP/MIME \(subtype) message has two parts, part \(protocolPart + 1) of type \(type)")
        }
        return outer
    }
}
