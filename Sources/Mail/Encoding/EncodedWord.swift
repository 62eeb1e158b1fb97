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
    /// Words are split at Character boundaries (at Unicode scalar boundaries for a Character
    /// too long for one word), so no word carries a partial UTF-8 sequence.
    struct Encoder {
        private var units: [[UInt8]]
        private var position = 0
        private let useQ: Bool

        init(_ text: some StringProtocol) {
            units = text.map { Array($0.utf8) }
            let bytes = units.joined()
            let qCost = bytes.reduce(0) { $0 + Encoder.qWidth($1) }
            let bCost = (bytes.count + 2) / 3 * 4
            useQ = qCost <= bCost
        }

        /// Whether all text has been encoded.
        var isFinished: Bool { position >= units.count }

        /// The next encoded-word of at most `maxLength` characters (raised to `minimumBudget`),
        /// or nil when all text has been encoded.
        mutating func next(maxLength: Int) -> [UInt8]? {
            guard position < units.count else { return nil }
            let capacity = Swift.min(Swift.max(maxLength, minimumBudget), EncodedWord.maxLength) - overhead
            var payload: [UInt8] = []
            var qLength = 0
            while position < units.count {
                let unit = units[position]
                let unitQ = unit.reduce(0) { $0 + Encoder.qWidth($1) }
                if fits(payloadCount: payload.count + unit.count, qLength: qLength + unitQ, capacity: capacity) {
                    payload += unit
                    qLength += unitQ
                    position += 1
                    continue
                }
                if payload.isEmpty {
                    // A single Character too long for one word: split it at scalar boundaries.
                    var taken = 0
                    for scalar in String(decoding: unit, as: UTF8.self).unicodeScalars {
                        let scalarBytes = Array(String(scalar).utf8)
                        let scalarQ = scalarBytes.reduce(0) { $0 + Encoder.qWidth($1) }
                        guard
                            fits(
                                payloadCount: payload.count + scalarBytes.count, qLength: qLength + scalarQ,
                                capacity: capacity)
                        else { break }
                        payload += scalarBytes
                        qLength += scalarQ
                        taken += scalarBytes.count
                    }
                    units[position].removeFirst(taken)
                    if units[position].isEmpty { position += 1 }
                }
                break
            }
            return encode(payload)
        }

        private func fits(payloadCount: Int, qLength: Int, capacity: Int) -> Bool {
            useQ ? qLength <= capacity : (payloadCount + 2) / 3 * 4 <= capacity
        }

        private static func qWidth(_ byte: UInt8) -> Int {
            isQSafe(byte) || byte == ASCII.space ? 1 : 3
        }

        private func encode(_ payload: [UInt8]) -> [UInt8] {
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
