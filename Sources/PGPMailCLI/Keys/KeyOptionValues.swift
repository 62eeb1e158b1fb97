import ArgumentParser
import Foundation
import PGPMail

/// The values of `keys generate --profile`: which OpenPGP standard the key follows.
enum KeyProfile: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// A v4 key, read by every OpenPGP implementation.
    case rfc4880
    /// A v6 key (SHA-256 fingerprint, salted signatures), read by RFC 9580 implementations only.
    case rfc9580

    /// The key packet version.
    var version: SecretKey.KeyVersion {
        switch self {
        case .rfc4880: .v4
        case .rfc9580: .v6
        }
    }
}

/// The values of `keys generate --type`.
enum KeyTypeName: String, CaseIterable, ExpressibleByArgument, Sendable {
    case curve25519
    case curve448
    case rsa3072
    case rsa4096
    case p256
    case p384
    case p521

    /// The algorithms of the engine: Ed25519 and X25519 (v6) or their legacy v4 encodings
    /// (EdDSA and ECDH on Curve25519) for `curve25519`, as the key version asks.
    var keyType: SecretKey.KeyType {
        switch self {
        case .curve25519: .curve25519
        case .curve448: .curve448
        case .rsa3072: .rsa(bits: 3072)
        case .rsa4096: .rsa(bits: 4096)
        case .p256: .nistP256
        case .p384: .nistP384
        case .p521: .nistP521
        }
    }
}

/// The value of `keys generate --expires`: `never`, or a positive count with a unit as GnuPG
/// writes it — `d` days, `w` weeks, `m` months (30 days), `y` years (365 days); a bare count is
/// days.
struct KeyExpiry: ExpressibleByArgument, Hashable, Sendable {
    /// How long the key stays valid; nil for never.
    let validity: Duration?

    /// The longest validity a key can state: the key expiration time is 32 bits of seconds.
    static let maximumSeconds = Int64(UInt32.max)

    init?(argument: String) {
        let text = argument.lowercased()
        if text == "never" || text == "0" {
            validity = nil
            return
        }
        let unitSeconds: Int64
        let digits: Substring
        switch text.last {
        case "d"?: (unitSeconds, digits) = (86_400, text.dropLast())
        case "w"?: (unitSeconds, digits) = (7 * 86_400, text.dropLast())
        case "m"?: (unitSeconds, digits) = (30 * 86_400, text.dropLast())
        case "y"?: (unitSeconds, digits) = (365 * 86_400, text.dropLast())
        default: (unitSeconds, digits) = (86_400, Substring(text))
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let count = Int64(digits), count > 0 else {
            return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unitSeconds)
        guard !overflow, seconds <= Self.maximumSeconds else { return nil }
        validity = .seconds(seconds)
    }

    static var defaultCompletionKind: CompletionKind { .list(["never", "1y", "2y", "180d"]) }
}

extension Character {
    /// Whether this is one of the ASCII digits 0–9.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
