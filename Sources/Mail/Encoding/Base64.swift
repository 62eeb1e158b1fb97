/// Base64 (RFC 2045 §6.8): a streaming line encoder and a tolerant decoder.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Maps a byte to its sextet value, or 0xFF if it is not in the alphabet.
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Encodes without line breaks (for encoded-words).
    static func encodeUnwrapped(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            out.append(b1.map { alphabet[Int(($0 & 0x0F) << 2 | (b2 ?? 0) >> 6)] } ?? ASCII.equals)
            out.append(b2.map { alphabet[Int($0 & 0x3F)] } ?? ASCII.equals)
        }
        return out
    }

    /// Encodes into CRLF-terminated lines of at most 76 characters.
    static func encodeLines(_ bytes: [UInt8]) -> [UInt8] {
        var encoder = LineEncoder()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 57 * 78 + 80)
        bytes.withUnsafeBytes { encoder.encode($0, into: &out) }
        encoder.finish(into: &out)
        return out
    }

    /// Decodes base64, ignoring characters outside the alphabet (RFC 2045) and stopping at padding.
    ///
    /// Throws `malformedMIME` if the data ends with a single dangling character.
    static func decode(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 3)
        var accumulator: UInt32 = 0
        var count = 0
        for byte in bytes {
            if byte == ASCII.equals { break }
            let value = decodeTable[Int(byte)]
            if value == 0xFF { continue }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        switch count {
        case 0: break
        case 2: out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            throw MailError(.malformedMIME, "base64 data ends with a single dangling character")
        }
        return out
    }

    /// Encodes a stream of chunks into 76-character CRLF lines, keeping at most two bytes
    /// between calls, so arbitrarily large inputs are encoded in constant memory.
    struct LineEncoder {
        static let lineLength = 76
        private var pending: (UInt8, UInt8) = (0, 0)
        private var pendingCount = 0
        private var column = 0

        /// Appends the encoding of `input` to `out`.
        mutating func encode(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
            let count = input.count
            out.reserveCapacity(out.count + count / 3 * 4 + count / 57 * 2 + 8)
            Base64.alphabet.withUnsafeBufferPointer { table in
                var index = 0
                // Complete a group started by a previous call.
                while pendingCount > 0 && index < count {
                    if pendingCount == 1 {
                        pending.1 = input[index]
                        pendingCount = 2
                    } else {
                        emit(pending.0, pending.1, input[index], table: table, into: &out)
                        pendingCount = 0
                    }
                    index += 1
                }
                while count - index >= 3 {
                    emit(input[index], input[index + 1], input[index + 2], table: table, into: &out)
                    index += 3
                }
                while index < count {
                    if pendingCount == 0 { pending.0 = input[index] } else { pending.1 = input[index] }
                    pendingCount += 1
                    index += 1
                }
            }
        }

        /// Flushes the last partial group with padding and terminates the last line.
        mutating func finish(into out: inout [UInt8]) {
            if pendingCount > 0 {
                breakLineIfFull(&out)
                let b0 = pending.0
                let b1: UInt8 = pendingCount == 2 ? pending.1 : 0
                out.append(Base64.alphabet[Int(b0 >> 2)])
                out.append(Base64.alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                out.append(pendingCount == 2 ? Base64.alphabet[Int((b1 & 0x0F) << 2)] : ASCII.equals)
                out.append(ASCII.equals)
                column += 4
                pendingCount = 0
            }
            if column > 0 {
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                column = 0
            }
        }

        @inline(__always)
        private mutating func breakLineIfFull(_ out: inout [UInt8]) {
            if column >= LineEncoder.lineLength {
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                column = 0
            }
        }

        @inline(__always)
        private mutating func emit(
            _ b0: UInt8, _ b1: UInt8, _ b2: UInt8, table: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]
        ) {
            breakLineIfFull(&out)
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(table[Int((b1 & 0x0F) << 2 | b2 >> 6)])
            out.append(table[Int(b2 & 0x3F)])
            column += 4
        }
    }
}
