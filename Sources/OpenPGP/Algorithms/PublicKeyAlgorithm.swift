/// An OpenPGP public-key algorithm identifier (RFC 9580 §9.1). Unknown identifiers are kept,
/// so keys using them still parse and keep their fingerprint.
public struct PublicKeyAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let rsaEncryptOrSign = PublicKeyAlgorithm(rawValue: 1)
    public static let rsaEncryptOnly = PublicKeyAlgorithm(rawValue: 2)
    public static let rsaSignOnly = PublicKeyAlgorithm(rawValue: 3)
    public static let elgamalEncryptOnly = PublicKeyAlgorithm(rawValue: 16)
    public static let dsa = PublicKeyAlgorithm(rawValue: 17)
    /// ECDH as in RFC 6637 (a curve OID plus KDF parameters).
    public static let ecdh = PublicKeyAlgorithm(rawValue: 18)
    public static let ecdsa = PublicKeyAlgorithm(rawValue: 19)
    /// EdDSA in the v4 encoding with a curve OID ("EdDSALegacy" in RFC 9580).
    public static let eddsaLegacy = PublicKeyAlgorithm(rawValue: 22)
    public static let x25519 = PublicKeyAlgorithm(rawValue: 25)
    public static let x448 = PublicKeyAlgorithm(rawValue: 26)
    public static let ed25519 = PublicKeyAlgorithm(rawValue: 27)
    public static let ed448 = PublicKeyAlgorithm(rawValue: 28)

    public var description: String {
        switch self {
        case .rsaEncryptOrSign: "RSA"
        case .rsaEncryptOnly: "RSA (encrypt only)"
        case .rsaSignOnly: "RSA (sign only)"
        case .elgamalEncryptOnly: "ElGamal"
        case .dsa: "DSA"
        case .ecdh: "ECDH"
        case .ecdsa: "ECDSA"
        case .eddsaLegacy: "EdDSA"
        case .x25519: "X25519"
        case .x448: "X448"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        default: "public-key algorithm \(rawValue)"
        }
    }
}
