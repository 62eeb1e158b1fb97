/// An error from the OpenPGP engine: a stable ``Code``, a human explanation, and where in
/// the input it happened when that is known.
public struct OpenPGPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error category.
    ///
    /// The set is closed: only the engine creates codes. New codes may be added in minor
    /// releases, so `switch` statements over codes should keep a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's stable name, for example `malformedPacket`.
        public var description: String { name }

        /// ASCII armor could not be decoded.
        public static let malformedArmor = Code("malformedArmor")
        /// The armor header line names a block type this engine does not know.
        public static let unknownArmorType = Code("unknownArmorType")
        /// A packet or one of its fields could not be parsed.
        public static let malformedPacket = Code("malformedPacket")
        /// The input ended in the middle of a packet.
        public static let truncatedPacket = Code("truncatedPacket")
        /// A packet tag that is not defined, or not expected here.
        public static let unexpectedPacket = Code("unexpectedPacket")
        /// A packet, key or signature version that is not supported.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// An algorithm (public key, symmetric, hash, compression, curve) that is not supported.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// A secret key is protected and no passphrase, or a wrong one, was given.
        public static let wrongPassphrase = Code("wrongPassphrase")
        /// A protected secret key was used without a passphrase.
        public static let passphraseRequired = Code("passphraseRequired")
        /// No key that fits the operation was found (no encryption subkey, no matching PKESK).
        public static let noSuitableKey = Code("noSuitableKey")
        /// A key selector (e-mail address, user ID, short key ID…) names more than one key.
        public static let ambiguousKey = Code("ambiguousKey")
        /// A keyring file or directory could not be read.
        public static let fileReadFailed = Code("fileReadFailed")
        /// A key exists but may not be used for this operation (flags, expiry, revocation).
        public static let keyNotUsable = Code("keyNotUsable")
        /// The session key could not be recovered. Deliberately one error for every cause.
        public static let decryptionFailed = Code("decryptionFailed")
        /// Encrypted data failed its integrity check (MDC); no plaintext is released.
        public static let integrityCheckFailed = Code("integrityCheckFailed")
        /// A message uses a protection this engine refuses to read (e.g. SED without MDC).
        public static let insecureMessage = Code("insecureMessage")
        /// A signature is cryptographically invalid.
        public static let badSignature = Code("badSignature")
        /// Decompression exceeded the configured size, ratio or nesting limit.
        public static let decompressionLimitExceeded = Code("decompressionLimitExceeded")
        /// Recovering a session key would take more work than ``SessionKeyLimits`` allow (too
        /// many SKESK packets, too many bytes hashed by their S2K, or too many private-key
        /// operations for the PKESK packets).
        public static let workLimitExceeded = Code("workLimitExceeded")
        /// Compressed data could not be inflated.
        public static let decompressionFailed = Code("decompressionFailed")
        /// A user ID or other argument is invalid.
        public static let invalidArgument = Code("invalidArgument")
        /// The structure of a message (packet sequence) is not a valid OpenPGP message.
        public static let malformedMessage = Code("malformedMessage")
        /// The crypto library reported an unexpected failure.
        public static let cryptoFailure = Code("cryptoFailure")
    }

    /// The error category.
    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// Byte offset in the (dearmored) input where the problem was found, when known.
    public var offset: Int?
    /// The packet tag being processed, when known.
    public var packetTag: UInt8?

    /// Creates an error.
    public init(_ code: Code, _ message: String, offset: Int? = nil, packetTag: UInt8? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.packetTag = packetTag
    }

    public var description: String {
        var text = "OpenPGPError.\(code): \(message)"
        if let packetTag { text += " (packet tag \(packetTag))" }
        if let offset { text += " at offset \(offset)" }
        return text
    }

    /// The numeric error code of the PSMTP reference ("OpenPGP Errors"), for code being ported.
    public var psmtpErrorCode: Int {
        switch code {
        case .malformedArmor: 101
        case .unknownArmorType: 102
        case .malformedPacket, .truncatedPacket, .malformedMessage: 105
        case .unexpectedPacket: 107
        case .unsupportedVersion: 108
        case .unsupportedAlgorithm: 109
        case .noSuitableKey, .ambiguousKey: 114
        case .fileReadFailed: 115
        case .badSignature: 119
        case .invalidArgument: 121
        case .wrongPassphrase, .passphraseRequired: 122
        case .keyNotUsable: 128
        case .decryptionFailed, .integrityCheckFailed, .workLimitExceeded: 130
        case .decompressionFailed, .decompressionLimitExceeded: 132
        case .insecureMessage: 146
        default: 111
        }
    }
}
