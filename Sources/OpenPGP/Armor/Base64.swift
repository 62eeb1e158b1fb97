/// Base64 (RFC 4648) on byte buffers, for ASCII armor. Works on raw pointers with the tables
/// loaded once per call: armor is on the hot path of every large message.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 value of each byte, or 0xFF (not base64), 0xFE (padding) or 0xFD (whitespace).
    static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        table[Int(UInt8(ascii: "="))] = 0xFE
        for whitespace in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")] {
            table[Int(whitespace)] = 0xFD
        }
        return table
    }()

    /// Encodes `input`, appending to `output` (no line breaks).
    static func encode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let count = input.count
        guard count > 0 else { return }
        let start = output.count
        let encodedCount = (count + 2) / 3 * 4
        output.append(contentsOf: repeatElement(0, count: encodedCount))
        alphabet.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { buffer in
                var out = buffer.baseAddress! + start
                var index = 0
                while index + 3 <= count {
                    let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    out[0] = table[Int(value >> 18 & 63)]
                    out[1] = table[Int(value >> 12 & 63)]
                    out[2] = table[Int(value >> 6 & 63)]
                    out[3] = table[Int(value & 63)]
                    out += 4
                    index += 3
                }
                let rest = count - index
                if rest > 0 {
                    let value = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
                    out[0] = table[Int(value >> 18 & 63)]
                    out[1] = table[Int(value >> 12 & 63)]
                    out[2] = rest == 2 ? table[Int(value >> 6 & 63)] : UInt8(ascii: "=")
                    out[3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// Encodes `input`, a whole number of 48-byte groups, as 64-character lines each followed
    /// by `newline`, appending to `output` in one pass.
    static func encodeLines(_ input: UnsafeRawBufferPointer, newline: [UInt8], into output: inout [UInt8]) {
        precondition(input.count % 48 == 0, "encodeLines takes whole 48-byte groups")
        let lines = input.count / 48
        guard lines > 0 else { return }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: lines * (64 + newline.count)))
        alphabet.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { buffer in
                var out = buffer.baseAddress! + start
                var source = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for _ in 0..<lines {
                    for _ in 0..<16 {
                        let value = UInt32(source[0]) << 16 | UInt32(source[1]) << 8 | UInt32(source[2])
                        out[0] = table[Int(value >> 18 & 63)]
                        out[1] = table[Int(value >> 12 & 63)]
                        out[2] = table[Int(value >> 6 & 63)]
                        out[3] = table[Int(value & 63)]
                        out += 4
                        source += 3
                    }
                    for byte in newline {
                        out.pointee = byte
                        out += 1
                    }
                }
            }
        }
    }

    static func encode(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        input.withUnsafeBytes { encode($0, into: &output) }
        return output
    }

    /// Decodes base64 text, skipping whitespace, appending to `output`. False on any other
    /// invalid character, on data after padding, or on a dangling partial group.
    static func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: input.count / 4 * 3 + 3))
        var written = 0
        let valid = decodingTable.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { buffer -> Bool in
                let out = buffer.baseAddress! + start
                var accumulator: UInt32 = 0
                var bits = 0
                var padding = 0
                var index = 0
                let count = input.count
                // Fast path: whole groups of four base64 characters, as armor lines are.
                while padding == 0 && index + 4 <= count {
                    let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                    let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                    guard a | b | c | d < 64, bits == 0 else { break }
                    let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[written] = UInt8(truncatingIfNeeded: value >> 16)
                    out[written + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    out[written + 2] = UInt8(truncatingIfNeeded: value)
                    written += 3
                    index += 4
                }
                // The rest one character at a time: whitespace, padding, odd groups.
                while index < count {
                    let value = table[Int(input[index])]
                    index += 1
                    if value < 64 {
                        guard padding == 0 else { return false }
                        accumulator = accumulator << 6 | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            out[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                            written += 1
                        }
                    } else if value == 0xFE {
                        padding += 1
                    } else if value != 0xFD {
                        return false
                    }
                }
                return padding <= 2 && bits < 6
            }
        }
        output.removeLast(output.count - start - written)
        return valid
    }

    /// Decodes base64 text; nil when it is not valid base64.
    static func decode(_ input: some Sequence<UInt8>) -> [UInt8]? {
        let bytes = Array(input)
        var output: [UInt8] = []
        let valid = bytes.withUnsafeBytes { decode($0, into: &output) }
        return valid ? output : nil
    }
}
