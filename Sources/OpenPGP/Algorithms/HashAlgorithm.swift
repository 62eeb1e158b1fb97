/// An OpenPGP hash algorithm identifier (RFC 9580 §9.5); the PSMTP `SigningAlgorithm`.
public struct HashAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let md5 = HashAlgorithm(rawValue: 1)
    public static let sha1 = HashAlgorithm(rawValue: 2)
    public static let ripemd160 = HashAlgorithm(rawValue: 3)
    public static let sha256 = HashAlgorithm(rawValue: 8)
    public static let sha384 = HashAlgorithm(rawValue: 9)
    public static let sha512 = HashAlgorithm(rawValue: 10)
    public static let sha224 = HashAlgorithm(rawValue: 11)
    public static let sha3_256 = HashAlgorithm(rawValue: 12)
    public static let sha3_512 = HashAlgorithm(rawValue: 14)

    /// Digest size in bytes, or nil for an unknown algorithm.
    public var digestSize: Int? {
        switch self {
        case .md5: 16
        case .sha1, .ripemd160: 20
        case .sha224: 28
        case .sha256, .sha3_256: 32
        case .sha384: 48
        case .sha512, .sha3_512: 64
        default: nil
        }
    }

    /// The name used in cleartext `Hash:` headers and PGP/MIME `micalg` parameters.
    public var textName: String? {
        switch self {
        case .md5: "MD5"
        case .sha1: "SHA1"
        case .ripemd160: "RIPEMD160"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        case .sha224: "SHA224"
        case .sha3_256: "SHA3-256"
        case .sha3_512: "SHA3-512"
        default: nil
        }
    }

    public var description: String { textName ?? "hash algorithm \(rawValue)" }
}
