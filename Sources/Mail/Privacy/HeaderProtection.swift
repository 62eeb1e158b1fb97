/// Whether PGP/MIME signing and encryption protect the message's header fields
/// (RFC 9788, "Header Protection for Cryptographically Protected Email").
///
/// With protection the cryptographic payload (the MIME part that is signed or encrypted)
/// carries a copy of every non-structural top-level header field (Subject, From, To, Cc,
/// Reply-To, Date, Message-ID, In-Reply-To, References, extra headers…; never Bcc) and its
/// Content-Type gets `hp="clear"` (signed only) or `hp="cipher"` (encrypted), plus
/// `protected-headers="v1"`, the older draft form Thunderbird, K-9 and notmuch read.
///
/// An encrypted message then follows RFC 9788's `hcp_baseline` confidentiality policy: the
/// outer Subject becomes `[...]`, Comments and Keywords fields are left out of the outer
/// header section, everything else (From, To, Cc, Date, Message-ID…) stays readable for
/// transport, and the inner part records each outer field in an `HP-Outer` field
/// (RFC 9788 §2.2). No Legacy Display Element is added: RFC 9788 makes it optional and
/// readers that understand header protection do not need it. A custom body that is a
/// pre-rendered entity (`MIMEPart(renderedEntity:)`) cannot take header fields and is
/// protected without them, as is a signed-only message with a header field that needs
/// SMTPUTF8 (signed content must be 7-bit).
public enum HeaderProtection: Sendable, Hashable {
    /// No header protection: the payload is the body alone (RFC 3156 as before).
    case none
    /// RFC 9788 header protection with the `hcp_baseline` policy when encrypting.
    case `default`
}

/// RFC 9788 values and the construction of a protected cryptographic payload.
enum ProtectedHeaders {
    /// The text an obscured outer Subject gets (RFC 9788 `hcp_baseline`).
    static let obscuredSubject = "[...]"
    /// Outer fields `hcp_baseline` removes entirely.
    static let removedFromOuter = ["Comments", "Keywords"]
    /// The name of the field recording an outer header field inside (RFC 9788 §2.2).
    static let outerRecordName = "HP-Outer"

    /// Whether `name` is a structural field (RFC 9788 §1.1: `Content-*`, `MIME-Version`),
    /// which is never copied as a protected header.
    static func isStructural(_ name: String) -> Bool {
        ASCII.caseInsensitiveEquals(name, "MIME-Version")
            || (name.utf8.count >= 8 && ASCII.caseInsensitiveEquals(name.prefix(8), "Content-"))
    }

    /// `payload` with the protected header fields of `headers` (the message's top-level
    /// fields) and, for an encrypted payload, an `HP-Outer` record of each field of
    /// `outerHeaders`. Throws `preRenderedEntity` when `payload` is a pre-rendered entity,
    /// whose header fields cannot be changed.
    static func payload(
        _ payload: MIMEPart, protecting headers: MessageHeaders, outerHeaders: MessageHeaders?
    ) throws -> MIMEPart {
        var part = payload
        for field in headers where !isStructural(field.name) {
            part = try part.addingHeader(field)
        }
        if let outerHeaders {
            for field in outerHeaders where !isStructural(field.name) {
                part = try part.addingHeader(
                    HeaderField(validatedName: outerRecordName, content: .structured(try outerRecord(of: field))))
            }
        }
        let contentType = try part.contentType
            .setting("hp", to: outerHeaders == nil ? "clear" : "cipher")
            .setting("protected-headers", to: "v1")
        return MIMEPart(
            contentType: contentType, transferEncoding: part.transferEncoding, body: part.body,
            disposition: part.disposition, contentID: part.contentID, contentDescription: part.contentDescription,
            otherHeaders: part.otherHeaders)
    }

    /// `Name: value` of `field` as the outer header section carries it (encoded-words and
    /// all), unfolded: the value of its `HP-Outer` record.
    private static func outerRecord(of field: HeaderField) throws -> String {
        String(decoding: try field.rendered().filter { $0 != ASCII.cr && $0 != ASCII.lf }, as: UTF8.self)
    }

    /// The header fields `entity` protects, if its Content-Type marks it as a protected
    /// payload (`hp` or `protected-headers="v1"`): its non-structural fields without
    /// `HP-Outer`, in order.
    static func fields(of entity: MIMEEntity) -> [MIMEEntity.Header]? {
        let type = entity.contentType
        guard type[parameter: "hp"] != nil || type[parameter: "protected-headers"]?.lowercased() == "v1" else {
            return nil
        }
        return entity.headers.filter {
            !isStructural($0.name) && !ASCII.caseInsensitiveEquals($0.name, outerRecordName)
        }
    }
}

extension MIMEPart {
    /// Whether header fields can be added: not a pre-rendered entity. A message whose body
    /// is one is signed or encrypted without header protection.
    var canCarryProtectedHeaders: Bool {
        if case .renderedEntity = body { return false }
        return true
    }
}

extension MailMessage {
    /// The outer message of an encrypted copy under `hcp_baseline`: Subject obscured,
    /// Comments and Keywords left out.
    func obscuredForEncryption() -> MailMessage {
        var outer = self
        outer.subject = ProtectedHeaders.obscuredSubject
        for name in ProtectedHeaders.removedFromOuter { outer.extraHeaders.removeAll(named: name) }
        return outer
    }
}
