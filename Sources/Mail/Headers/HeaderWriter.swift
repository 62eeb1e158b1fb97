/// Writes one header field, folding before whitespace so lines stay within a limit
/// (RFC 5322 §2.2.3). Folding only inserts CRLF before existing whitespace, so unfolding
/// restores the value exactly.
struct HeaderWriter {
    /// The hard limit of RFC 5322 §2.1.1, excluding CRLF.
    static let hardLimit = 998

    let name: String
    let maxLineLength: Int
    private(set) var output: [UInt8]
    private var lineLength: Int
    private var hasToken = false
    private var longestLine = 0

    init(name: String, maxLineLength: Int) {
        self.name = name
        self.maxLineLength = maxLineLength
        output = Array(name.utf8)
        output.append(ASCII.colon)
        lineLength = output.count
    }

    /// Appends `token` after `separator` (whitespace), folding before the separator when the
    /// token would overflow the line (or `limit`, if lower) and fits better on a new one.
    mutating func append(
        _ token: some Collection<UInt8>, separator: some Collection<UInt8> = CollectionOfOne(ASCII.space),
        limit: Int? = nil
    ) {
        let lineLimit = min(limit ?? maxLineLength, maxLineLength)
        let needed = separator.count + token.count
        let overflows = lineLength + needed > lineLimit
        // Fold if possible and useful: never right after the name unless the token then fits.
        if overflows && !separator.isEmpty && !token.isEmpty && (hasToken || needed <= lineLimit) {
            newLine()
        }
        output.append(contentsOf: separator)
        output.append(contentsOf: token)
        lineLength += needed
        if !token.isEmpty { hasToken = true }
    }

    /// Appends bytes with no folding point before them (e.g. a comma after an address).
    mutating func appendGlued(_ token: some Collection<UInt8>) {
        output.append(contentsOf: token)
        lineLength += token.count
        if !token.isEmpty { hasToken = true }
    }

    /// Appends text that may be folded at any of its whitespace runs. The first word is
    /// preceded by `leading` (whitespace) instead of any whitespace the text starts with.
    mutating func appendFoldable(_ text: some Collection<UInt8>, leading: [UInt8] = [ASCII.space]) {
        let bytes = Array(text)
        var index = 0
        var separator = leading
        var first = true
        while index < bytes.count {
            let wsStart = index
            while index < bytes.count, ASCII.isWSP(bytes[index]) { index += 1 }
            if !first { separator = Array(bytes[wsStart..<index]) }
            let wordStart = index
            while index < bytes.count, !ASCII.isWSP(bytes[index]) { index += 1 }
            if wordStart == index {
                // Trailing whitespace: keep it glued, never alone on a line.
                appendGlued(bytes[wsStart..<index])
            } else {
                append(bytes[wordStart..<index], separator: separator)
            }
            first = false
        }
    }

    /// Appends `text` as a sequence of encoded-words separated by single spaces, sizing each
    /// word to the room left on its line. Lines that receive encoded-words end by column 76
    /// (RFC 2047 §2) even when the folding width is larger.
    mutating func appendEncodedWords(_ text: some StringProtocol, leading: [UInt8] = [ASCII.space]) {
        let limit = min(maxLineLength, EncodedWord.maxLineLength)
        var encoder = EncodedWord.Encoder(text)
        var separator = leading
        while !encoder.isFinished {
            var budget = limit - lineLength - separator.count
            if budget < EncodedWord.minimumBudget { budget = limit - separator.count }
            guard let word = encoder.next(maxLength: budget) else { break }
            append(word, separator: separator, limit: limit)
            separator = [ASCII.space]
        }
    }

    /// Terminates the field with CRLF and returns its bytes.
    ///
    /// Throws `invalidHeaderValue` if some line exceeds 998 octets.
    mutating func finish() throws -> [UInt8] {
        longestLine = max(longestLine, lineLength)
        if longestLine > HeaderWriter.hardLimit {
            throw MailError(
                .invalidHeaderValue, "a line of \(longestLine) octets cannot be folded below the 998-octet limit",
                header: name)
        }
        output.append(ASCII.cr)
        output.append(ASCII.lf)
        return output
    }

    private mutating func newLine() {
        longestLine = max(longestLine, lineLength)
        output.append(ASCII.cr)
        output.append(ASCII.lf)
        lineLength = 0
    }
}
