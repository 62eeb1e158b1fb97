import Foundation

extension RenderedMessage {
    /// A copy with a `DKIM-Signature` field (RFC 6376) by `signer` placed before the header
    /// block; nothing else changes. Sign last: the signature covers these exact bytes, so a
    /// PGP/MIME message is signed with its final ciphertext.
    ///
    /// - Throws: The `MailError` of ``DKIMSigner/signatureField(for:at:)``: no or several From
    ///   fields, bare line breaks.
    public func dkimSigned(by signer: DKIMSigner, at date: Date = Date()) throws -> RenderedMessage {
        try prepending(headerField: try signer.signatureField(for: bytes, at: date))
    }

    /// A copy DKIM-signed for `domain` with the key published under `selector`, with the
    /// default signed headers (From, Subject and To oversigned) and relaxed/relaxed
    /// canonicalization. See ``dkimSigned(by:at:)``.
    public func dkimSigned(domain: String, selector: String, key: DKIMKey) throws -> RenderedMessage {
        try dkimSigned(by: try DKIMSigner(domain: domain, selector: selector, key: key))
    }
}
