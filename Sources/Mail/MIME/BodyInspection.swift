/// Checks on body bytes that decide or validate a transfer encoding.
enum BodyInspection {
    /// Facts about text bytes, with CRLF, LF and CR all counting as line breaks.
    struct TextFacts {
        var hasEightBit = false
        var hasNUL = false
        var hasOtherControl = false
        var hasTrailingWhitespace = false
        var hasFromLine = false
        var longestLine = 0

        init(_ bytes: [UInt8]) {
            var lineLength = 0
            var previous: UInt8 = ASCII.lf
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == ASCII.cr || byte == ASCII.lf {
                    if ASCII.isWSP(previous) { hasTrailingWhitespace = true }
                    longestLine = max(longestLine, lineLength)
                    lineLength = 0
                    previous = ASCII.lf
                    index += 1
                    continue
                }
                if lineLength == 0 && bytes[index...].starts(with: "From ".utf8) { hasFromLine = true }
                if byte >= 0x80 {
                    hasEightBit = true
                } else if byte == ASCII.nul {
                    hasNUL = true
                } else if (byte < 0x20 && byte != ASCII.tab) || byte == 0x7F {
                    hasOtherControl = true
                }
                lineLength += 1
                previous = byte
                index += 1
            }
            if ASCII.isWSP(previous) { hasTrailingWhitespace = true }
            longestLine = max(longestLine, lineLength)
        }

        /// Plain enough to be sent as 7bit and survive signing (RFC 3156 §3).
        var isPlain7Bit: Bool {
            !hasEightBit && !hasNUL && !hasOtherControl && !hasTrailingWhitespace && !hasFromLine
                && longestLine <= QuotedPrintable.maxLineLength
        }

        /// Acceptable as 7bit at all.
        var allows7Bit: Bool { !hasEightBit && !hasNUL && longestLine <= HeaderWriter.hardLimit }

        /// Acceptable as 8bit at all.
        var allows8Bit: Bool { !hasNUL && longestLine <= HeaderWriter.hardLimit }
    }

    /// Text bytes with every line break (CRLF, LF or CR) written as CRLF.
    static func canonicalLineBreaks(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.cr {
                out += ASCII.crlf
                index += (index + 1 < bytes.count && bytes[index + 1] == ASCII.lf) ? 2 : 1
            } else if byte == ASCII.lf {
                out += ASCII.crlf
                index += 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// Whether every CR is followed by LF and every LF preceded by CR.
    static func hasOnlyCRLF(_ bytes: [UInt8]) -> Bool {
        for index in bytes.indices {
            if bytes[index] == ASCII.cr && (index + 1 >= bytes.count || bytes[index + 1] != ASCII.lf) { return false }
            if bytes[index] == ASCII.lf && (index == 0 || bytes[index - 1] != ASCII.cr) { return false }
        }
        return true
    }

    /// The longest CRLF-delimited line, excluding the CRLF.
    static func longestLine(_ bytes: [UInt8]) -> Int {
        var longest = 0
        var current = 0
        for byte in bytes {
            if byte == ASCII.lf {
                longest = max(longest, current - 1)
                current = 0
            } else {
                current += 1
            }
        }
        return max(longest, current)
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }
}
