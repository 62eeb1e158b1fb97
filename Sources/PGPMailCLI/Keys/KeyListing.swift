import Foundation
import PGPMail

/// One key of `pgpmail keys list`, as its JSON object (see `KeyListing.jsonFields`) and as
/// the text block modelled on `gpg --list-keys`.
struct KeyListing: Encodable, Sendable {
    /// One key component: the primary key or a subkey.
    struct Component: Encodable, Sendable {
        let version: Int
        let fingerprint: String
        let keyID: String
        let algorithm: String
        let algorithmID: Int
        let bits: Int
        let curve: String?
        let created: String
        let expires: String?
        let expired: Bool
        let revoked: Bool
        let usable: Bool
        let flags: [String]

        init(_ component: KeyComponent, at date: Date) {
            version = component.version
            fingerprint = component.fingerprint.hex
            keyID = component.keyID.hex
            algorithm = KeyListing.algorithmName(component)
            algorithmID = Int(component.algorithm.rawValue)
            bits = component.bitLength
            curve = component.curve?.description
            created = KeyListing.timestamp(component.creationDate)
            expires = component.expirationDate.map(KeyListing.timestamp)
            expired = component.expirationDate.map { $0 <= date } ?? false
            revoked = component.isRevoked
            usable = component.isUsable(at: date)
            flags = KeyListing.flagNames.filter { component.flags.contains($0.flag) }.map(\.name)
        }
    }

    /// One user ID.
    struct UserIDEntry: Encodable, Sendable {
        let value: String
        let email: String?
        let primary: Bool
        let revoked: Bool
        let bound: Bool
    }

    let file: String
    let secret: Bool
    let primaryKey: Component
    let userIDs: [UserIDEntry]
    let subkeys: [Component]

    /// The help text naming every JSON field.
    static let jsonFields = """
        With --json the output is one JSON array with an object per key: file (where it was \
        read), secret (whether the secret part is present), primaryKey, userIDs (value, email, \
        primary, revoked, bound: whether a valid self-signature certifies it) and subkeys. \
        primaryKey and each subkey have version, fingerprint and keyID (upper-case hex), \
        algorithm (as gpg names it: ed25519, cv25519, rsa3072, nistp256, ed448, cv448 …), \
        algorithmID (RFC 9580 public-key algorithm number), bits, curve, created and expires \
        (ISO 8601 UTC), expired, revoked, usable (bound, not revoked and not expired now) and flags \
        (certify, sign, encrypt-communications, encrypt-storage, authenticate, split-key, \
        group-key). curve, expires and email are omitted when there is none.
        """

    init(certificate: Certificate, secret: Bool, file: String, at date: Date = Date()) {
        self.file = file
        self.secret = secret
        primaryKey = Component(certificate.primaryKey, at: date)
        let primaryUserID = certificate.userIDs.first(where: \.isMarkedPrimary) ?? certificate.primaryUserID
        userIDs = certificate.userIDs.map { userID in
            UserIDEntry(
                value: userID.value, email: userID.email, primary: userID == primaryUserID,
                revoked: userID.isRevoked, bound: userID.isBound)
        }
        subkeys = certificate.subkeys.map { Component($0, at: date) }
    }

    /// The text block: `pub`/`sec` line, fingerprint, one `uid` line per user ID, and a
    /// `sub`/`ssb` line and fingerprint per subkey.
    var text: String {
        var lines = [Self.line(secret ? "sec" : "pub", primaryKey), "      \(primaryKey.fingerprint)"]
        for userID in userIDs {
            var markers: [String] = []
            if userID.revoked { markers.append("[revoked]") }
            if !userID.bound { markers.append("[unbound]") }
            lines.append((["uid          "] + markers + [userID.value]).joined(separator: " "))
        }
        for subkey in subkeys {
            lines.append(Self.line(secret ? "ssb" : "sub", subkey))
            lines.append("      \(subkey.fingerprint)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `pub   v4 ed25519 2026-01-31 [SC] [expires: 2028-01-31]`.
    private static func line(_ kind: String, _ component: Component) -> String {
        var words = [kind + "  ", "v\(component.version)", component.algorithm, String(component.created.prefix(10))]
        let letters = letterFlags.filter { !Set($0.names).isDisjoint(with: component.flags) }.map(\.letter).joined()
        if !letters.isEmpty { words.append("[\(letters)]") }
        if component.revoked { words.append("[revoked]") }
        if let expires = component.expires {
            words.append("[\(component.expired ? "expired" : "expires"): \(expires.prefix(10))]")
        }
        return words.joined(separator: " ")
    }

    /// The key algorithm as gpg names it: the curve for elliptic-curve keys, else the
    /// algorithm with its size.
    static func algorithmName(_ component: KeyComponent) -> String {
        switch component.algorithm {
        case .ed25519: return "ed25519"
        case .x25519: return "cv25519"
        case .ed448: return "ed448"
        case .x448: return "cv448"
        case .rsaEncryptOrSign, .rsaEncryptOnly, .rsaSignOnly: return "rsa\(component.bitLength)"
        case .dsa: return "dsa\(component.bitLength)"
        case .elgamalEncryptOnly: return "elg\(component.bitLength)"
        default: break
        }
        switch component.curve {
        case .ed25519?: return "ed25519"
        case .curve25519?: return "cv25519"
        case .nistP256?: return "nistp256"
        case .nistP384?: return "nistp384"
        case .nistP521?: return "nistp521"
        case .brainpoolP256r1?: return "brainpoolP256r1"
        case .brainpoolP384r1?: return "brainpoolP384r1"
        case .brainpoolP512r1?: return "brainpoolP512r1"
        case .secp256k1?: return "secp256k1"
        default: return "algo\(component.algorithm.rawValue)"
        }
    }

    /// The JSON names of the key flags, in flag order.
    static let flagNames: [(flag: KeyFlags, name: String)] = [
        (.certify, "certify"), (.sign, "sign"), (.encryptCommunications, "encrypt-communications"),
        (.encryptStorage, "encrypt-storage"), (.authenticate, "authenticate"), (.splitKey, "split-key"),
        (.groupKey, "group-key"),
    ]

    /// gpg's capability letters in gpg's order: both kinds of encryption are one `E`.
    private static let letterFlags: [(names: [String], letter: String)] = [
        (["sign"], "S"), (["certify"], "C"), (["encrypt-communications", "encrypt-storage"], "E"),
        (["authenticate"], "A"),
    ]

    /// An ISO 8601 UTC time stamp (`2026-01-31T12:00:00Z`).
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
