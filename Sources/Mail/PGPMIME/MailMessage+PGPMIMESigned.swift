import Foundation
import OpenPGP

/// OpenPGP signatures of whole messages as PGP/MIME (RFC 3156 §5).
extension MailMessage {
    /// A copy whose body is signed by `signer` as
    /// `multipart/signed; micalg=pgp-<hash>; protocol="application/pgp-signature"`: the
    /// PSMTP `Sign`. The first part is the message's MIME body (text, HTML, attachments), the
    /// second an `application/pgp-signature` part with the armored detached signature over
    /// that part's exact bytes. The top-level headers are not signed, but with
    /// `headerProtection` `.default` (RFC 9788, `hp="clear"`) a copy of them is, inside the
    /// signed part (not when a header field needs SMTPUTF8, as signed content is 7-bit).
    ///
    /// The signed part must be 7-bit without trailing whitespace or "From " lines, so that no
    /// relay can change it (RFC 3156 §3). The body built from text, HTML and attachments always
    /// is (quoted-printable or base64 where needed); a custom body that is not throws
    /// `invalidBody`.
    ///
    /// A body held in memory is rendered now and sent as those same bytes. A body with file
    /// attachments is rendered twice in bounded memory, now to sign it and again when sent
    /// (the files must not change in between); the signed part keeps the header folding it
    /// was signed with under any render options.
    ///
    /// - Parameters:
    ///   - signer: an unlocked secret key; throws `keyNotUsable` if it cannot sign now.
    ///   - options: the PSMTP `SigningAlgorithm` (`hash`), `Comment`/`VersionHeader`
    ///     (`armorHeaders`) and `signatureDate`; `literalFormat` `.text` makes a text
    ///     signature. The signature is always armored with CRLF line endings.
    ///   - headerProtection: `.default` copies the header fields into the signed part
    ///     (RFC 9788); `.none` signs the body alone.
    public func signed(
        by signer: SecretKey, options: MessageOptions = MessageOptions(), headerProtection: HeaderProtection = .default
    ) throws -> MailMessage {
        var options = options
        options.armor = true
        options.armorLineEnding = .crlf
        let detachedSigner = try DetachedSigner(signers: [signer], options: options)
        // The hash actually used: a DSA or ECDSA key may need a longer one than asked for.
        guard let hash = detachedSigner.hashAlgorithms.first else {
            throw OpenPGPError(.invalidArgument, "a signed message needs a signer")
        }
        guard let hashName = hash.textName else {
            throw OpenPGPError(.unsupportedAlgorithm, "hash algorithm \(hash) has no micalg name")
        }
        let inner = try signedPayload(headerProtection)
        var check = SignableContentCheck()
        let signedPart: MIMEPart
        if inner.contains(\.isFile) && !inner.contains(\.isStream) {
            var renderer = MIMERenderer(part: inner)
            while let chunk = try renderer.nextChunk() {
                try check.check(chunk)
                try detachedSigner.write(chunk)
            }
            // Rendered again when sent: with the folding width it was signed with, whatever
            // the options of that render.
            signedPart = inner.fixingHeaderLineLength(MIMERenderingOptions.default.maxHeaderLineLength)
        } else {
            let bytes = try inner.renderedBytes()
            try check.check(bytes)
            try detachedSigner.write(bytes)
            signedPart = try MIMEPart(renderedEntity: bytes)
        }
        let signaturePart = try MIMEPart.preEncoded(
            try detachedSigner.finish(),
            contentType: ContentType("application/pgp-signature", parameters: ["name": "OpenPGP_signature.asc"]),
            transferEncoding: .sevenBit
        )
        .withDescription("OpenPGP digital signature")
        .withDisposition(ContentDisposition(.attachment, filename: "OpenPGP_signature.asc"))
        let body = try MIMEPart.multipart(
            "signed",
            parameters: [
                try MIMEParameter("micalg", "pgp-" + hashName.lowercased()),
                try MIMEParameter("protocol", "application/pgp-signature"),
            ],
            parts: [signedPart, signaturePart])
        return withMIMEBody(body)
    }
}

extension MailMessage {
    /// The part to sign: the MIME body, with the protected header fields if asked for and
    /// possible (signed content must be 7-bit, so not with SMTPUTF8 header fields).
    fileprivate func signedPayload(_ headerProtection: HeaderProtection) throws -> MIMEPart {
        let headers = topLevelHeaders()
        let body = try mimeTree()
        guard headerProtection == .default && body.canCarryProtectedHeaders && !headers.requiresSMTPUTF8 else {
            return body
        }
        return try ProtectedHeaders.payload(body, protecting: headers, outerHeaders: nil)
    }
}

extension MIMEPart {
    /// Whether this part or any descendant satisfies `predicate`.
    fileprivate func contains(_ predicate: (MIMEBody) -> Bool) -> Bool {
        predicate(body) || parts.contains { $0.contains(predicate) }
    }
}

extension MIMEBody {
    fileprivate var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    fileprivate var isStream: Bool {
        if case .stream = self { return true }
        return false
    }
}

/// Checks, as the rendered bytes pass, that signed content survives transport unchanged
/// (RFC 3156 §3): 7-bit only, no whitespace before a line break, no line starting "From ".
private struct SignableContentCheck {
    private static let from = Array("From ".utf8)
    private var lineStart: [UInt8] = []
    private var lastContentByte: UInt8 = ASCII.lf
    private var offset = 0

    mutating func check(_ bytes: [UInt8]) throws {
        for byte in bytes {
            defer { offset += 1 }
            if byte >= 0x80 {
                throw MailError(
                    .invalidBody, "signed content must be 7-bit (RFC 3156 §3); use quoted-printable or base64",
                    offset: offset)
            }
            switch byte {
            case ASCII.cr:
                continue
            case ASCII.lf:
                if ASCII.isWSP(lastContentByte) {
                    throw MailError(
                        .invalidBody, "signed content must not have trailing whitespace (RFC 3156 §3)", offset: offset)
                }
                lineStart.removeAll(keepingCapacity: true)
            default:
                if lineStart.count < Self.from.count {
                    lineStart.append(byte)
                    if lineStart == Self.from {
                        throw MailError(
                            .invalidBody, "signed content must not have a line starting with \"From \" (RFC 3156 §3)",
                            offset: offset)
                    }
                }
            }
            lastContentByte = byte
        }
    }
}
