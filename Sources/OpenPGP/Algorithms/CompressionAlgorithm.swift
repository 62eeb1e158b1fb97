/// An OpenPGP compression algorithm identifier (RFC 9580 §9.4); the PSMTP `CompressionMethod`.
public struct CompressionAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let uncompressed = CompressionAlgorithm(rawValue: 0)
    /// Raw DEFLATE (RFC 1951), the PSMTP default.
    public static let zip = CompressionAlgorithm(rawValue: 1)
    /// DEFLATE in a zlib wrapper (RFC 1950).
    public static let zlib = CompressionAlgorithm(rawValue: 2)
    public static let bzip2 = CompressionAlgorithm(rawValue: 3)

    /// Whether this engine can write and read this method.
    public var isSupported: Bool { [.uncompressed, .zip, .zlib, .bzip2].contains(self) }

    public var description: String {
        switch self {
        case .uncompressed: "uncompressed"
        case .zip: "ZIP"
        case .zlib: "ZLIB"
        case .bzip2: "BZip2"
        default: "compression algorithm \(rawValue)"
        }
    }
}
