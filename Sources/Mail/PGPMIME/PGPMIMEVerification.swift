import OpenPGP

/// A PGP/MIME signed message after checking its signatures.
public struct VerifiedMail: Sendable {
    /// The message as received (top-level headers, multipart/signed body).
    public let outer: MIMEEntity
    /// The signed entity, the first part: text, HTML, attachments.
    public let signed: MIMEEntity
    /// One result per signature in the `application/pgp-signature` part, in order.
    public let signatures: [SignatureVerification]

    /// The header fields protected by the signature (RFC 9788 `hp="clear"`, or the older
    /// `protected-headers="v1"`), in order; nil when the signed part carries none.
    public var protectedHeaders: [MIMEEntity.Header]? { ProtectedHeaders.fields(of: signed) }

    /// Whether at least one signature is good.
    public var hasGoodSignature: Bool { signatures.contains { $0.status == .good } }
}

extension PGPMIME {
    /// Checks the signatures of a received `multipart/signed` message (RFC 3156 §5) against
    /// `certificates`. The first part is checked byte for byte as received, with its line
    /// breaks made CRLF (mail stores often keep LF).
    ///
    /// Throws `MailError(.malformedMIME)` when the message is not PGP/MIME signed, and the
    /// `OpenPGPError` of reading the signature part when it holds no signature packets.
    public static func verify(_ rawMessage: [UInt8], with certificates: [Certificate]) throws -> VerifiedMail {
        let outer = try twoPartEntity(
            rawMessage, subtype: "signed", protocol: "application/pgp-signature", protocolPart: 1)
        let signedBytes = BodyInspection.canonicalLineBreaks(Array(outer.children[0].rawBytes))
        let signatures = try OpenPGPMessage.verifyDetached(
            try outer.children[1].decodedBody(), of: signedBytes, with: certificates)
        return VerifiedMail(outer: outer, signed: outer.children[0], signatures: signatures)
    }
}
