/// An elliptic curve named by its OID in v4 ECDH, ECDSA and EdDSA keys (RFC 9580 §9.2).
public struct Curve: Hashable, Sendable, CustomStringConvertible {
    /// The DER body of the OID (without tag and length), as it appears in key packets.
    public let oid: [UInt8]
    public init(oid: [UInt8]) { self.oid = oid }

    public static let ed25519 = Curve(oid: [0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01])
    public static let curve25519 = Curve(oid: [0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01])
    public static let nistP256 = Curve(oid: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07])
    public static let nistP384 = Curve(oid: [0x2B, 0x81, 0x04, 0x00, 0x22])
    public static let nistP521 = Curve(oid: [0x2B, 0x81, 0x04, 0x00, 0x23])
    public static let secp256k1 = Curve(oid: [0x2B, 0x81, 0x04, 0x00, 0x0A])
    public static let brainpoolP256r1 = Curve(oid: [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07])
    public static let brainpoolP384r1 = Curve(oid: [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B])
    public static let brainpoolP512r1 = Curve(oid: [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D])

    public var description: String {
        switch self {
        case .ed25519: "Ed25519"
        case .curve25519: "Curve25519"
        case .nistP256: "NIST P-256"
        case .nistP384: "NIST P-384"
        case .nistP521: "NIST P-521"
        case .secp256k1: "secp256k1"
        case .brainpoolP256r1: "brainpoolP256r1"
        case .brainpoolP384r1: "brainpoolP384r1"
        case .brainpoolP512r1: "brainpoolP512r1"
        default: "curve OID " + oid.map { String($0, radix: 16) }.joined(separator: ".")
        }
    }
}
