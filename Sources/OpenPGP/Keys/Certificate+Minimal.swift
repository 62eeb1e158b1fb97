import Foundation

/// The reduced certificates Autocrypt transfers in mail headers.
extension Certificate {
    /// This certificate reduced to what Autocrypt Level 1 (§2.1.1) puts in a header: the
    /// primary key (with its newest valid direct-key signature, if it has one), the user ID
    /// whose e-mail address is `address` with its newest valid self-signature, and one
    /// encryption subkey usable at `date` with its newest valid binding signature. Other user
    /// IDs, subkeys, third-party certifications and older signatures are left out.
    ///
    /// When only the primary key can encrypt, no subkey is included. Throws `noSuitableKey`
    /// when no valid, unrevoked user ID has that address, and `keyNotUsable` when the
    /// certificate has no key that can encrypt at `date`.
    public func minimal(forAddress address: String, at date: Date = Date()) throws -> Certificate {
        guard let userID = userIDs.first(where: { $0.isBound && !$0.isRevoked && $0.matches(address) }),
            let userIDSignature = userID.selfSignature
        else {
            throw OpenPGPError(.noSuitableKey, "the certificate \(fingerprint) has no valid user ID for \(address)")
        }
        let encryptionKeys = encryptionKeys(at: date)
        guard !encryptionKeys.isEmpty else {
            throw OpenPGPError(.keyNotUsable, "the certificate \(fingerprint) has no key that can encrypt")
        }
        var bytes = PacketFraming.packet(tag: .publicKey, body: primaryKey.packet.body)
        if let direct = primaryKey.directKeySignature { bytes += direct.serialized }
        bytes += PacketFraming.packet(tag: .userID, body: userID.raw)
        bytes += userIDSignature.serialized
        if let subkey = encryptionKeys.first(where: { !$0.isPrimary }), let binding = subkey.selfSignature {
            bytes += PacketFraming.packet(tag: .publicSubkey, body: subkey.packet.body)
            bytes += binding.serialized
        }
        return try Certificate(bytes: bytes)
    }
}
