import Crypto
import Foundation

/// Signs rendered messages with DKIM (RFC 6376; Ed25519 per RFC 8463).
///
/// The signer works on the final bytes of a complete RFC 5322 message, after any OpenPGP signing or
/// encryption, and adds one `DKIM-Signature` field at the top:
///
/// ```swift
/// let key = try DKIMKey.rsa(pemRepresentation: pem)
/// let signer = try DKIMSigner(domain: "example.com", selector: "mail2026", key: key)
/// let signed = try signer.sign(message.renderedBytes())
/// // Publish key.publicKeyRecord as TXT at signer.dnsRecordName.
/// ```
///
/// The message must use CRLF line endings throughout, as `renderedBytes()` produces; a bare CR or LF
/// is rejected (`invalidBody`) rather than converted, because the signature would cover bytes other
/// than those sent. No `l=` (body length) tag is written: it would let anyone append content, such as
/// a new MIME part, below the signed length without breaking the signature.
public struct DKIMSigner: Sendable {
    /// The fields signed by default, when present: those that readers see or that shape how the body
    /// is displayed. `From` is required.
    public static let defaultSignedHeaders: [String] = [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Id", "List-Unsubscribe",
        "List-Unsubscribe-Post", "Autocrypt", "Sender",
    ]

    /// The signing domain (`d=`).
    public let domain: String
    /// The selector (`s=`): the public key is published at `<selector>._domainkey.<domain>`.
    public let selector: String
    /// The private key; it decides `a=`.
    public let key: DKIMKey
    /// The field names to sign when present, in `h=` order.
    public let signedHeaders: [String]
    /// Field names listed once more than they occur, so that adding such a field (a second `From`,
    /// a `To` to a message without one) breaks the signature.
    public let oversignedHeaders: [String]
    /// The header canonicalization (first half of `c=`).
    public let headerCanonicalization: DKIMCanonicalization
    /// The body canonicalization (second half of `c=`).
    public let bodyCanonicalization: DKIMCanonicalization
    /// The agent or user identifier (`i=`), an address at `domain` or one of its subdomains.
    public let identity: String?
    /// How long after signing the signature expires (`x=`), or nil for no expiry.
    public let expiration: Duration?
    /// Whether the signing time is written (`t=`).
    public let includesTimestamp: Bool

    /// Creates a signer, checking the domain, selector, identity and header names.
    ///
    /// - Parameters:
    ///   - domain: The signing domain, in ASCII (an internationalized domain as its A-label, `xn--…`).
    ///   - selector: One or more DNS labels naming the key under `_domainkey.<domain>`.
    ///   - signedHeaders: Field names to sign when present; must include `From`.
    ///   - oversignedHeaders: Field names to list once more than they occur; they are signed too.
    ///   - identity: `i=`, such as `@example.com` or `alerts@mail.example.com`; its domain must be
    ///     `domain` or a subdomain of it.
    ///   - expiration: `x=` relative to the signing time; at least one second.
    ///   - includesTimestamp: Whether to write `t=`, the signing time.
    /// - Throws: `MailError` with code `invalidParameter`.
    public init(
        domain: String, selector: String, key: DKIMKey, signedHeaders: [String] = DKIMSigner.defaultSignedHeaders,
        oversignedHeaders: [String] = ["From", "Subject", "To"],
        headerCanonicalization: DKIMCanonicalization = .relaxed,
        bodyCanonicalization: DKIMCanonicalization = .relaxed, identity: String? = nil,
        expiration: Duration? = nil, includesTimestamp: Bool = true
    ) throws {
        guard Self.isDNSName(domain, minimumLabels: 2) else {
            throw MailError(
                .invalidParameter,
                "DKIM: the signing domain must be an ASCII domain name of at least two labels (RFC 6376 §3.5 d=)",
                input: domain)
        }
        guard Self.isDNSName(selector, minimumLabels: 1) else {
            throw MailError(
                .invalidParameter, "DKIM: the selector must be one or more DNS labels (RFC 6376 §3.1)",
                input: selector)
        }
        for name in signedHeaders + oversignedHeaders where !Self.isSignableFieldName(name) {
            throw MailError(
                .invalidParameter, "DKIM: not a header field name that can be signed", header: name, input: name)
        }
        guard (signedHeaders + oversignedHeaders).contains(where: { $0.lowercased() == "from" }) else {
            throw MailError(.invalidParameter, "DKIM: From must be among the signed header fields (RFC 6376 §5.4)")
        }
        if let identity {
            guard let at = identity.lastIndex(of: "@"),
                Self.isSubdomain(String(identity[identity.index(after: at)...]), of: domain),
                identity[..<at].unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else {
                throw MailError(
                    .invalidParameter,
                    "DKIM: the identity must be [local-part]@domain at the signing domain or a subdomain of it "
                        + "(RFC 6376 §3.5 i=)", input: identity)
            }
        }
        if let expiration, expiration < .seconds(1) || expiration > .seconds(Self.maximumTimestamp) {
            throw MailError(.invalidParameter, "DKIM: the expiration must be at least one second and fit in x=")
        }
        self.domain = domain
        self.selector = selector
        self.key = key
        self.signedHeaders = signedHeaders
        self.oversignedHeaders = oversignedHeaders
        self.headerCanonicalization = headerCanonicalization
        self.bodyCanonicalization = bodyCanonicalization
        self.identity = identity
        self.expiration = expiration
        self.includesTimestamp = includesTimestamp
    }

    /// Where the public key is published: `<selector>._domainkey.<domain>`.
    public var dnsRecordName: String { "\(selector)._domainkey.\(domain)" }

    /// The complete `DKIM-Signature: …` field for `message`, folded and ending in CRLF.
    ///
    /// - Parameters:
    ///   - message: A complete RFC 5322 message with CRLF line endings.
    ///   - date: The signing time, for `t=` and `x=`.
    /// - Throws: `MailError`: `invalidBody` for bare CR or LF, `malformedMIME` for a broken header
    ///   section, `invalidHeaderValue` if the message has no `From` field or more than one.
    public func signatureField(for message: [UInt8], at date: Date = Date()) throws -> [UInt8] {
        let parsed = try DKIMMessage(message)
        let fromCount = parsed.fields.count(where: { DKIMHeaderSelection.lowercased($0.name) == "from" })
        guard fromCount == 1 else {
            throw MailError(
                .invalidHeaderValue,
                fromCount == 0
                    ? "DKIM: the message has no From field, which every signature must cover (RFC 6376 §5.4)"
                    : "DKIM: the message has \(fromCount) From fields; RFC 5322 allows one", header: "From")
        }
        let names = DKIMHeaderSelection.signedNames(for: parsed, signed: signedHeaders, oversigned: oversignedHeaders)
        var bodyHasher = SHA256()
        bodyCanonicalization.canonicalizeBody(parsed.body) { bodyHasher.update(data: $0) }
        let bodyHash = Data(bodyHasher.finalize()).base64EncodedString()

        let unsigned = try unsignedField(headerNames: names, bodyHash: bodyHash, date: date)
        let fields = DKIMHeaderSelection.fields(named: names, in: parsed)
        let digest = Self.headerHash(
            fields: fields, unsignedSignatureField: unsigned, canonicalization: headerCanonicalization)
        let signature = try key.signature(forHeaderHash: digest)
        return unsigned + Self.foldedSignatureValue(Base64.encodeUnwrapped(signature)) + [ASCII.cr, ASCII.lf]
    }

    /// `message` with its `DKIM-Signature` field prepended.
    public func sign(_ message: [UInt8], at date: Date = Date()) throws -> [UInt8] {
        try signatureField(for: message, at: date) + message
    }

    // MARK: - The field

    /// The signature field up to and including the empty `b=`, folded as it will be sent.
    private func unsignedField(headerNames: [String], bodyHash: String, date: Date) throws -> [UInt8] {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds >= 0, seconds <= Double(Self.maximumTimestamp) else {
            throw MailError(.invalidParameter, "DKIM: the signing time must lie between 1970 and the year 33658")
        }
        let timestamp = Int64(seconds)
        var tags: [[String]] = [
            ["v=1;"], ["a=\(key.algorithm.rawValue);"],
            ["c=\(headerCanonicalization.rawValue)/\(bodyCanonicalization.rawValue);"],
            ["d=\(domain);"], ["s=\(selector);"],
        ]
        if includesTimestamp { tags.append(["t=\(timestamp);"]) }
        if let expiration {
            // Both terms are at most 12 digits (checked above and in init), so the sum cannot overflow.
            let (whole, fraction) = expiration.components
            let expiry = timestamp + whole + (fraction > 0 ? 1 : 0)
            guard expiry <= Self.maximumTimestamp else {
                throw MailError(.invalidParameter, "DKIM: the expiry time does not fit in x= (12 digits)")
            }
            tags.append(["x=\(expiry);"])
        }
        if let identity { tags.append(["i=\(Self.quotedPrintable(identity));"]) }
        // h= may break after each colon (RFC 6376 §3.5: FWS is allowed around ":").
        var headerList = headerNames.enumerated().map { index, name in
            (index == 0 ? "h=" : "") + name + (index == headerNames.count - 1 ? ";" : ":")
        }
        if headerList.isEmpty { headerList = ["h=;"] }
        tags.append(headerList)
        tags.append(["bh=\(bodyHash);"])

        var out = Array("DKIM-Signature:".utf8)
        var lineLength = out.count
        for tag in tags {
            for (index, atom) in tag.enumerated() {
                let separator = index == 0 ? 1 : 0
                if lineLength + separator + atom.utf8.count > Self.lineLimit {
                    out += [ASCII.cr, ASCII.lf, ASCII.space]
                    lineLength = 1
                } else if separator == 1 {
                    out.append(ASCII.space)
                    lineLength += 1
                }
                out += atom.utf8
                lineLength += atom.utf8.count
            }
        }
        // b= starts its own line, so the signature's folding never depends on the previous line.
        out += Array("\r\n b=".utf8)
        return out
    }

    /// The base64 signature, broken with CRLF SP (FWS, ignored by verifiers) so no line passes 78 octets.
    static func foldedSignatureValue(_ base64: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var remaining = base64[...]
        var room = lineLimit - 3  // The first line already holds " b=".
        while !remaining.isEmpty {
            out += remaining.prefix(room)
            remaining = remaining.dropFirst(room)
            if !remaining.isEmpty {
                out += [ASCII.cr, ASCII.lf, ASCII.space]
                room = lineLimit - 1
            }
        }
        return out
    }

    /// The SHA-256 hash of the signed header data (RFC 6376 §3.7): each selected field canonicalized,
    /// then the signature field itself with an empty `b=` and without its final CRLF.
    static func headerHash(
        fields: [DKIMMessage.Field], unsignedSignatureField: [UInt8], canonicalization: DKIMCanonicalization
    ) -> SHA256.Digest {
        var hasher = SHA256()
        for field in fields { hasher.update(data: canonicalization.canonicalHeader(field.raw)) }
        hasher.update(data: canonicalization.canonicalHeader(unsignedSignatureField[...]).dropLast(2))
        return hasher.finalize()
    }

    private static let lineLimit = 78
    /// The largest `t=` or `x=`: the tags hold at most 12 digits (RFC 6376 §3.5).
    private static let maximumTimestamp: Int64 = 999_999_999_999

    // MARK: - Validation

    /// Whether `name` is `minimumLabels` or more LDH labels of 1–63 octets, at most 253 in all.
    private static func isDNSName(_ name: String, minimumLabels: Int) -> Bool {
        guard name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= minimumLabels
            && labels.allSatisfy { label in
                let bytes = Array(label.utf8)
                guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
                return first != ASCII.hyphen && last != ASCII.hyphen
                    && bytes.allSatisfy { isASCIILetterOrDigit($0) || $0 == ASCII.hyphen }
            }
    }

    private static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Whether `candidate` is `domain` or a subdomain of it, ignoring case.
    private static func isSubdomain(_ candidate: String, of domain: String) -> Bool {
        let candidate = candidate.lowercased()
        let domain = domain.lowercased()
        return isDNSName(candidate, minimumLabels: 2) && (candidate == domain || candidate.hasSuffix("." + domain))
    }

    /// A field name that fits in `h=`: 1–200 printable ASCII octets, without ':' or ';'.
    private static func isSignableFieldName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= 200
            && bytes.allSatisfy { ASCII.isVCHAR($0) && $0 != ASCII.colon && $0 != ASCII.semicolon }
    }

    /// DKIM-Quoted-Printable (RFC 6376 §2.11): octets other than 0x21–0x3A, 0x3C, 0x3E–0x7E as =XX.
    private static func quotedPrintable(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x21 && byte <= 0x3A) || byte == 0x3C || (byte >= 0x3E && byte <= 0x7E) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
