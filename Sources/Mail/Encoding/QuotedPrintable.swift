/// Quoted-printable (RFC 2045 §6.7).
enum QuotedPrintable {
    /// The longest encoded line, excluding CRLF.
    static let maxLineLength = 76

    /// Encodes text: CRLF, bare LF and bare CR in the input become hard line breaks (CRLF).
    ///
    /// Trailing whitespace is encoded, `=` and non-printable bytes are escaped, lines starting
    /// with "From " get their `F` escaped (so mbox-style munging cannot alter signed text),
    /// and soft line breaks keep every line at most 76 characters.
    static func encodeText(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8 + 8)
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.cr || byte == ASCII.lf {
                encodeLine(bytes[lineStart..<index], binary: false, into: &out)
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                index += (byte == ASCII.cr && index + 1 < bytes.count && bytes[index + 1] == ASCII.lf) ? 2 : 1
                lineStart = index
            } else {
                index += 1
            }
        }
        encodeLine(bytes[lineStart..<bytes.count], binary: false, into: &out)
        return out
    }

    /// Encodes arbitrary bytes: CR and LF are escaped, so decoding restores the input exactly.
    static func encodeBinary(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        encodeLine(bytes[...], binary: true, into: &out)
        return out
    }

    private static func encodeLine(_ line: ArraySlice<UInt8>, binary: Bool, into out: inout [UInt8]) {
        var column = 0
        let startsWithFrom = !binary && line.starts(with: "From ".utf8)
        let lastIndex = line.endIndex - 1
        for index in line.indices {
            let byte = line[index]
            let isLast = index == lastIndex
            let literal: Bool
            switch byte {
            case ASCII.space, ASCII.tab: literal = !isLast
            case ASCII.equals: literal = false
            case 0x21...0x7E: literal = !(startsWithFrom && index == line.startIndex)
            default: literal = false
            }
            let width = literal ? 1 : 3
            // A soft break costs one column ("="); the last piece of a line needs none.
            if column + width > (isLast ? maxLineLength : maxLineLength - 1) {
                out.append(ASCII.equals)
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                column = 0
            }
            if literal {
                out.append(byte)
            } else {
                out.append(ASCII.equals)
                out.append(ASCII.hexDigits[Int(byte >> 4)])
                out.append(ASCII.hexDigits[Int(byte & 0x0F)])
            }
            column += width
        }
    }

    /// Decodes quoted-printable. Hard line breaks (CRLF or LF) become CRLF, soft breaks vanish,
    /// trailing whitespace added in transport is dropped, and malformed `=` sequences are kept
    /// literally as RFC 2045 recommends.
    static func decode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var lineStart = 0
        while lineStart <= input.count {
            var lineEnd = lineStart
            while lineEnd < input.count && input[lineEnd] != ASCII.lf { lineEnd += 1 }
            let hasBreak = lineEnd < input.count
            var contentEnd = lineEnd
            if hasBreak && contentEnd > lineStart && input[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
            while contentEnd > lineStart && ASCII.isWSP(input[contentEnd - 1]) { contentEnd -= 1 }
            var soft = false
            var index = lineStart
            while index < contentEnd {
                let byte = input[index]
                if byte == ASCII.equals {
                    if index + 1 == contentEnd {
                        soft = true
                        index += 1
                        continue
                    }
                    if index + 2 < contentEnd, let high = ASCII.hexValue(input[index + 1]),
                        let low = ASCII.hexValue(input[index + 2])
                    {
                        out.append(high << 4 | low)
                        index += 3
                        continue
                    }
                }
                out.append(byte)
                index += 1
            }
            if !hasBreak { break }
            if !soft {
                out.append(ASCII.cr)
                out.append(ASCII.lf)
            }
            lineStart = lineEnd + 1
        }
        return out
    }
}
