import Foundation
import OpenPGP

/// The keys the fuzz targets decrypt and verify with. They are fixed (generated once by
/// `FuzzKeys --print-fixture-keys` and pasted below) so that the committed seeds, encrypted
/// to and signed by them, stay meaningful from run to run.
public enum Fixtures {
    /// The passphrase of the password-encrypted seeds and of the protected key seed.
    public static let passphrase = "fuzz"

    /// The signed data of the detached-signature seeds.
    public static let signedData = Array("Fuzzing PGPMail.\r\nSecond line \n".utf8)

    /// Unprotected secret keys: Curve25519 (EdDSA/ECDH), RSA 2048 and NIST P-256.
    public static let secretKeys: [SecretKey] = armoredSecretKeys.map { armored in
        do {
            return try SecretKey(armored: armored)
        } catch {
            fatalError("fixture key does not parse: \(error)")
        }
    }

    /// The certificates of ``secretKeys``.
    public static let certificates: [Certificate] = secretKeys.map(\.certificate)

    /// Fresh keys of each fixture type, as Swift source for the list below.
    public static func generatedSource() throws -> String {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let types: [(String, SecretKey.KeyType)] = [
            ("Curve25519", .curve25519), ("RSA", .rsa(bits: 2048)), ("P-256", .nistP256),
        ]
        var source = "let armoredSecretKeys = [\n"
        for (name, type) in types {
            let key = try SecretKey.generate(
                userID: "Fuzz \(name) <fuzz-\(name.lowercased())@example.org>", type: type, creationDate: created)
            source += "    \"\"\"\n\(try key.armored())\"\"\",\n"
        }
        return source + "]\n"
    }
}
