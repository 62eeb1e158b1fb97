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
}

/// Reading PGP/MIME messages (RFC 3156).
public enum PGPMIME {
    /// Decrypts a received `multipart/encrypted` message and checks its signatures.
    ///
    /// Throws `MailError(.malformedMIME)` when the message is not PGP/MIME encrypted, and
    /// the `OpenPGPError` of the decryption (no plaintext is returned on an integrity failure).
    public static func decrypt(
        _ rawMessage: [UInt8], using secretKeys: [SecretKey], passphrases: [String] = [],
        verifyingWith certificates: [Certificate] = []
    ) throws -> DecryptedMail {
        let outer = try MIMEEntity.parse(rawMessage)
        guard outer.contentType.mimeType == "multipart/encrypted",
            outer.contentType[parameter: "protocol"]?.lowercased() == "application/pgp-encrypted"
        else {
            throw MailError(.malformedMIME, "not a PGP/MIME encrypted message (Content-Type \(outer.contentType.mimeType))")
        }
        guard outer.children.count == 2, outer.children[0].contentType.mimeType == "application/pgp-encrypted" else {
            throw MailError(.malformedMIME, "a PGP/MIME encrypted message has a version part and a data part")
        }
        let result = try OpenPGPMessage.decrypt(
            try outer.children[1].decodedBody(), using: secretKeys, passphrases: passphrases, verifyingWith: certificates)
        return DecryptedMail(outer: outer, inner: try MIMEEntity.parse(result.data), openPGP: result)
    }
}
