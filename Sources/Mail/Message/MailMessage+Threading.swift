/// Threading (In-Reply-To, References) and mailing-list fields.
extension MailMessage {
    /// A copy replying to these Message-IDs (with or without `<>`; empty removes the field).
    /// Throws `invalidHeaderValue` unless each looks like `left@right`.
    public func withInReplyTo(_ ids: [String]) throws -> MailMessage {
        let validated = try ids.map(MessageID.validated)
        return modified { $0.inReplyTo = validated }
    }

    /// A copy with these References, oldest first (with or without `<>`; empty removes the
    /// field). Throws `invalidHeaderValue` unless each looks like `left@right`.
    public func withReferences(_ ids: [String]) throws -> MailMessage {
        let validated = try ids.map(MessageID.validated)
        return modified { $0.references = validated }
    }

    /// A copy threaded as a reply to `original` (RFC 5322 §3.6.4): In-Reply-To is the
    /// original's Message-ID, References the original's References (or else its
    /// In-Reply-To) followed by that ID, and the subject is the original's with `Re: `
    /// in front unless it already starts with `Re:`. Recipients are left as they are.
    public func replying(to original: MailMessage) -> MailMessage {
        modified { reply in
            var thread = original.references.isEmpty ? original.inReplyTo : original.references
            if let id = original.messageID {
                thread.append(id)
                reply.inReplyTo = [id]
            } else {
                reply.inReplyTo = []
            }
            reply.references = thread
            let subject = original.subject
            let isReply = subject.utf8.count >= 3 && ASCII.caseInsensitiveEquals(String(subject.prefix(3)), "re:")
            reply.subject = isReply ? subject : "Re: \(subject)"
        }
    }

    /// A copy with these mailing-list fields (`.empty` removes them).
    public func withListHeaders(_ listHeaders: ListHeaders) -> MailMessage {
        modified { $0.listHeaders = listHeaders }
    }

    /// A local copy helper (the builders file keeps its own private one).
    func modified(_ change: (inout MailMessage) throws -> Void) rethrows -> MailMessage {
        var copy = self
        try change(&copy)
        return copy
    }
}

/// Body charsets, format=flowed and extra alternatives.
extension MailMessage {
    /// A copy with another plain-text body (nil for none) written in `charset` and `format`.
    /// (`withText(_:)` alone keeps the current charset and format.) Throws `unencodableText`
    /// if `charset` cannot represent the text.
    public func withText(
        _ text: String?, charset: Charset = .utf8, format: TextFormat = .fixed
    ) throws
        -> MailMessage
    {
        if let text, !charset.canEncode(text) {
            throw MailError(.unencodableText, "the text cannot be written in \(charset.name)")
        }
        return modified {
            $0.textBody = text
            $0.textCharset = charset
            $0.textFormat = format
        }
    }

    /// A copy with an HTML body (nil for none) written in `charset`. Throws
    /// `unencodableText` if `charset` cannot represent the HTML.
    public func withHTML(_ html: String?, charset: Charset) throws -> MailMessage {
        if let html, !charset.canEncode(html) {
            throw MailError(.unencodableText, "the HTML cannot be written in \(charset.name)")
        }
        return modified {
            $0.htmlBody = html
            $0.htmlCharset = charset
        }
    }

    /// A copy with one more alternative representation of the body, placed in the
    /// multipart/alternative after the text and HTML bodies (RFC 2046 §5.1.4: the last is
    /// the preferred one), as mail clients do for `text/calendar` invitations.
    public func addingAlternative(_ part: MIMEPart) -> MailMessage {
        modified { $0.alternatives.append(part) }
    }

    /// A copy with one more text alternative of any `text/*` type, e.g.
    /// `text/calendar; method=REQUEST; charset=utf-8`. See `MIMEPart.text(_:contentType:)`
    /// for the errors.
    public func addingAlternative(text: String, contentType: ContentType) throws -> MailMessage {
        addingAlternative(try MIMEPart.text(text, contentType: contentType))
    }

    /// A copy with these extra alternatives (empty removes them).
    public func withAlternatives(_ parts: [MIMEPart]) -> MailMessage {
        modified { $0.alternatives = parts }
    }
}
