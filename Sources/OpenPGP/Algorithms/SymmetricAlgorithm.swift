/// An OpenPGP symmetric cipher identifier (RFC 9580 §9.3); the PSMTP `EncryptingAlgorithm`.
public struct SymmetricAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let plaintext = SymmetricAlgorithm(rawValue: 0)
    public static let idea = SymmetricAlgorithm(rawValue: 1)
    public static let tripleDES = SymmetricAlgorithm(rawValue: 2)
    public static let cast5 = SymmetricAlgorithm(rawValue: 3)
    public static let blowfish = SymmetricAlgorithm(rawValue: 4)
    public static let aes128 = SymmetricAlgorithm(rawValue: 7)
    public static let aes192 = SymmetricAlgorithm(rawValue: 8)
    public static let aes256 = SymmetricAlgorithm(rawValue: 9)
    public static let twofish = SymmetricAlgorithm(rawValue: 10)
    public static let camellia128 = SymmetricAlgorithm(rawValue: 11)
    public static let camellia192 = SymmetricAlgorithm(rawValue: 12)
    public static let camellia256 = SymmetricAlgorithm(rawValue: 13)

    /// Key size in bytes, or nil for an unknown algorithm.
    public var keySize: Int? {
        switch self {
        case .idea, .cast5, .blowfish, .aes128, .camellia128: 16
        case .tripleDES, .aes192, .camellia192: 24
        case .aes256, .twofish, .camellia256: 32
        default: nil
        }
    }

    /// Block size in bytes, or nil for an unknown algorithm.
    public var blockSize: Int? {
        switch self {
        case .idea, .tripleDES, .cast5, .blowfish: 8
        case .aes128, .aes192, .aes256, .twofish, .camellia128, .camellia192, .camellia256: 16
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .plaintext: "plaintext"
        case .idea: "IDEA"
        case .tripleDES: "TripleDES"
        case .cast5: "CAST5"
        case .blowfish: "Blowfish"
        case .aes128: "AES-128"
        case .aes192: "AES-192"
        case .aes256: "AES-256"
        case .twofish: "Twofish"
        case .camellia128: "Camellia-128"
        case .camellia192: "Camellia-192"
        case .camellia256: "Camellia-256"
        default: "symmetric algorithm \(rawValue)"
        }
    }
}
