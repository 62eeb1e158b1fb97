import Foundation

/// One key of a certificate — the primary key or a subkey — with what its valid
/// self-signatures say about it.
public struct KeyComponent: Sendable, Hashable {
    let packet: PublicKeyPacket
    /// Every signature that came with this component (bindings, revocations), for export.
    let signatures: [SignaturePacket]
    /// The valid self-signature in force: newest binding (subkeys), or the primary user ID's
    /// newest certification or direct-key signature (primary).
    let selfSignature: SignaturePacket?
    /// The newest valid direct-key signature (primary key only). Its key flags and expiry
    /// apply when the self-signature in force does not state them.
    let directKeySignature: SignaturePacket?
    /// A valid revocation of this component, if any.
    let revocation: SignaturePacket?

    /// Whether this is the primary key.
    public let isPrimary: Bool

    /// The key fingerprint, computed once: key lookups compare it (or the key ID) for every
    /// component of every certificate they search.
    public let fingerprint: Fingerprint

    init(
        packet: PublicKeyPacket, signatures: [SignaturePacket], selfSignature: SignaturePacket?,
        directKeySignature: SignaturePacket?, revocation: SignaturePacket?, isPrimary: Bool
    ) {
        self.packet = packet
        self.signatures = signatures
        self.selfSignature = selfSignature
        self.directKeySignature = directKeySignature
        self.revocation = revocation
        self.isPrimary = isPrimary
        self.fingerprint = packet.fingerprint
    }
    /// The key ID (last 8 bytes of a v4 fingerprint, first 8 of a v6 one).
    public var keyID: KeyID { fingerprint.keyID }
    /// The key's version (4 or 6).
    public var version: Int { Int(packet.version) }
    /// The public-key algorithm.
    public var algorithm: PublicKeyAlgorithm { packet.algorithm }
    /// Key size in bits (modulus or curve size).
    public var bitLength: Int { packet.bitLength }
    /// The curve, for elliptic-curve keys.
    public var curve: Curve? { packet.curve }
    /// The algorithm-specific public parameters.
    public var parameters: PublicKeyParameters { packet.parameters }
    /// When the key was created.
    public var creationDate: Date { Date(timeIntervalSince1970: TimeInterval(packet.creationTime)) }

    /// When the key expires, from its self-signature (for the primary key, else from its
    /// direct-key signature); nil if it does not.
    public var expirationDate: Date? {
        guard let seconds = selfSignature?.keyExpirationSeconds ?? directKeySignature?.keyExpirationSeconds, seconds > 0
        else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(packet.creationTime) + TimeInterval(seconds))
    }

    /// What the key may be used for: the self-signature's key flags (for the primary key, else
    /// the direct-key signature's), or, without them, what the algorithm can do.
    public var flags: KeyFlags {
        if let flags = selfSignature?.keyFlags ?? directKeySignature?.keyFlags { return flags }
        switch packet.algorithm {
        case .rsaEncryptOrSign: return isPrimary ? [.certify, .sign, .encrypt] : [.sign, .encrypt]
        case .rsaEncryptOnly, .elgamalEncryptOnly, .ecdh, .x25519, .x448: return .encrypt
        default: return isPrimary ? [.certify, .sign] : [.sign]
        }
    }

    /// Whether a valid revocation signature exists for this key.
    public var isRevoked: Bool { revocation != nil }

    /// Why the key was revoked (reason code and text of the revocation signature); nil when
    /// it is not revoked.
    public var revocationReason: RevocationReason? { revocation.map(RevocationReason.init(signature:)) }

    /// When the revocation signature was made; nil when the key is not revoked.
    public var revocationDate: Date? {
        revocation?.creationTime.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Whether a valid self-signature binds this key (so it may be used at all).
    public var isBound: Bool { selfSignature != nil }

    /// Whether this key may be used at `date`: bound, not revoked, created and not expired.
    public func isUsable(at date: Date) -> Bool {
        guard isBound, !isRevoked, creationDate.timeIntervalSince1970 <= date.timeIntervalSince1970 + 60 else {
            return false
        }
        if let expirationDate, expirationDate <= date { return false }
        return true
    }
}
