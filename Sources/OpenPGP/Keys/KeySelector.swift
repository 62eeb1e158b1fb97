import Foundation

/// Names a key in a ``Keyring``: the PSMTP `UserId`, `Id` and `Fingerprint` key fields.
///
/// User IDs and e-mail addresses match only user IDs that are validly bound to the key and
/// not revoked. Fingerprints and key IDs match the primary key or any subkey.
public enum KeySelector: Sendable, Hashable, CustomStringConvertible {
    /// A whole user ID, exactly as bound (`"Alice Example <alice@example.org>"`).
    case userID(String)
    /// An e-mail address, compared case-insensitively with each user ID's address.
    case email(String)
    /// The fingerprint of the primary key or of a subkey.
    case fingerprint(Fingerprint)
    /// The 64-bit ("long") key ID of the primary key or of a subkey.
    case keyID(KeyID)
    /// The 32-bit ("short") key ID: the last eight hex digits of a long key ID.
    case shortKeyID(UInt32)

    /// Reads a selector the way the PSMTP `UserId` field is read:
    ///
    /// - 40 or 64 hex digits (spaces allowed, optional `0x`): a fingerprint;
    /// - 16 hex digits: a long key ID; 8 hex digits: a short key ID;
    /// - `<address>`, or text with `@` and no spaces: an e-mail address;
    /// - anything else: a whole user ID.
    ///
    /// Empty text, or text with control characters, throws `invalidArgument`.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw OpenPGPError(.invalidArgument, "an empty key selector names no key") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw OpenPGPError(.invalidArgument, "a key selector may not contain control characters")
        }
        if let selector = Self.hexSelector(trimmed) {
            self = selector
        } else if trimmed.hasPrefix("<"), trimmed.hasSuffix(">"), trimmed.count > 2 {
            self = .email(String(trimmed.dropFirst().dropLast()))
        } else if trimmed.contains("@"), !trimmed.contains(where: \.isWhitespace), !trimmed.contains("<") {
            self = .email(trimmed)
        } else {
            self = .userID(trimmed)
        }
    }

    private static func hexSelector(_ text: String) -> KeySelector? {
        var digits = text.filter { $0 != " " }
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits.removeFirst(2) }
        guard digits.allSatisfy(\.isHexDigit), let bytes = PGPMailHex.decode(digits) else { return nil }
        // Spaces group fingerprints only: "Dead Beef" stays a name.
        let spaced = text.contains(" ")
        switch bytes.count {
        case 20, 32: return .fingerprint(Fingerprint(bytes: bytes))
        case 8 where !spaced: return .keyID(KeyID(bytes: bytes))
        case 4 where !spaced: return .shortKeyID(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .userID(let text): "user ID \"\(text)\""
        case .email(let address): "e-mail address <\(address)>"
        case .fingerprint(let fingerprint): "fingerprint \(fingerprint.hex)"
        case .keyID(let keyID): "key ID \(keyID.hex)"
        case .shortKeyID(let value):
            "short key ID \(String(repeating: "0", count: 8 - String(value, radix: 16).count))\(String(value, radix: 16, uppercase: true))"
        }
    }

    /// How `certificate` matches this selector, or nil if it does not.
    public func match(_ certificate: Certificate) -> KeyMatch? {
        let selectable = certificate.userIDs.filter { $0.isBound && !$0.isRevoked }
        switch self {
        case .userID(let text):
            return selectable.first { $0.value == text }.map {
                KeyMatch(certificate: certificate, component: certificate.primaryKey, userID: $0)
            }
        case .email(let address):
            let wanted = address.lowercased()
            return selectable.first { $0.email?.lowercased() == wanted }.map {
                KeyMatch(certificate: certificate, component: certificate.primaryKey, userID: $0)
            }
        case .fingerprint(let fingerprint):
            return certificate.component(with: fingerprint).map {
                KeyMatch(certificate: certificate, component: $0, userID: nil)
            }
        case .keyID(let keyID):
            return certificate.component(with: keyID).map {
                KeyMatch(certificate: certificate, component: $0, userID: nil)
            }
        case .shortKeyID(let value):
            return certificate.components.first { $0.keyID.bytes.suffix(4).reduce(0) { $0 << 8 | UInt32($1) } == value }
                .map {
                    KeyMatch(certificate: certificate, component: $0, userID: nil)
                }
        }
    }
}

/// A certificate found by a ``KeySelector``, and what in it matched.
public struct KeyMatch: Sendable, Hashable {
    /// The certificate.
    public let certificate: Certificate
    /// The key that matched: the subkey for a subkey's ID or fingerprint, else the primary key.
    public let component: KeyComponent
    /// The user ID that matched, for user ID and e-mail selectors.
    public let userID: UserID?
}

extension Keyring {
    /// Every certificate `selector` names, with what matched, in keyring order.
    public func matches(for selector: KeySelector) -> [KeyMatch] {
        certificates.compactMap(selector.match)
    }

    /// The one certificate `selector` names, with what matched. Throws `noSuitableKey` when
    /// none matches and `ambiguousKey` when several do.
    public func match(for selector: KeySelector) throws -> KeyMatch {
        try Self.unique(matches(for: selector), selector: selector, what: "key", fingerprint: \.certificate.fingerprint)
    }

    /// Every certificate `selector` names.
    public func certificates(matching selector: KeySelector) -> [Certificate] {
        matches(for: selector).map(\.certificate)
    }

    /// The one certificate `selector` names; see ``match(for:)``.
    public func certificate(matching selector: KeySelector) throws -> Certificate {
        try match(for: selector).certificate
    }

    /// Every secret key `selector` names.
    public func secretKeys(matching selector: KeySelector) -> [SecretKey] {
        secretKeys.filter { selector.match($0.certificate) != nil }
    }

    /// The one secret key `selector` names. Throws `noSuitableKey` when none matches (also when
    /// the key matches but its secret part is not here) and `ambiguousKey` when several do.
    public func secretKey(matching selector: KeySelector) throws -> SecretKey {
        let candidates = secretKeys.compactMap { key in selector.match(key.certificate).map { (key, $0) } }
        if candidates.isEmpty, let match = matches(for: selector).first {
            throw OpenPGPError(
                .noSuitableKey,
                "key \(match.certificate.fingerprint) matches \(selector) but its secret part is not in the keyring")
        }
        return try Self.unique(candidates, selector: selector, what: "secret key", fingerprint: \.0.fingerprint).0
    }

    /// Every certificate the selector text names; see ``KeySelector/init(_:)``.
    public func certificates(matching selector: String) throws -> [Certificate] {
        certificates(matching: try KeySelector(selector))
    }

    /// The one certificate the selector text names; see ``KeySelector/init(_:)``.
    public func certificate(matching selector: String) throws -> Certificate {
        try certificate(matching: try KeySelector(selector))
    }

    /// Every secret key the selector text names; see ``KeySelector/init(_:)``.
    public func secretKeys(matching selector: String) throws -> [SecretKey] {
        secretKeys(matching: try KeySelector(selector))
    }

    /// The one secret key the selector text names; see ``KeySelector/init(_:)``.
    public func secretKey(matching selector: String) throws -> SecretKey {
        try secretKey(matching: try KeySelector(selector))
    }

    private static func unique<T>(
        _ found: [T], selector: KeySelector, what: String, fingerprint: (T) -> Fingerprint
    ) throws -> T {
        guard let first = found.first else {
            throw OpenPGPError(.noSuitableKey, "no \(what) in the keyring matches \(selector)")
        }
        guard found.count == 1 else {
            let fingerprints = found.map { fingerprint($0).hex }.joined(separator: ", ")
            throw OpenPGPError(
                .ambiguousKey, "\(found.count) keys match \(selector) (\(fingerprints)); select one by fingerprint")
        }
        return first
    }
}
