/// Optional header lines of an armored block: the PSMTP `Comment` and `VersionHeader`
/// settings. None are written by default.
public struct ArmorHeaders: Sendable, Hashable {
    /// A `Comment:` line, or nil.
    public var comment: String?
    /// A `Version:` line, or nil.
    public var version: String?
    /// Whether to append the CRC-24 checksum line. RFC 9580 §6.1 makes it optional, but
    /// GnuPG 2.2 misreads armor without it, so it is written by default.
    public var includeChecksum: Bool

    public init(comment: String? = nil, version: String? = nil, includeChecksum: Bool = true) {
        self.comment = comment
        self.version = version
        self.includeChecksum = includeChecksum
    }

    var lines: [(String, String)] {
        var lines: [(String, String)] = []
        if let version { lines.append(("Version", version)) }
        if let comment { lines.append(("Comment", comment)) }
        return lines
    }
}

/// The line ending of armored output.
public enum ArmorLineEnding: Sendable, Hashable {
    /// `\n`, usual in files.
    case lf
    /// `\r\n`, as MIME bodies (PGP/MIME) need.
    case crlf

    var bytes: [UInt8] { self == .lf ? [0x0A] : [0x0D, 0x0A] }
}

/// The kinds of armored block.
public enum ArmorType: String, Sendable, Hashable, CaseIterable {
    case message = "PGP MESSAGE"
    case publicKey = "PGP PUBLIC KEY BLOCK"
    case privateKey = "PGP PRIVATE KEY BLOCK"
    case signature = "PGP SIGNATURE"
}

/// One decoded armored block.
public struct ArmoredBlock: Sendable, Hashable {
    public let type: ArmorType
    public let headers: [String: String]
    public let data: [UInt8]
}

/// ASCII armor (RFC 9580 §6).
public enum Armor {
    /// The first line of a cleartext signed message (RFC 9580 §7), which is not an armored block.
    static let cleartextHeaderLine = "-----BEGIN PGP SIGNED MESSAGE-----"

    /// Armors `data` with 64-character lines.
    public static func encode(
        _ data: [UInt8], type: ArmorType, headers: ArmorHeaders = ArmorHeaders(), lineEnding: ArmorLineEnding = .lf
    ) -> String {
        var writer = ArmorWriter(type: type, headers: headers, lineEnding: lineEnding)
        var out = writer.begin()
        data.withUnsafeBytes { writer.write($0, into: &out) }
        writer.finish(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes every armored block in `text`, in order.
    public static func decode(_ text: [UInt8]) throws -> [ArmoredBlock] {
        var blocks: [ArmoredBlock] = []
        var lines = ArmorLines(text)
        while let line = lines.next() {
            guard let type = try beginType(line) else { continue }
            blocks.append(try decodeBlock(type: type, lines: &lines))
        }
        guard !blocks.isEmpty else { throw OpenPGPError(.malformedArmor, "no armored block found") }
        return blocks
    }

    /// Decodes `text`: the `String` convenience.
    public static func decode(_ text: String) throws -> [ArmoredBlock] { try decode(Array(text.utf8)) }

    /// The binary content of `input`: dearmored (all blocks joined) if it is armored,
    /// unchanged if it is already binary.
    public static func decodeIfArmored(_ input: [UInt8]) throws -> [UInt8] {
        guard isArmored(input) else { return input }
        return try decode(input).flatMap(\.data)
    }

    /// Whether `input` looks like ASCII armor (binary OpenPGP always starts with a byte ≥ 0x80).
    public static func isArmored(_ input: [UInt8]) -> Bool {
        guard let first = input.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }), first < 0x80
        else {
            return false
        }
        return containsBegin(input)
    }

    private static func containsBegin(_ input: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN PGP".utf8)
        guard input.count >= marker.count else { return false }
        for start in 0...(input.count - marker.count) where input[start] == marker[0] {
            if input[start..<start + marker.count].elementsEqual(marker) { return true }
        }
        return false
    }

    private static func beginType(_ line: ArraySlice<UInt8>) throws -> ArmorType? {
        let text = String(decoding: line, as: UTF8.self).trimmingTrailingWhitespace
        guard text.hasPrefix("-----BEGIN "), text.hasSuffix("-----"), text != cleartextHeaderLine else { return nil }
        let name = String(text.dropFirst(11).dropLast(5))
        guard let type = ArmorType(rawValue: name) else {
            throw OpenPGPError(.unknownArmorType, "unknown armor block type \"\(name)\"")
        }
        return type
    }

    private static func decodeBlock(type: ArmorType, lines: inout ArmorLines) throws -> ArmoredBlock {
        var headers: [String: String] = [:]
        // Header lines until the first blank line.
        while true {
            guard let line = lines.next() else { throw OpenPGPError(.malformedArmor, "armor ends inside its headers") }
            let text = String(decoding: line, as: UTF8.self).trimmingTrailingWhitespace
            if text.isEmpty { break }
            guard let colon = text.range(of: ": ") else {
                // Some writers omit the blank line when there are no headers: this is body.
                lines.pushBack(line)
                break
            }
            headers[String(text[..<colon.lowerBound])] = String(text[colon.upperBound...])
        }
        var body: [UInt8] = []
        let end = "-----END \(type.rawValue)-----"
        while true {
            guard let line = lines.next() else { throw OpenPGPError(.malformedArmor, "armor has no \(end) line") }
            let trimmed = line.trimmingTrailingWhitespaceBytes
            if trimmed.first == UInt8(ascii: "-") {
                guard String(decoding: trimmed, as: UTF8.self) == end else {
                    throw OpenPGPError(.malformedArmor, "expected \(end)")
                }
                break
            }
            if trimmed.first == UInt8(ascii: "="), trimmed.count == 5 {
                // The CRC-24 line. RFC 9580 §6.1: a missing or wrong checksum is no reason to reject.
                continue
            }
            body += trimmed
        }
        guard let data = Base64.decode(body) else {
            throw OpenPGPError(.malformedArmor, "invalid base64 in the armored \(type.rawValue)")
        }
        return ArmoredBlock(type: type, headers: headers, data: data)
    }
}

/// Streams the armored form of data written in pieces.
struct ArmorWriter {
    static let lineLength = 64
    let type: ArmorType
    let headers: ArmorHeaders
    private let newline: [UInt8]
    private var crc = CRC24()
    /// Bytes not yet encoded (fewer than 3, or a partial line's worth).
    private var pending: [UInt8] = []
    private var column = 0

    init(type: ArmorType, headers: ArmorHeaders, lineEnding: ArmorLineEnding = .lf) {
        self.type = type
        self.headers = headers
        self.newline = lineEnding.bytes
    }

    func begin() -> [UInt8] {
        var out = Array("-----BEGIN \(type.rawValue)-----".utf8) + newline
        for (key, value) in headers.lines {
            out += Array("\(key): \(value.filter { $0 != "\n" && $0 != "\r" })".utf8) + newline
        }
        return out + newline
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        if headers.includeChecksum { crc.update(bytes) }
        var input = bytes[...]
        // Complete a line started by an earlier write.
        if !pending.isEmpty {
            let take = min(48 - pending.count, input.count)
            pending += input.prefix(take)
            input = input.dropFirst(take)
            guard pending.count == 48 else { return }
            pending.withUnsafeBytes { Base64.encode($0, into: &out) }
            out += newline
            pending.removeAll(keepingCapacity: true)
        }
        // Whole 48-byte groups (one 64-character line each) straight from the input.
        let whole = input.count / 48 * 48
        if whole > 0 {
            Base64.encodeLines(UnsafeRawBufferPointer(rebasing: input.prefix(whole)), newline: newline, into: &out)
            input = input.dropFirst(whole)
        }
        pending += input
    }

    mutating func finish(into out: inout [UInt8]) {
        if !pending.isEmpty {
            out += Base64.encode(pending)
            out += newline
            pending.removeAll()
        }
        if headers.includeChecksum {
            out.append(UInt8(ascii: "="))
            out += Base64.encode(crc.bytes)
            out += newline
        }
        out += Array("-----END \(type.rawValue)-----".utf8) + newline
    }
}

/// The CRC-24 of RFC 9580 §6.1, a byte at a time through a table.
/// The armor checksum (RFC 9580 §6.1), computed eight bytes at a time ("slicing by 8": the
/// register is kept left-aligned in 32 bits so that the eight table lookups of a step are
/// independent). A byte at a time, it was the most expensive stage of armoring.
struct CRC24 {
    private var register: UInt32 = 0xB704CE << 8

    /// `tables[k][b]`: the register contribution of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        let polynomial: UInt32 = 0x864CFB << 8
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var value = UInt32(byte) << 24
            for _ in 0..<8 { value = value << 1 ^ (value & 0x8000_0000 != 0 ? polynomial : 0) }
            tables[byte] = value
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = previous << 8 ^ tables[Int(previous >> 24)]
            }
        }
        return tables
    }()

    /// The 24-bit checksum so far.
    var value: UInt32 { register >> 8 }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = register
        Self.tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let high =
                    crc
                    ^ (UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
                        | UInt32(bytes[index + 3]))
                crc =
                    t[7 * 256 + Int(high >> 24)] ^ t[6 * 256 + Int(high >> 16 & 0xFF)]
                    ^ t[5 * 256 + Int(high >> 8 & 0xFF)] ^ t[4 * 256 + Int(high & 0xFF)]
                    ^ t[3 * 256 + Int(bytes[index + 4])] ^ t[2 * 256 + Int(bytes[index + 5])]
                    ^ t[256 + Int(bytes[index + 6])] ^ t[Int(bytes[index + 7])]
                index += 8
            }
            while index < count {
                crc = crc << 8 ^ t[Int((crc >> 24) ^ UInt32(bytes[index]))]
                index += 1
            }
        }
        register = crc
    }

    var bytes: [UInt8] { [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
}

/// Splits text into lines on LF, dropping a CR before it.
struct ArmorLines {
    let text: [UInt8]
    /// Where the next line starts.
    private(set) var position = 0
    var pushedBack: ArraySlice<UInt8>?

    init(_ text: [UInt8]) { self.text = text }

    mutating func next() -> ArraySlice<UInt8>? {
        if let line = pushedBack {
            pushedBack = nil
            return line
        }
        guard position < text.count else { return nil }
        let start = position
        while position < text.count, text[position] != 0x0A { position += 1 }
        var end = position
        if position < text.count { position += 1 }
        if end > start, text[end - 1] == 0x0D { end -= 1 }
        return text[start..<end]
    }

    mutating func pushBack(_ line: ArraySlice<UInt8>) { pushedBack = line }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result.removeLast() }
        return result
    }
}

extension ArraySlice where Element == UInt8 {
    var trimmingTrailingWhitespaceBytes: ArraySlice<UInt8> {
        var result = self
        while let last = result.last, last == 0x20 || last == 0x09 || last == 0x0D { result.removeLast() }
        return result
    }
}
