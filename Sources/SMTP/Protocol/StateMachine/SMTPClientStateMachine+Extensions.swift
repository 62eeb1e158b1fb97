// The ESMTP extensions a transaction declares on its own: SIZE (RFC 1870), BODY (RFC 6152)
// and DSN (RFC 3461). Parameters the caller set by hand are never duplicated or changed.
extension SMTPClientStateMachine {
    /// What is known of a message's content before it is sent.
    struct ContentFacts: Hashable, Sendable {
        /// The encoded size in octets, when the content is in memory.
        var size: Int?
        /// Whether the content has octets over 127.
        var hasEightBitOctets = false
    }

    /// `envelope` with the `SIZE`, `BODY` and DSN parameters the server's extensions call for.
    ///
    /// - Throws: ``SMTPError/Code/messageTooLarge`` when the content is larger than the
    ///   server's `SIZE` limit; ``SMTPError/Code/invalidInput`` when `8BITMIME` is required
    ///   and not offered.
    static func applyingExtensions(
        to envelope: SMTPEnvelope, content: ContentFacts, capabilities: SMTPCapabilities, useChunking: Bool
    ) throws(SMTPError) -> SMTPEnvelope {
        var envelope = envelope
        func addMailParameter(_ parameter: SMTPParameter) {
            if !envelope.mailParameters.contains(where: { $0.keyword.uppercased() == parameter.keyword }) {
                envelope.mailParameters.append(parameter)
            }
        }
        if let size = content.size, capabilities.contains("SIZE") {
            if let limit = capabilities.maximumMessageSize, size > limit {
                throw SMTPError(
                    .messageTooLarge, "the message has \(size) octets; the server accepts at most \(limit)")
            }
            addMailParameter(.size(size))
        }
        switch envelope.bodyType {
        case .eightBitMIME:
            guard capabilities.supports8BitMIME else {
                throw SMTPError(.invalidInput, "the content is declared 8BITMIME, which the server does not offer")
            }
            addMailParameter(.body8BitMIME)
        case .sevenBit:
            addMailParameter(SMTPParameter("BODY", "7BIT"))
        case .binaryMIME:
            guard capabilities.contains("BINARYMIME"), capabilities.supportsChunking, useChunking else {
                throw SMTPError(
                    .invalidInput,
                    "the content is declared BINARYMIME, which needs the server's BINARYMIME and CHUNKING")
            }
            addMailParameter(SMTPParameter("BODY", "BINARYMIME"))
        case nil:
            if content.hasEightBitOctets, capabilities.supports8BitMIME {
                addMailParameter(.body8BitMIME)
            }
        }
        guard capabilities.supportsDSN else {
            return envelope
        }
        if let dsnReturn = envelope.dsnReturn {
            addMailParameter(SMTPParameter("RET", dsnReturn == .fullMessage ? "FULL" : "HDRS"))
        }
        if let envelopeID = envelope.dsnEnvelopeID {
            addMailParameter(SMTPParameter("ENVID", XText.encode(envelopeID)))
        }
        for index in envelope.recipients.indices {
            var recipient = envelope.recipients[index]
            let present = Set(recipient.parameters.map { $0.keyword.uppercased() })
            if let notify = recipient.notify, !present.contains("NOTIFY") {
                recipient.parameters.append(SMTPParameter("NOTIFY", notify.parameterValue))
            }
            if let original = recipient.originalRecipient, !present.contains("ORCPT") {
                recipient.parameters.append(SMTPParameter("ORCPT", "rfc822;" + XText.encode(original)))
            }
            envelope.recipients[index] = recipient
        }
        return envelope
    }
}
