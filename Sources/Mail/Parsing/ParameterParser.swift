/// Parses the `; name=value` list of Content-Type and Content-Disposition values,
/// assembling RFC 2231 continuations and decoding extended values.
enum ParameterParser {
    private struct Segment {
        var index: Int
        var extended: Bool
        var raw: [UInt8]
    }

    /// Parses parameters from the lexer's position to the end of input.
    static func parse(_ lexer: inout HeaderLexer) throws -> [MIMEParameter] {
        var order: [String] = []
        var seen: Set<String> = []
        var simple: [String: [UInt8]] = [:]
        var segments: [String: [Segment]] = [:]
        while true {
            try lexer.skipCFWS()
            if lexer.isAtEnd { break }
            guard lexer.consume(ASCII.semicolon) else {
                throw MailError(
                    lexer.errorCode, "expected ';' before a parameter",
                    input: String(decoding: lexer.bytes, as: UTF8.self),
                    offset: lexer.index)
            }
            try lexer.skipCFWS()
            if lexer.isAtEnd { break }  // a trailing ';' is tolerated
            if lexer.peek == ASCII.semicolon { continue }
            let rawName = lexer.readToken()
            try lexer.skipCFWS()
            guard !rawName.isEmpty, lexer.consume(ASCII.equals) else {
                throw MailError(
                    lexer.errorCode, "expected name=value", input: String(decoding: lexer.bytes, as: UTF8.self),
                    offset: lexer.index)
            }
            try lexer.skipCFWS()
            let value: [UInt8]
            if lexer.peek == ASCII.quote {
                value = try lexer.readQuotedString()
            } else {
                // Lenient: accept an unquoted value up to ';' (some mailers omit quotes).
                value = Array(ASCII.trimmingWSP(lexer.read(while: { $0 != ASCII.semicolon })))
            }
            let (base, segment) = split(ASCII.lowercased(rawName), value: value)
            if seen.insert(base).inserted { order.append(base) }
            if let segment {
                segments[base, default: []].append(segment)
            } else if simple[base] == nil {
                simple[base] = value
            }
        }
        return order.compactMap { base in
            let value: String
            if let parts = segments[base], let assembled = assemble(parts) {
                value = assembled
            } else if let raw = simple[base] {
                value = String(decoding: raw, as: UTF8.self)
            } else {
                return nil
            }
            return MIMEParameter(validatedName: base, value: value)
        }
    }

    /// Splits `name`, `name*`, `name*N` and `name*N*` into the base name and an RFC 2231 segment.
    private static func split(_ name: String, value: [UInt8]) -> (String, Segment?) {
        let parts = name.split(separator: "*", omittingEmptySubsequences: false)
        switch parts.count {
        case 2 where parts[1].isEmpty:
            return (String(parts[0]), Segment(index: 0, extended: true, raw: value))
        case 2:
            if let index = Int(parts[1]), index >= 0, index < 10_000 {
                return (String(parts[0]), Segment(index: index, extended: false, raw: value))
            }
        case 3 where parts[2].isEmpty:
            if let index = Int(parts[1]), index >= 0, index < 10_000 {
                return (String(parts[0]), Segment(index: index, extended: true, raw: value))
            }
        default:
            break
        }
        return (name, nil)
    }

    /// Joins segments in index order and decodes them in the charset named by the first.
    private static func assemble(_ segments: [Segment]) -> String? {
        var seen = Set<Int>()
        let ordered = segments.sorted { $0.index < $1.index }.filter { seen.insert($0.index).inserted }
        guard let first = ordered.first else { return nil }
        var charset: Charset?
        var bytes: [UInt8] = []
        for (position, segment) in ordered.enumerated() {
            var raw = segment.raw[...]
            if position == 0 && segment.extended && first.index == 0 {
                // charset'language'value
                let pieces = raw.split(separator: ASCII.apostrophe, maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    charset = Charset(name: String(decoding: pieces[0], as: UTF8.self))
                    raw = pieces[2]
                }
            }
            bytes += segment.extended ? ParameterEncoding.percentDecode(raw) : Array(raw)
        }
        return (charset ?? .utf8).decode(bytes)
    }
}
