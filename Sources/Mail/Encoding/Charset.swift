/// A character set for text bodies and for decoding headers and bodies.
///
/// Composing defaults to UTF-8; the others exist for recipients that need them and for
/// reading mail written by other software. Unknown charsets are decoded as lossy UTF-8.
public struct Charset: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable { case utf8, usASCII, isoLatin1, windows1252 }

    /// The canonical MIME name, e.g. `utf-8`.
    public let name: String
    let kind: Kind

    private init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// UTF-8 (`utf-8`).
    public static let utf8 = Charset(name: "utf-8", kind: .utf8)
    /// US-ASCII (`us-ascii`).
    public static let usASCII = Charset(name: "us-ascii", kind: .usASCII)
    /// ISO-8859-1 (`iso-8859-1`).
    public static let isoLatin1 = Charset(name: "iso-8859-1", kind: .isoLatin1)
    /// Windows code page 1252 (`windows-1252`).
    public static let windows1252 = Charset(name: "windows-1252", kind: .windows1252)

    /// Looks up a charset by MIME name or common alias, ignoring case; nil if unsupported.
    public init?(name: String) {
        switch ASCII.lowercased(ASCII.trimmingWSP(name)) {
        case "utf-8", "utf8": self = .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us": self = .usASCII
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1": self = .isoLatin1
        case "windows-1252", "cp1252", "x-cp1252": self = .windows1252
        default: return nil
        }
    }

    /// The MIME name.
    public var description: String { name }

    /// Encodes `text`, throwing `unencodableText` (PSMTP error 434) if a character has no representation.
    public func encode(_ text: String) throws -> [UInt8] {
        switch kind {
        case .utf8:
            return Array(text.utf8)
        case .usASCII, .isoLatin1, .windows1252:
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                guard let byte = singleByte(for: scalar) else {
                    throw MailError(
                        .unencodableText,
                        "U+\(String(scalar.value, radix: 16, uppercase: true)) cannot be encoded in \(name)",
                        input: String(scalar))
                }
                out.append(byte)
            }
            return out
        }
    }

    /// Whether every character of `text` can be encoded.
    public func canEncode(_ text: String) -> Bool {
        kind == .utf8 || text.unicodeScalars.allSatisfy { singleByte(for: $0) != nil }
    }

    /// Decodes bytes; invalid sequences become U+FFFD.
    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch kind {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .usASCII:
            return String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        case .isoLatin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .windows1252:
            return String(
                String.UnicodeScalarView(
                    bytes.map { byte in
                        if byte >= 0x80 && byte <= 0x9F,
                            let scalar = Unicode.Scalar(Charset.cp1252High[Int(byte - 0x80)])
                        {
                            return scalar
                        }
                        return Unicode.Scalar(byte)
                    }))
        }
    }

    private func singleByte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        switch kind {
        case .utf8: return nil
        case .usASCII: return value < 0x80 ? UInt8(value) : nil
        case .isoLatin1: return value <= 0xFF ? UInt8(value) : nil
        case .windows1252:
            if value < 0x80 || (value >= 0xA0 && value <= 0xFF) { return UInt8(value) }
            if let index = Charset.cp1252High.firstIndex(of: value) { return UInt8(0x80 + index) }
            return nil
        }
    }

    /// Unicode values of windows-1252 bytes 0x80...0x9F; unassigned bytes map to C1 controls.
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
