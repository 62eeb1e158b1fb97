/// A user ID of a certificate ("Name <email>") with its certifications.
public struct UserID: Sendable, Hashable {
    /// The user ID as text (invalid UTF-8 is repaired for display).
    public let value: String
    let raw: [UInt8]
    /// Every signature over this user ID, self-signatures and third-party ones, for export.
    let signatures: [SignaturePacket]
    /// The newest valid self-certification.
    let selfSignature: SignaturePacket?
    /// The owner's valid revocation of this user ID, newer than its self-certification.
    let revocation: SignaturePacket?

    /// Whether the owner revoked this user ID.
    public var isRevoked: Bool { revocation != nil }

    /// Why the owner revoked this user ID; nil when it is not revoked.
    public var revocationReason: RevocationReason? { revocation.map(RevocationReason.init(signature:)) }

    /// Whether a valid self-signature binds this user ID to the key.
    public var isBound: Bool { selfSignature != nil }

    /// Whether its self-signature marks it as the primary user ID.
    public var isMarkedPrimary: Bool { selfSignature?.isPrimaryUserID ?? false }

    /// The e-mail address: the part in angle brackets, or the whole ID when it is a bare address.
    public var email: String? {
        if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            return String(value[value.index(after: open)..<close])
        }
        return value.contains("@") && !value.contains(" ") ? value : nil
    }

    /// Whether `query` names this user ID: the whole ID, or its e-mail address (case-insensitive).
    public func matches(_ query: String) -> Bool {
        if value == query { return true }
        let address = query.hasPrefix("<") && query.hasSuffix(">") ? String(query.dropFirst().dropLast()) : query
        guard let email else { return false }
        return email.lowercased() == address.lowercased()
    }
}
