import Foundation
import OpenPGP
import TestSupport
import Testing

/// The key families of the interop matrix: every v4 algorithm family `rnpkeys
/// --generate-key --expert` makes (all that rnp 0.16 offers but SM2), with what we should
/// read in them and what each peer can do with them.
///
/// gpg ↔ us over the same families is covered by GnuPGAlgorithmInteropTests (RSA, DSA/ElGamal,
/// NIST, brainpool, secp256k1) and GnuPGInteropTests (Ed25519/Cv25519).
enum KeyFamily: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case rsa2048, rsa3072, rsa4096
    /// DSA 2048 (q 256) signing key, ElGamal 2048 encryption subkey.
    case dsaElGamal
    case nistP256, nistP384, nistP521
    case brainpoolP256r1, brainpoolP384r1, brainpoolP512r1
    case secp256k1
    /// EdDSA (legacy, Ed25519) signing key, ECDH Curve25519 encryption subkey.
    case ed25519Cv25519

    var testDescription: String { rawValue }

    /// Answers to `rnpkeys --generate-key --expert`: the algorithm menu ("(1) RSA, (16) DSA +
    /// ElGamal, (19) ECDSA + ECDH, (22) EDDSA + X25519"), then the key size or the curve menu
    /// ("(1) NIST P-256 … (7) secp256k1").
    var rnpAnswers: [String] {
        switch self {
        case .rsa2048: ["1", "2048"]
        case .rsa3072: ["1", "3072"]
        case .rsa4096: ["1", "4096"]
        case .dsaElGamal: ["16", "2048"]
        case .nistP256: ["19", "1"]
        case .nistP384: ["19", "2"]
        case .nistP521: ["19", "3"]
        case .brainpoolP256r1: ["19", "4"]
        case .brainpoolP384r1: ["19", "5"]
        case .brainpoolP512r1: ["19", "6"]
        case .secp256k1: ["19", "7"]
        case .ed25519Cv25519: ["22"]
        }
    }

    var primaryAlgorithm: PublicKeyAlgorithm {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096: .rsaEncryptOrSign
        case .dsaElGamal: .dsa
        case .ed25519Cv25519: .eddsaLegacy
        default: .ecdsa
        }
    }

    var subkeyAlgorithm: PublicKeyAlgorithm {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096: .rsaEncryptOrSign
        case .dsaElGamal: .elgamalEncryptOnly
        default: .ecdh
        }
    }

    var primaryCurve: Curve? {
        switch self {
        case .rsa2048, .rsa3072, .rsa4096, .dsaElGamal: nil
        case .nistP256: .nistP256
        case .nistP384: .nistP384
        case .nistP521: .nistP521
        case .brainpoolP256r1: .brainpoolP256r1
        case .brainpoolP384r1: .brainpoolP384r1
        case .brainpoolP512r1: .brainpoolP512r1
        case .secp256k1: .secp256k1
        case .ed25519Cv25519: .ed25519
        }
    }

    var subkeyCurve: Curve? { self == .ed25519Cv25519 ? .curve25519 : primaryCurve }

    /// The size we report for both the primary key and the subkey.
    var bits: Int {
        switch self {
        case .rsa2048, .dsaElGamal: 2048
        case .rsa3072: 3072
        case .rsa4096: 4096
        case .nistP256, .brainpoolP256r1, .secp256k1, .ed25519Cv25519: 256
        case .nistP384, .brainpoolP384r1: 384
        case .brainpoolP512r1: 512
        case .nistP521: 521
        }
    }

    /// Our key type of the same family, to sign with when writing to a peer's key; nil where
    /// `SecretKey.generate` offers none (DSA, brainpool, secp256k1): the peer's key signs then.
    var ourKeyType: OurKeyType? {
        switch self {
        case .rsa2048: .rsa2048
        case .rsa3072: .rsa3072
        case .rsa4096: .rsa4096
        case .nistP256: .nistP256
        case .nistP384: .nistP384
        case .nistP521: .nistP521
        case .ed25519Cv25519: .curve25519
        case .dsaElGamal, .brainpoolP256r1, .brainpoolP384r1, .brainpoolP512r1, .secp256k1: nil
        }
    }

    /// What sqop 0.27 (Sequoia 1.12 on Nettle) can do with a key of this family. Where it
    /// cannot, the matrix checks that it refuses, so a sqop that learns the algorithm makes
    /// the matrix fail until the entry is upgraded to a real exchange.
    var sqop: PeerSupport {
        switch self {
        case .dsaElGamal:
            PeerSupport(signing: true, encryption: false, reason: "Sequoia implements no ElGamal")
        case .brainpoolP256r1, .brainpoolP384r1, .brainpoolP512r1, .secp256k1:
            PeerSupport(signing: false, encryption: false, reason: "sqop's Nettle backend has no \(rawValue) curve")
        default:
            PeerSupport(signing: true, encryption: true, reason: "")
        }
    }
}

struct PeerSupport: Sendable {
    let signing: Bool
    let encryption: Bool
    /// Why a peer cannot do what it cannot.
    let reason: String
}

/// The key types `SecretKey.generate` makes.
enum OurKeyType: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case curve25519, rsa2048, rsa3072, rsa4096, nistP256, nistP384, nistP521

    var testDescription: String { rawValue }

    var keyType: SecretKey.KeyType {
        switch self {
        case .curve25519: .curve25519
        case .rsa2048: .rsa(bits: 2048)
        case .rsa3072: .rsa(bits: 3072)
        case .rsa4096: .rsa(bits: 4096)
        case .nistP256: .nistP256
        case .nistP384: .nistP384
        case .nistP521: .nistP521
        }
    }
}

/// The matrix's keys, each generated once per test run and shared by every case using it.
enum MatrixKeys {
    /// Protects every peer-made secret key and every exported one of ours.
    static let password = "Matrix pass ✓"

    /// A key rnp generated, exported.
    struct PeerKey: Sendable {
        let family: KeyFamily
        /// The primary key's, then the encryption subkey's (upper-case hex).
        let fingerprints: [String]
        /// `rnpkeys --export-key`.
        let certificate: String
        /// `rnpkeys --export-key --secret`: protected with `MatrixKeys.password`.
        let secretKey: String

        var primary: String { fingerprints[0] }
    }

    private static let rnpKeys = OnceCache<KeyFamily, PeerKey> { family in
        let rnp = try RNP()
        let userID = "rnp \(family) <rnp-\(family.rawValue.lowercased())@example.org>"
        let fingerprints = try rnp.generateKey(userID: userID, answers: family.rnpAnswers, password: password)
        guard fingerprints.count == 2 else {
            throw TestSupportError("rnp made \(fingerprints.count) keys for \(family), not a primary key and a subkey")
        }
        return PeerKey(
            family: family, fingerprints: fingerprints, certificate: try rnp.export(fingerprints[0]),
            secretKey: try rnp.export(fingerprints[0], secret: true))
    }

    private static let ourKeys = OnceCache<OurKeyType, SecretKey> { type in
        try SecretKey.generate(
            userID: "Ours \(type) <ours-\(type.rawValue.lowercased())@example.org>", type: type.keyType)
    }

    /// rnp's key of `family`, made on first use.
    static func rnp(_ family: KeyFamily) throws -> PeerKey { try rnpKeys.value(for: family) }

    /// Our key of `type`, made on first use.
    static func ours(_ type: OurKeyType) throws -> SecretKey { try ourKeys.value(for: type) }
}
