/// RFC 2047 encoded-words (`=?UTF-8?Q?...?=` / `=?UTF-8?B?...?=`).
enum EncodedWord {
    /// The longest encoded-word RFC 2047 allows.
    static let maxLength = 75
    /// The longest line that may carry encoded-words (RFC 2047 §2).
    static let maxLineLength = 76
    /// Length of `=?UTF-8?X?` plus `?=`.
    static let overhead = 12
    /// A budget that always fits at least one Unicode scalar (12 Q characters).
    static let minimumBudget = overhead + 12

    /// Whether a byte may stand for itself in Q encoding in any header context (RFC 2047 §5(3)).
    @inline(__always)
    static func isQSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x21, 0x2A, 0x2B, 0x2D, 0x2F: true
        default: false
        }
    }

    /// Whether a word of unstructured text must be encoded to survive transport unchanged:
    /// it contains non-ASCII or control characters, or would itself be taken for an encoded-word.
    static func wordNeedsEncoding(_ word: some Collection<UInt8>) -> Bool {
        if word.contains(where: { !ASCII.isVCHAR($0) }) { return true }
        return looksEncoded(word)
    }

    /// Whether the bytes contain `=?` followed later by `?=`, which a decoder could take for an
    /// encoded-word.
    static func looksEncoded(_ word: some Collection<UInt8>) -> Bool {
        let bytes = Array(word)
        guard bytes.count >= 4,
            let start = (0..<(bytes.count - 1)).first(where: {
                bytes[$0] == ASCII.equals && bytes[$0 + 1] == ASCII.question
            })
        else { return false }
        return (start + 2..<max(bytes.count - 1, start + 2)).contains {
            bytes[$0] == ASCII.question && bytes[$0 + 1] == ASCII.equals
        }
    }

    /// Produces UTF-8 encoded-words from text, one at a time, each within a length budget.
    ///
    /// Words end at Character boundaries where possible, otherwise at Unicode scalar
    /// boundaries, so no word carries a partial UTF-8 sequence. Text for which Q is no longer
    /// than B is written in Q. In B, every word but the last carries a multiple of 3 octets and
    /// so ends without `=` padding: GMime (notmuch, Geary, Balsa) joins the payloads of adjacent
    /// words with the same encoding and charset before decoding, and padding in the middle
    /// corrupts everything after it. When no B word of whole characters with a multiple of
    /// 3 octets fits, a Q word is written instead if it carries more text; a Q word ends a run,
    /// so a B word before it may keep its padding.
    struct Encoder {
        private let bytes: [UInt8]
        /// The byte offset after each Unicode scalar, and whether a Character ends there.
        private let boundaries: [(offset: Int, endsCharacter: Bool)]
        /// `qPrefix[i]`: the Q-encoded length of `bytes[0..<i]`.
        private let qPrefix: [Int]
        private let preferQ: Bool
        private var start = 0
        private var nextBoundary = 0

        init(_ text: some StringProtocol) {
            var bytes: [UInt8] = []
            var boundaries: [(offset: Int, endsCharacter: Bool)] = []
            for character in text {
                for scalar in character.unicodeScalars {
                    UTF8.encode(scalar) { bytes.append($0) }
                    boundaries.append((bytes.count, false))
                }
                if !boundaries.isEmpty { boundaries[boundaries.count - 1].endsCharacter = true }
            }
            var qPrefix = [0]
            qPrefix.reserveCapacity(bytes.count + 1)
            for byte in bytes { qPrefix.append(qPrefix[qPrefix.count - 1] + Encoder.qWidth(byte)) }
            self.bytes = bytes
            self.boundaries = boundaries
            self.qPrefix = qPrefix
            preferQ = qPrefix[bytes.count] <= Encoder.bLength(bytes.count)
        }

        /// Whether all text has been encoded.
        var isFinished: Bool { start >= bytes.count }

        /// The next encoded-word of at most `maxLength` characters (raised to `minimumBudget`),
        /// or nil when all text has been encoded.
        mutating func next(maxLength: Int) -> [UInt8]? {
            guard start < bytes.count else { return nil }
            let origin = start
            let (end, useQ) = plan(maxLength: maxLength)
            start = end
            while nextBoundary < boundaries.count, boundaries[nextBoundary].offset <= start { nextBoundary += 1 }
            return encode(bytes[origin..<end], useQ: useQ)
        }

        /// Whether the next word at most `maxLength` long would end at a Character boundary
        /// (false when it would have to split a Character, or all text has been encoded).
        func nextEndsCharacter(maxLength: Int) -> Bool {
            guard start < bytes.count else { return false }
            let end = plan(maxLength: maxLength).end
            var index = nextBoundary
            while index < boundaries.count, boundaries[index].offset < end { index += 1 }
            return index < boundaries.count && boundaries[index].endsCharacter
        }

        /// Where the next word ends and whether it is written in Q.
        private func plan(maxLength: Int) -> (end: Int, useQ: Bool) {
            let capacity = Swift.min(Swift.max(maxLength, minimumBudget), EncodedWord.maxLength) - overhead
            let origin = start
            let qPrefix = self.qPrefix
            let fitsQ = { (end: Int) in qPrefix[end] - qPrefix[origin] <= capacity }
            let fitsB = { (end: Int) in Encoder.bLength(end - origin) <= capacity }
            let wholeCharacters = { (_: Int, endsCharacter: Bool) in endsCharacter }
            let anyScalar = { (_: Int, _: Bool) in true }
            // A scalar takes at most 12 Q characters and the capacity is at least 12, so some
            // scalar always fits; the fallback to one scalar only guards against a mistake.
            let oneScalar = boundaries[nextBoundary].offset
            let end: Int
            let useQ: Bool
            if preferQ {
                end = longestPrefix(fitsQ, wholeCharacters) ?? longestPrefix(fitsQ, anyScalar) ?? oneScalar
                useQ = true
            } else if fitsB(bytes.count) {
                end = bytes.count
                useQ = false
            } else {
                let unpadded = { (end: Int, endsCharacter: Bool) in endsCharacter && (end - origin) % 3 == 0 }
                var b = longestPrefix(fitsB, unpadded)
                var q = longestPrefix(fitsQ, wholeCharacters)
                if b == nil && q == nil {
                    b = longestPrefix(fitsB) { end, _ in (end - origin) % 3 == 0 }
                    q = longestPrefix(fitsQ, anyScalar)
                }
                let bEnd = b ?? origin
                let qEnd = q ?? origin
                useQ = qEnd > bEnd || bEnd == origin
                end = useQ ? max(qEnd, oneScalar) : bEnd
            }
            return (end, useQ)
        }

        /// The longest prefix of the remaining text that `fits`, ending at a boundary that
        /// `accepts`; nil if there is none.
        private func longestPrefix(_ fits: (Int) -> Bool, _ accepts: (Int, Bool) -> Bool) -> Int? {
            var best: Int?
            var index = nextBoundary
            while index < boundaries.count, fits(boundaries[index].offset) {
                if accepts(boundaries[index].offset, boundaries[index].endsCharacter) {
                    best = boundaries[index].offset
                }
                index += 1
            }
            return best
        }

        private static func bLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

        private static func qWidth(_ byte: UInt8) -> Int {
            isQSafe(byte) || byte == ASCII.space ? 1 : 3
        }

        private func encode(_ payload: ArraySlice<UInt8>, useQ: Bool) -> [UInt8] {
            var word = Array("=?UTF-8?".utf8)
            if useQ {
                word += Array("Q?".utf8)
                for byte in payload {
                    if byte == ASCII.space {
                        word.append(ASCII.underscore)
                    } else if isQSafe(byte) {
                        word.append(byte)
                    } else {
                        word += [ASCII.equals, ASCII.hexDigits[Int(byte >> 4)], ASCII.hexDigits[Int(byte & 0x0F)]]
                    }
                }
            } else {
                word += Array("B?".utf8)
                word += Base64.encodeUnwrapped(payload)
            }
            word += [ASCII.question, ASCII.equals]
            return word
        }
    }
}
