/// Why a key or user ID was revoked: the Reason for Revocation subpacket of its revocation
/// signature (RFC 9580 §5.2.3.31).
public struct RevocationReason: Sendable, Hashable {
    /// The machine-readable reason.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// No reason given (also used when the signature carries no reason at all).
        public static let noReason = Code(rawValue: 0)
        /// The key was replaced by a new one.
        public static let superseded = Code(rawValue: 1)
        /// The secret key material may have been compromised.
        public static let compromised = Code(rawValue: 2)
        /// The key is no longer used.
        public static let retired = Code(rawValue: 3)
        /// The user ID is no longer valid.
        public static let userIDInvalid = Code(rawValue: 32)

        public var description: String {
            switch self {
            case .noReason: "no reason"
            case .superseded: "superseded"
            case .compromised: "compromised"
            case .retired: "retired"
            case .userIDInvalid: "user ID no longer valid"
            default: "reason \(rawValue)"
            }
        }
    }

    /// The reason code.
    public let code: Code
    /// The issuer's explanation, possibly empty.
    public let text: String

    public init(code: Code, text: String) {
        self.code = code
        self.text = text
    }

    /// Whether the revocation is "soft" (superseded or retired): it says the key is out of use
    /// from the revocation on, not that earlier signatures are suspect.
    public var isSoft: Bool { code == .superseded || code == .retired }

    /// The reason stated in the hashed area of `signature`; `noReason` when it states none.
    init(signature: SignaturePacket) {
        guard let body = signature.hashedSubpackets.last(where: { $0.kind == .reasonForRevocation })?.body,
            let first = body.first
        else {
            self.init(code: .noReason, text: "")
            return
        }
        self.init(code: Code(rawValue: first), text: String(decoding: body.dropFirst(), as: UTF8.self))
    }
}
