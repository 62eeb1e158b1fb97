/// Decodes ASCII armor as it is read: the binary content of the first armored block.
final class DearmoringSource: ByteSource {
    private let input: BufferedSource
    private var decoded: [UInt8] = []
    private var decodedStart = 0
    /// Base64 characters carried over to the next line (fewer than four).
    private var carry: [UInt8] = []
    private var started = false
    private var finished = false
    /// The block type from the BEGIN line.
    private(set) var type: ArmorType?
    /// The armor header lines.
    private(set) var headers: [String: String] = [:]

    static let maximumLineLength = 1 << 16

    init(_ input: BufferedSource) { self.input = input }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !started { try begin() }
        if decodedStart == decoded.count {
            decoded.removeAll(keepingCapacity: true)
            decodedStart = 0
            // Decode many lines per call: one line is only 48 bytes.
            while decoded.count < max(buffer.count, 1 << 14) && !finished {
                try decodeNextLine()
            }
            if decoded.isEmpty { return 0 }
        }
        let count = min(buffer.count, decoded.count - decodedStart)
        decoded.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[decodedStart..<decodedStart + count]))
        }
        decodedStart += count
        return count
    }

    private func begin() throws {
        started = true
        while true {
            guard let line = try readLine() else { throw OpenPGPError(.malformedArmor, "no armored block found") }
            let text = String(decoding: line, as: UTF8.self).trimmingTrailingWhitespace
            guard text.hasPrefix("-----BEGIN "), text.hasSuffix("-----") else { continue }
            let name = String(text.dropFirst(11).dropLast(5))
            guard let type = ArmorType(rawValue: name) else {
                throw OpenPGPError(.unknownArmorType, "unknown armor block type \"\(name)\"")
            }
            self.type = type
            break
        }
        while true {
            guard let line = try readLine() else {
                throw OpenPGPError(.malformedArmor, "armor ends inside its headers")
            }
            let text = String(decoding: line, as: UTF8.self).trimmingTrailingWhitespace
            if text.isEmpty { return }
            guard let colon = text.range(of: ": ") else {
                // No blank line after the BEGIN line: this is already body.
                try decode(line)
                return
            }
            headers[String(text[..<colon.lowerBound])] = String(text[colon.upperBound...])
        }
    }

    private func decodeNextLine() throws {
        guard let type else { return }
        guard let line = try readLine() else {
            throw OpenPGPError(.malformedArmor, "armor has no END line", offset: input.offset)
        }
        var trimmed = line[...]
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
        if trimmed.first == UInt8(ascii: "-") {
            guard String(decoding: trimmed, as: UTF8.self) == "-----END \(type.rawValue)-----" else {
                throw OpenPGPError(.malformedArmor, "expected -----END \(type.rawValue)-----", offset: input.offset)
            }
            try finish()
            return
        }
        if trimmed.first == UInt8(ascii: "="), trimmed.count == 5 {
            // The CRC-24 line (RFC 9580 §6.1: not a reason to reject); the END line follows.
            return
        }
        try decode(Array(trimmed))
    }

    private func finish() throws {
        guard carry.isEmpty || carry.allSatisfy({ $0 == UInt8(ascii: "=") }) else {
            throw OpenPGPError(.malformedArmor, "the armored data ends in the middle of a base64 group")
        }
        finished = true
    }

    /// Decodes one body line, keeping an incomplete base64 group for the next line.
    private func decode(_ line: [UInt8]) throws {
        // The common case: no carry, no blanks, whole groups — decode the line in place.
        if carry.isEmpty, line.count % 4 == 0 {
            let valid = line.withUnsafeBytes { Base64.decode($0, into: &decoded) }
            guard valid else {
                throw OpenPGPError(.malformedArmor, "invalid base64 in the armored data", offset: input.offset)
            }
            return
        }
        var characters = carry
        characters.reserveCapacity(carry.count + line.count)
        for byte in line where byte != 0x20 && byte != 0x09 { characters.append(byte) }
        let whole = characters.count / 4 * 4
        let valid = characters.withUnsafeBytes {
            Base64.decode(UnsafeRawBufferPointer(rebasing: $0[0..<whole]), into: &decoded)
        }
        guard valid else {
            throw OpenPGPError(.malformedArmor, "invalid base64 in the armored data", offset: input.offset)
        }
        carry = Array(characters[whole...])
    }

    /// The next line without its line ending, or nil at the end of the input.
    private func readLine() throws -> [UInt8]? {
        var line: [UInt8] = []
        line.reserveCapacity(80)
        guard try input.readLine(into: &line, maximumLength: Self.maximumLineLength) else { return nil }
        if line.count > Self.maximumLineLength {
            throw OpenPGPError(
                .malformedArmor, "an armor line is longer than \(Self.maximumLineLength) bytes", offset: input.offset)
        }
        if line.last == 0x0D { line.removeLast() }
        return line
    }
}
