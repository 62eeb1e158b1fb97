import Foundation

/// An OpenPGP certificate (a transferable public key): the primary key, its user IDs and
/// subkeys, each checked against its self-signatures when the certificate is read.
public struct Certificate: Sendable, Hashable {
    /// The primary key.
    public let primaryKey: KeyComponent
    /// The user IDs, the primary one first.
    public let userIDs: [UserID]
    /// The subkeys, in the order they came.
    public let subkeys: [KeyComponent]

    /// The primary key's fingerprint, which names the certificate.
    public var fingerprint: Fingerprint { primaryKey.fingerprint }
    /// The primary key's key ID.
    public var keyID: KeyID { primaryKey.keyID }
    /// The primary user ID, if any user ID is validly bound.
    public var primaryUserID: UserID? { userIDs.first { $0.isBound && !$0.isRevoked } }
    /// Whether the whole certificate is revoked.
    public var isRevoked: Bool { primaryKey.isRevoked }
    /// When the certificate (its primary key) expires; nil if it does not.
    public var expirationDate: Date? { primaryKey.expirationDate }
    /// The primary key and the subkeys.
    public var components: [KeyComponent] { [primaryKey] + subkeys }

    /// Reads one certificate from armored or binary data (the first key if there are several).
    public init(armored text: String) throws {
        self = try Self.first(of: try Certificate.readKeyring(Armor.decodeIfArmored(Array(text.utf8))))
    }

    /// Reads one certificate from binary (or armored) data.
    public init(bytes: [UInt8]) throws {
        self = try Self.first(of: try Certificate.readKeyring(Armor.decodeIfArmored(bytes)))
    }

    /// Reads every certificate of a keyring (binary or armored, concatenated keys). Secret
    /// keys in the input are read as their public part.
    public static func readKeyring(_ bytes: [UInt8]) throws -> [Certificate] {
        try KeyBlock.parse(PacketFraming.parse(Armor.decodeIfArmored(bytes))).map(Certificate.init(block:))
    }

    private static func first(of certificates: [Certificate]) throws -> Certificate {
        guard let first = certificates.first else { throw OpenPGPError(.malformedPacket, "no key found in the input") }
        return first
    }

    /// The keys that may encrypt at `date`: usable, with an encryption flag, subkeys first.
    public func encryptionKeys(at date: Date = Date()) -> [KeyComponent] {
        guard isUsable(at: date) else { return [] }
        return (subkeys + [primaryKey]).filter {
            $0.isUsable(at: date) && !$0.flags.isDisjoint(with: .encrypt) && $0.algorithm.canEncrypt
        }
    }

    /// The keys that may sign at `date`: usable, with the signing flag, subkeys first.
    public func signingKeys(at date: Date = Date()) -> [KeyComponent] {
        guard isUsable(at: date) else { return [] }
        return (subkeys + [primaryKey]).filter {
            $0.isUsable(at: date) && $0.flags.contains(.sign) && $0.algorithm.canSign
        }
    }

    /// Whether the certificate as a whole may be used at `date`.
    public func isUsable(at date: Date = Date()) -> Bool {
        primaryKey.isUsable(at: date)
    }

    /// The component (primary key or subkey) with this key ID.
    public func component(with keyID: KeyID) -> KeyComponent? {
        components.first { $0.keyID == keyID }
    }

    /// The component with this fingerprint.
    public func component(with fingerprint: Fingerprint) -> KeyComponent? {
        components.first { $0.fingerprint == fingerprint }
    }

    /// The binary transferable public key.
    public func serialized() -> [UInt8] {
        serialize(primary: PacketFraming.packet(tag: .publicKey, body: primaryKey.packet.body)) {
            PacketFraming.packet(tag: .publicSubkey, body: $0.packet.body)
        }
    }

    /// The ASCII-armored transferable public key.
    public func armored(headers: ArmorHeaders = ArmorHeaders()) -> String {
        Armor.encode(serialized(), type: .publicKey, headers: headers)
    }

    /// Serialises with the given key packets (public or secret) and every signature.
    func serialize(primary: [UInt8], subkey: (KeyComponent) throws -> [UInt8]) rethrows -> [UInt8] {
        var out = primary
        for signature in primaryKey.signatures { out += signature.serialized }
        for userID in userIDs {
            out += PacketFraming.packet(tag: .userID, body: userID.raw)
            for signature in userID.signatures { out += signature.serialized }
        }
        for component in subkeys {
            out += try subkey(component)
            for signature in component.signatures { out += signature.serialized }
        }
        return out
    }
}

extension PublicKeyAlgorithm {
    /// Whether keys of this algorithm can encrypt.
    public var canEncrypt: Bool {
        [.rsaEncryptOrSign, .rsaEncryptOnly, .elgamalEncryptOnly, .ecdh, .x25519, .x448].contains(self)
    }

    /// Whether keys of this algorithm can sign.
    public var canSign: Bool {
        [.rsaEncryptOrSign, .rsaSignOnly, .dsa, .ecdsa, .eddsaLegacy, .ed25519, .ed448].contains(self)
    }
}
