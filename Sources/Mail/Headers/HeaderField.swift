/// One header field: a validated name and a value that knows how it must be written.
///
/// `value` is always the logical, unencoded and unfolded text. Rendering encodes non-ASCII
/// unstructured text with RFC 2047, writes structured values verbatim, and folds all of them.
public struct HeaderField: Sendable, Hashable, CustomStringConvertible {
    /// How the value is written.
    enum Content: Sendable, Hashable {
        /// Unstructured text (RFC 5322 §3.2.5): non-ASCII words become encoded-words.
        case unstructured(String)
        /// A structured value written as it is (UTF-8 passes through, per RFC 6532).
        case structured(String)
        /// A mailbox list.
        case addresses([MailAddress])
        /// A value with MIME parameters (Content-Type, Content-Disposition).
        case parameterized(String, [MIMEParameter])
    }

    /// The field name as given (compare with `matches(_:)`, which ignores case).
    public let name: String
    let content: Content

    /// Creates an unstructured field such as Subject or an `X-` header.
    ///
    /// Throws `invalidHeaderName`, or `invalidHeaderValue` for a control character other than
    /// TAB (CR, LF, NUL, ESC, …). Surrounding whitespace is trimmed.
    public init(name: String, value: String) throws {
        try HeaderField.validate(name: name)
        try HeaderField.validate(value: value, name: name)
        self.init(validatedName: name, content: .unstructured(ASCII.trimmingWSP(value)))
    }

    /// Creates a field whose value is written verbatim and only folded at whitespace
    /// (Message-ID, Date, List-Unsubscribe, …).
    ///
    /// Throws `invalidHeaderName`, or `invalidHeaderValue` for any control character but TAB
    /// and for a value with a run of text too long to fold below 998 octets per line.
    public init(name: String, structuredValue: String) throws {
        try HeaderField.validate(name: name)
        try HeaderField.validate(value: structuredValue, name: name)
        self.init(validatedName: name, content: .structured(ASCII.trimmingWSP(structuredValue)))
        // Folding only narrows lines, so a value that fits at 998 fits at every width.
        _ = try rendered(maxLineLength: HeaderWriter.hardLimit)
    }

    /// Creates an address field (To, Cc, Reply-To, …). Throws `invalidHeaderName` or, for an
    /// empty list, `invalidAddress`.
    public init(name: String, addresses: [MailAddress]) throws {
        try HeaderField.validate(name: name)
        guard !addresses.isEmpty else {
            throw MailError(.invalidAddress, "an address field needs at least one address", header: name)
        }
        self.init(validatedName: name, content: .addresses(addresses))
    }

    /// A Content-Type field.
    public init(contentType: ContentType) {
        self.init(validatedName: "Content-Type", content: .parameterized(contentType.mimeType, contentType.parameters))
    }

    /// A Content-Disposition field.
    public init(contentDisposition: ContentDisposition) {
        self.init(
            validatedName: "Content-Disposition",
            content: .parameterized(contentDisposition.kind.rawValue, contentDisposition.parameters))
    }

    init(validatedName: String, content: Content) {
        self.name = validatedName
        self.content = content
    }

    /// The logical value: unencoded, unfolded text.
    public var value: String {
        switch content {
        case .unstructured(let text), .structured(let text): text
        case .addresses(let list): list.map(\.description).joined(separator: ", ")
        case .parameterized(let base, let parameters): ([base] + parameters.map(\.description)).joined(separator: "; ")
        }
    }

    /// The addresses of an address field, or nil for other fields.
    public var addresses: [MailAddress]? {
        if case .addresses(let list) = content { return list }
        return nil
    }

    /// Whether this field has the given name, ignoring ASCII case.
    public func matches(_ name: String) -> Bool {
        ASCII.caseInsensitiveEquals(self.name, name)
    }

    /// Whether rendering needs SMTPUTF8 (UTF-8 in a structured value or an addr-spec).
    public var requiresSMTPUTF8: Bool {
        switch content {
        case .unstructured: false
        case .structured(let text): text.utf8.contains { $0 >= 0x80 }
        case .addresses(let list): list.contains(where: \.requiresSMTPUTF8)
        case .parameterized: false
        }
    }

    /// `Name: value` (unencoded, unfolded).
    public var description: String { "\(name): \(value)" }

    /// The field's wire form: `Name: value` with encoding and folding, ending in CRLF.
    ///
    /// Throws `invalidHeaderValue` if some unbreakable token makes a line exceed 998 octets.
    public func rendered(maxLineLength: Int = HeaderField.defaultMaxLineLength) throws -> [UInt8] {
        var writer = HeaderWriter(name: name, maxLineLength: HeaderField.clampedLineLength(maxLineLength))
        switch content {
        case .structured(let text):
            writer.appendFoldable(text.utf8)
        case .unstructured(let text):
            appendUnstructured(text, to: &writer)
        case .addresses(let list):
            for (index, address) in list.enumerated() {
                let isLast = index == list.count - 1
                appendAddress(address, reserving: isLast ? 0 : 1, to: &writer)
                if !isLast { writer.appendGlued(CollectionOfOne(ASCII.comma)) }
            }
        case .parameterized(let base, let parameters):
            writer.append(base.utf8, reserving: parameters.isEmpty ? 0 : 1)
            let maxPiece = writer.maxLineLength - 2  // leading space, trailing ';'
            for (index, parameter) in parameters.enumerated() {
                let isLast = index == parameters.count - 1
                writer.appendGlued(CollectionOfOne(ASCII.semicolon))
                if writesEncodedWords(parameter, maxPieceLength: maxPiece) {
                    writer.appendEncodedWords(
                        parameter.value, prefix: Array("\(parameter.name)=\"".utf8), suffix: [ASCII.quote],
                        reserving: isLast ? 0 : 1)
                    continue
                }
                let pieces = ParameterEncoding.pieces(for: parameter, maxPieceLength: maxPiece)
                for (pieceIndex, piece) in pieces.enumerated() {
                    let isLastPiece = isLast && pieceIndex == pieces.count - 1
                    if pieceIndex > 0 { writer.appendGlued(CollectionOfOne(ASCII.semicolon)) }
                    writer.append(piece, reserving: isLastPiece ? 0 : 1)
                }
            }
        }
        return try writer.finish()
    }

    /// The default folding width (RFC 5322 §2.1.1 recommends 78).
    public static let defaultMaxLineLength = 78

    /// Folding widths are kept within 32...998 so encoded-words always fit on a line.
    static func clampedLineLength(_ length: Int) -> Int {
        min(max(length, 32), HeaderWriter.hardLimit)
    }

    private func appendUnstructured(_ text: String, to writer: inout HeaderWriter) {
        // Split into (whitespace, word) pairs; encode from the first to the last word that needs it.
        let bytes = Array(text.utf8)
        var pairs: [(ws: Range<Int>, word: Range<Int>)] = []
        var index = 0
        while index < bytes.count {
            let wsStart = index
            while index < bytes.count, ASCII.isWSP(bytes[index]) { index += 1 }
            let wordStart = index
            while index < bytes.count, !ASCII.isWSP(bytes[index]) { index += 1 }
            pairs.append((wsStart..<wordStart, wordStart..<index))
        }
        let longest = writer.maxLineLength - 1
        let needs = pairs.map { pair in
            EncodedWord.wordNeedsEncoding(bytes[pair.word]) || pair.word.count > longest
        }
        guard let first = needs.firstIndex(of: true), let last = needs.lastIndex(of: true) else {
            writer.appendFoldable(bytes)
            return
        }
        for pair in pairs[..<first] {
            writer.append(bytes[pair.word], separator: pair.ws.isEmpty ? [ASCII.space] : Array(bytes[pair.ws]))
        }
        let middle = String(decoding: bytes[pairs[first].word.lowerBound..<pairs[last].word.upperBound], as: UTF8.self)
        let leading = pairs[first].ws.isEmpty ? [ASCII.space] : Array(bytes[pairs[first].ws])
        writer.appendEncodedWords(middle, leading: leading)
        for pair in pairs[(last + 1)...] {
            writer.append(bytes[pair.word], separator: Array(bytes[pair.ws]))
        }
    }

    /// Whether a parameter is written as RFC 2047 encoded-words in a quoted string instead of
    /// RFC 2231: only Content-Type's `name` when it is not plain printable ASCII that fits a
    /// line. Old Outlook reads only that form; `filename` in Content-Disposition keeps RFC 2231.
    private func writesEncodedWords(_ parameter: MIMEParameter, maxPieceLength: Int) -> Bool {
        guard parameter.name == "name", matches("Content-Type") else { return false }
        guard let plain = ParameterEncoding.plainPiece(for: parameter) else { return true }
        return plain.count > maxPieceLength
    }

    private func appendAddress(_ address: MailAddress, reserving suffix: Int, to writer: inout HeaderWriter) {
        guard let displayName = address.displayName else {
            writer.append(address.addrSpec.utf8, reserving: suffix)
            return
        }
        switch DisplayNameForm(displayName) {
        case .plain(let text): writer.appendFoldable(text.utf8)
        case .encoded: writer.appendEncodedWords(displayName)
        }
        writer.append("<\(address.addrSpec)>".utf8, reserving: suffix)
    }

    static func validate(name: String) throws {
        guard !name.isEmpty, name.utf8.allSatisfy({ ASCII.isVCHAR($0) && $0 != ASCII.colon }) else {
            throw MailError(.invalidHeaderName, "header names are printable ASCII without ':' or space", input: name)
        }
    }

    /// Refuses control characters other than TAB (CR, LF, NUL, ESC, BEL, DEL, …) in a value.
    static func validate(value: String, name: String) throws {
        if ASCII.containsLineBreakOrNUL(value.utf8) {
            throw MailError(
                .invalidHeaderValue, "header values must not contain CR, LF or NUL", header: name, input: value)
        }
        if value.utf8.contains(where: ASCII.isControlOtherThanTab) {
            throw MailError(
                .invalidHeaderValue, "header values must not contain control characters other than TAB",
                header: name, input: value)
        }
    }
}
