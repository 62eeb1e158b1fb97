/// Parses RFC 5322 address lists (with RFC 6532 UTF-8) into `MailAddress` values.
enum AddressParser {
    /// Longest local part (RFC 5321 §4.5.3.1.1).
    static let maxLocalPartLength = 64
    /// Longest domain (RFC 5321 §4.5.3.1.2, without the trailing dot).
    static let maxDomainLength = 253
    /// Longest addr-spec usable in a SMTP path.
    static let maxAddrSpecLength = 254

    static func parseList(_ string: String) throws -> [MailAddress] {
        try rejectLineBreaks(string)
        var lexer = HeaderLexer(string.utf8, errorCode: .invalidAddress)
        var result: [MailAddress] = []
        while true {
            try lexer.skipCFWS()
            if lexer.isAtEnd { break }
            if lexer.consume(ASCII.comma) { continue }
            try parseAddress(&lexer, into: &result, input: string)
            try lexer.skipCFWS()
            if lexer.isAtEnd { break }
            guard lexer.consume(ASCII.comma) else {
                throw MailError(
                    .invalidAddress, "unexpected character after an address", input: string, offset: lexer.index)
            }
        }
        return result
    }

    /// Validates a bare addr-spec (optionally inside `<>`) and returns its canonical form.
    static func parseAddrSpec(_ string: String) throws -> String {
        try rejectLineBreaks(string)
        var lexer = HeaderLexer(string.utf8, errorCode: .invalidAddress)
        try lexer.skipCFWS()
        let angled = lexer.consume(ASCII.lessThan)
        let spec = try addrSpec(&lexer, input: string)
        try lexer.skipCFWS()
        if angled && !lexer.consume(ASCII.greaterThan) {
            throw MailError(.invalidAddress, "missing '>'", input: string)
        }
        try lexer.skipCFWS()
        guard lexer.isAtEnd else {
            throw MailError(
                .invalidAddress, "unexpected characters after the address", input: string, offset: lexer.index)
        }
        return spec
    }

    private static func rejectLineBreaks(_ string: String) throws {
        if ASCII.containsLineBreakOrNUL(string.utf8) {
            throw MailError(.invalidAddress, "addresses must not contain CR, LF or NUL", input: string)
        }
    }

    /// One element of a list: a mailbox, or a group whose members are appended.
    private static func parseAddress(_ lexer: inout HeaderLexer, into result: inout [MailAddress], input: String) throws
    {
        let start = lexer.index
        let words = try phrase(&lexer)
        switch lexer.peek {
        case ASCII.lessThan:
            result.append(
                try MailAddress(displayName: displayName(words), validatedAddrSpec: angleAddr(&lexer, input: input)))
        case ASCII.colon where !words.isEmpty:
            lexer.index += 1
            while true {
                try lexer.skipCFWS()
                if lexer.consume(ASCII.semicolon) { return }
                if lexer.consume(ASCII.comma) { continue }
                if lexer.isAtEnd { throw MailError(.invalidAddress, "group is missing ';'", input: input) }
                let memberStart = lexer.index
                let memberWords = try phrase(&lexer)
                if lexer.peek == ASCII.lessThan {
                    result.append(
                        try MailAddress(
                            displayName: displayName(memberWords), validatedAddrSpec: angleAddr(&lexer, input: input)))
                } else {
                    lexer.index = memberStart
                    result.append(try MailAddress(displayName: nil, validatedAddrSpec: addrSpec(&lexer, input: input)))
                }
            }
        default:
            lexer.index = start
            result.append(try MailAddress(displayName: nil, validatedAddrSpec: addrSpec(&lexer, input: input)))
        }
    }

    private struct PhraseWord {
        var text: String
        var quoted: Bool
    }

    /// Reads atoms (RFC 6532: UTF-8 allowed; '.' tolerated as in obs-phrase) and quoted-strings.
    private static func phrase(_ lexer: inout HeaderLexer) throws -> [PhraseWord] {
        var words: [PhraseWord] = []
        while true {
            try lexer.skipCFWS()
            if lexer.peek == ASCII.quote {
                words.append(
                    PhraseWord(text: String(decoding: try lexer.readQuotedString(), as: UTF8.self), quoted: true))
                continue
            }
            let atom = lexer.read { ASCII.isAtext($0) || $0 == ASCII.dot || $0 >= 0x80 }
            if atom.isEmpty { return words }
            words.append(PhraseWord(text: String(decoding: atom, as: UTF8.self), quoted: false))
        }
    }

    /// Joins phrase words with single spaces, decoding RFC 2047 encoded-words outside quotes.
    private static func displayName(_ words: [PhraseWord]) -> String? {
        var segments: [String] = []
        var atoms: [String] = []
        for word in words {
            if word.quoted {
                if !atoms.isEmpty { segments.append(EncodedWord.decode(atoms.joined(separator: " "))) }
                atoms = []
                segments.append(word.text)
            } else {
                atoms.append(word.text)
            }
        }
        if !atoms.isEmpty { segments.append(EncodedWord.decode(atoms.joined(separator: " "))) }
        let name = segments.joined(separator: " ")
        return name.isEmpty ? nil : name
    }

    private static func angleAddr(_ lexer: inout HeaderLexer, input: String) throws -> String {
        _ = lexer.consume(ASCII.lessThan)
        try lexer.skipCFWS()
        if lexer.peek == ASCII.at {
            throw MailError(.invalidAddress, "source routes are not accepted", input: input)
        }
        let spec = try addrSpec(&lexer, input: input)
        try lexer.skipCFWS()
        guard lexer.consume(ASCII.greaterThan) else {
            throw MailError(.invalidAddress, "missing '>'", input: input, offset: lexer.index)
        }
        return spec
    }

    /// Parses `local-part@domain` at the cursor and returns its canonical text.
    private static func addrSpec(_ lexer: inout HeaderLexer, input: String) throws -> String {
        try lexer.skipCFWS()
        let local: String
        if lexer.peek == ASCII.quote {
            let content = try lexer.readQuotedString()
            guard !content.contains(where: { $0 < 0x20 && $0 != ASCII.tab || $0 == 0x7F }) else {
                throw MailError(.invalidAddress, "quoted local part contains control characters", input: input)
            }
            local =
                isDotAtom(content[...])
                ? String(decoding: content, as: UTF8.self)
                : ParameterEncoding.quoted(String(decoding: content, as: UTF8.self))
        } else {
            let atom = lexer.read { ASCII.isAtext($0) || $0 == ASCII.dot || $0 >= 0x80 }
            guard isDotAtom(atom) else {
                throw MailError(
                    .invalidAddress, atom.isEmpty ? "missing local part" : "invalid local part", input: input)
            }
            local = String(decoding: atom, as: UTF8.self)
        }
        guard local.utf8.count <= maxLocalPartLength else {
            throw MailError(.invalidAddress, "local part longer than 64 octets", input: input)
        }
        try lexer.skipCFWS()
        guard lexer.consume(ASCII.at) else {
            throw MailError(.invalidAddress, "missing '@'", input: input, offset: lexer.index)
        }
        try lexer.skipCFWS()
        let domain = try self.domain(&lexer, input: input)
        let spec = "\(local)@\(domain)"
        guard spec.utf8.count <= maxAddrSpecLength else {
            throw MailError(.invalidAddress, "address longer than 254 octets", input: input)
        }
        return spec
    }

    private static func domain(_ lexer: inout HeaderLexer, input: String) throws -> String {
        if lexer.consume(ASCII.openBracket) {
            let literal = lexer.read {
                ASCII.isVCHAR($0) && $0 != ASCII.openBracket && $0 != ASCII.closeBracket && $0 != ASCII.backslash
            }
            guard !literal.isEmpty, lexer.consume(ASCII.closeBracket) else {
                throw MailError(.invalidAddress, "invalid address literal", input: input)
            }
            return "[\(String(decoding: literal, as: UTF8.self))]"
        }
        let name = lexer.read { $0 >= 0x80 || $0 == ASCII.dot || $0 == ASCII.hyphen || ASCII.isAtext($0) }
        guard !name.isEmpty, name.count <= maxDomainLength else {
            throw MailError(.invalidAddress, name.isEmpty ? "missing domain" : "domain too long", input: input)
        }
        let labels = name.split(separator: ASCII.dot, omittingEmptySubsequences: false)
        for label in labels {
            let valid =
                !label.isEmpty && label.count <= 63 && label.first != ASCII.hyphen && label.last != ASCII.hyphen
                && label.allSatisfy { $0 >= 0x80 || $0 == ASCII.hyphen || isAlphanumeric($0) }
            guard valid else {
                throw MailError(
                    .invalidAddress, "invalid domain label '\(String(decoding: label, as: UTF8.self))'", input: input)
            }
        }
        return String(decoding: name, as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// RFC 5322 dot-atom (with UTF-8 per RFC 6532): atoms separated by single dots.
    static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.split(separator: ASCII.dot, omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy { ASCII.isAtext($0) || $0 >= 0x80 }
        }
    }
}
