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
    /// Whether the current line holds an encoded-word, which limits it to 76 octets.
    private var lineHasEncodedWord = false
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
    ///
    /// `reserving` counts octets that will be glued after the token (a `,` or `;`), so the
    /// fold decision leaves room for them.
    mutating func append(
        _ token: some Collection<UInt8>, separator: some Collection<UInt8> = CollectionOfOne(ASCII.space),
        limit: Int? = nil, reserving suffix: Int = 0
    ) {
        var lineLimit = min(limit ?? maxLineLength, maxLineLength)
        if lineHasEncodedWord { lineLimit = min(lineLimit, EncodedWord.maxLineLength) }
        let needed = separator.count + token.count + suffix
        let overflows = lineLength + needed > lineLimit
        // Fold if possible and useful: never right after the name unless the token then fits.
        if overflows && !separator.isEmpty && !token.isEmpty && (hasToken || needed <= lineLimit) {
            newLine()
        }
        output.append(contentsOf: separator)
        output.append(contentsOf: token)
        lineLength += separator.count + token.count
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
    ///
    /// `prefix` is glued before the first word and `suffix` after the last (e.g. `name="` and
    /// `"` of a quoted parameter value); `reserving` counts octets glued on afterwards.
    mutating func appendEncodedWords(
        _ text: some StringProtocol, leading: [UInt8] = [ASCII.space], prefix: [UInt8] = [], suffix: [UInt8] = [],
        reserving reserve: Int = 0
    ) {
        let limit = min(maxLineLength, EncodedWord.maxLineLength)
        var encoder = EncodedWord.Encoder(text)
        var separator = leading
        var glued = prefix
        // Every word keeps room for what may follow it, since only the encoder knows which is last.
        let after = suffix.count + reserve
        while !encoder.isFinished {
            var budget = limit - lineLength - separator.count - glued.count - after
            let freshLine = limit - separator.count - glued.count - after
            // Fold when the room left is too small, or would split a Character a new line keeps whole.
            if budget < EncodedWord.minimumBudget
                || (!encoder.nextEndsCharacter(maxLength: budget) && encoder.nextEndsCharacter(maxLength: freshLine))
            {
                budget = freshLine
            }
            guard let word = encoder.next(maxLength: budget) else { break }
            append(glued + word, separator: separator, limit: limit, reserving: encoder.isFinished ? after : 0)
            lineHasEncodedWord = true
            separator = [ASCII.space]
            glued = []
        }
        appendGlued(suffix)
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
        lineHasEncodedWord = false
    }
}
