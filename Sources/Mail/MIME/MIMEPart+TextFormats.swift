extension MIMEPart {
    /// A `text/plain; charset=<charset>` part, written as RFC 3676 `format=flowed` (with
    /// `delsp=yes` when asked) or as it is for `.fixed`.
    ///
    /// The transfer encoding is 7bit for ASCII with short lines and no trailing whitespace,
    /// quoted-printable otherwise; quoted-printable writes the trailing space of every soft
    /// break as `=20`, so transport cannot strip it. Throws `unencodableText` if the charset
    /// cannot represent the text.
    public static func plainText(_ text: String, charset: Charset = .utf8, format: TextFormat) throws -> MIMEPart {
        var parameters = [MIMEParameter(validatedName: "charset", value: charset.name)]
        var body = text
        if case .flowed(let delSp) = format {
            body = FlowedText.encode(text, delSp: delSp)
            parameters.append(MIMEParameter(validatedName: "format", value: "flowed"))
            if delSp { parameters.append(MIMEParameter(validatedName: "delsp", value: "yes")) }
        }
        let contentType = ContentType(validatedType: "text", subtype: "plain", parameters: parameters)
        return try textPart(body, contentType: contentType, charset: charset)
    }

    /// A text part of any `text/*` type, e.g. `text/calendar; method=REQUEST`. The charset
    /// is taken from the type's `charset` parameter (UTF-8, added to the type, if absent).
    ///
    /// Throws `invalidParameter` for a type that is not `text/*` or a charset this library
    /// cannot write, `unencodableText` if the charset cannot represent the text.
    public static func text(_ text: String, contentType: ContentType) throws -> MIMEPart {
        guard contentType.isText else {
            throw MailError(.invalidParameter, "a text part needs a text/* type", input: contentType.mimeType)
        }
        var type = contentType
        let charset: Charset
        if let name = contentType[parameter: "charset"] {
            guard let known = Charset(name: name) else {
                throw MailError(.invalidParameter, "unsupported charset", header: "Content-Type", input: name)
            }
            charset = known
        } else {
            charset = .utf8
            type = try type.setting("charset", to: charset.name)
        }
        return try textPart(text, contentType: type, charset: charset)
    }

    private static func textPart(_ text: String, contentType: ContentType, charset: Charset) throws -> MIMEPart {
        let facts = BodyInspection.TextFacts(try charset.encode(text))
        let encoding: TransferEncoding = facts.isPlain7Bit ? .sevenBit : .quotedPrintable
        return MIMEPart(contentType: contentType, transferEncoding: encoding, body: .text(text, charset: charset))
    }
}
