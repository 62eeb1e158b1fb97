/// A key fingerprint: 20 bytes (SHA-1) for v4 keys, 32 bytes (SHA-256) for v6 keys.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The raw fingerprint bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses hexadecimal text, with or without spaces or a `0x` prefix.
    public init?(hex: String) {
        var text = hex
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text.removeFirst(2) }
        guard let parsed = PGPMailHex.decode(text), parsed.count == 20 || parsed.count == 32 else { return nil }
        bytes = parsed
    }

    /// Upper-case hexadecimal, no spaces.
    public var hex: String { bytes.hexString }

    public var description: String { hex }

    /// The key ID derived from this fingerprint (low 64 bits for v4, high 64 bits for v6).
    public var keyID: KeyID {
        let slice = bytes.count == 32 ? Array(bytes.prefix(8)) : Array(bytes.suffix(8))
        return KeyID(bytes: slice)
    }
}

/// A 64-bit key ID. The all-zero ID is the "wildcard" an anonymous recipient uses.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    /// The eight raw bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 8, "a key ID has 8 bytes")
        self.bytes = bytes
    }

    /// Parses 16 hexadecimal digits (a long key ID), optionally with a `0x` prefix.
    public init?(hex: String) {
        var text = hex
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text.removeFirst(2) }
        guard let parsed = PGPMailHex.decode(text), parsed.count == 8 else { return nil }
        bytes = parsed
    }

    /// The wildcard key ID.
    public static let wildcard = KeyID(bytes: [UInt8](repeating: 0, count: 8))

    /// Upper-case hexadecimal.
    public var hex: String { bytes.hexString }

    /// The last 8 hex digits ("short key ID").
    public var shortHex: String { String(hex.suffix(8)) }

    public var description: String { hex }
}

/// Hexadecimal decoding shared by the public parsers.
enum PGPMailHex {
    static func decode(_ text: String) -> [UInt8]? { bytes(fromHex: text) }
}
