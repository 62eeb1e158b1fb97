/// An OpenPGP AEAD mode identifier (RFC 9580 §9.6), used by SEIPDv2, SKESK v6 and
/// AEAD-protected secret keys.
public struct AEADAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let eax = AEADAlgorithm(rawValue: 1)
    /// OCB, the mode every RFC 9580 implementation must support.
    public static let ocb = AEADAlgorithm(rawValue: 2)
    public static let gcm = AEADAlgorithm(rawValue: 3)

    /// Nonce size in bytes, or nil for an unknown mode.
    public var nonceSize: Int? {
        switch self {
        case .eax: 16
        case .ocb: 15
        case .gcm: 12
        default: nil
        }
    }

    /// Authentication tag size in bytes: 16 for every mode RFC 9580 defines.
    public var tagSize: Int? { nonceSize == nil ? nil : 16 }

    public var description: String {
        switch self {
        case .eax: "EAX"
        case .ocb: "OCB"
        case .gcm: "GCM"
        default: "AEAD algorithm \(rawValue)"
        }
    }
}
