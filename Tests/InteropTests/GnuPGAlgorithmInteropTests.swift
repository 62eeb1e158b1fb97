import Foundation
import OpenPGP
import TestSupport
import Testing

/// Every v4 public-key algorithm in both directions: keys gpg makes, read and used by us, and
/// keys we make, used by gpg. Each case makes its key once and runs every check with it.
@Suite("GnuPG interop: RSA, DSA/ElGamal, ECDSA/ECDH keys", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGAlgorithmInteropTests {
    let plaintext = Array("Grüße from PGPMail, signed and encrypted\nsecond line\n".utf8)

    /// A key gpg generates: its algorithm names, what we should read, and the hash we sign with.
    struct PeerKey: Sendable, CustomTestStringConvertible {
        let primary: String
        let subkey: String
        let primaryAlgorithm: PublicKeyAlgorithm
        let subkeyAlgorithm: PublicKeyAlgorithm
        let curve: Curve?
        let bits: Int
        let hash: HashAlgorithm
        var testDescription: String { "\(primary) + \(subkey)" }
    }

    static let peerKeys: [PeerKey] = [
        PeerKey(
            primary: "rsa2048", subkey: "rsa2048", primaryAlgorithm: .rsaEncryptOrSign,
            subkeyAlgorithm: .rsaEncryptOrSign, curve: nil, bits: 2048, hash: .sha256),
        PeerKey(
            primary: "rsa3072", subkey: "rsa3072", primaryAlgorithm: .rsaEncryptOrSign,
            subkeyAlgorithm: .rsaEncryptOrSign, curve: nil, bits: 3072, hash: .sha512),
        PeerKey(
            primary: "rsa4096", subkey: "rsa4096", primaryAlgorithm: .rsaEncryptOrSign,
            subkeyAlgorithm: .rsaEncryptOrSign, curve: nil, bits: 4096, hash: .sha256),
        PeerKey(
            primary: "dsa2048", subkey: "elg2048", primaryAlgorithm: .dsa, subkeyAlgorithm: .elgamalEncryptOnly,
            curve: nil, bits: 2048, hash: .sha256),
        PeerKey(
            primary: "nistp256", subkey: "nistp256", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh, curve: .nistP256,
            bits: 256, hash: .sha256),
        PeerKey(
            primary: "nistp384", subkey: "nistp384", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh, curve: .nistP384,
            bits: 384, hash: .sha384),
        PeerKey(
            primary: "nistp521", subkey: "nistp521", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh, curve: .nistP521,
            bits: 521, hash: .sha512),
        PeerKey(
            primary: "brainpoolP256r1", subkey: "brainpoolP256r1", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh,
            curve: .brainpoolP256r1, bits: 256, hash: .sha256),
        PeerKey(
            primary: "brainpoolP384r1", subkey: "brainpoolP384r1", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh,
            curve: .brainpoolP384r1, bits: 384, hash: .sha384),
        PeerKey(
            primary: "brainpoolP512r1", subkey: "brainpoolP512r1", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh,
            curve: .brainpoolP512r1, bits: 512, hash: .sha512),
        PeerKey(
            primary: "secp256k1", subkey: "secp256k1", primaryAlgorithm: .ecdsa, subkeyAlgorithm: .ecdh,
            curve: .secp256k1, bits: 256, hash: .sha256),
    ]

    @Test(arguments: peerKeys)
    func gnupgKeyWorksBothWays(_ peer: PeerKey) throws {
        let passphrase = "peer \(peer.primary)"
        let userID = "Peer \(peer.primary) <peer-\(peer.primary.lowercased())@example.org>"
        let (gpg, fingerprint, exportedSecret) = try GnuPG.withFreshHome { gpg in
            let fingerprint = try gpg.generateKey(
                userID: userID, primary: peer.primary, subkey: peer.subkey, passphrase: passphrase)
            return (gpg, fingerprint, try gpg.exportSecretKeys(fingerprint, passphrase: passphrase).stdoutText)
        }
        let certificate = try Certificate(armored: try gpg.run(["--armor", "--export", fingerprint]).stdoutText)
        let secretKey = try SecretKey(armored: exportedSecret, passphrase: passphrase)

        // We read gpg's key as gpg describes it.
        #expect(certificate.fingerprint.hex == fingerprint)
        #expect(certificate.primaryKey.algorithm == peer.primaryAlgorithm)
        #expect(certificate.primaryKey.curve == peer.curve)
        #expect(certificate.primaryKey.bitLength == peer.bits)
        let subkey = try #require(certificate.encryptionKeys().first)
        #expect(subkey.algorithm == peer.subkeyAlgorithm)
        #expect(subkey.bitLength == peer.bits)

        // gpg → us: gpg signs with the primary key and encrypts to the subkey.
        let fromGnuPG = try gpg.run(
            ["--encrypt", "--sign", "--recipient", fingerprint], input: plaintext, passphrase: passphrase)
        let read = try OpenPGPMessage.decrypt(fromGnuPG.stdout, using: [secretKey], verifyingWith: [certificate])
        #expect(read.data == plaintext)
        #expect(read.decryptionKey == subkey.fingerprint)
        #expect(read.signatures.map(\.status) == [.good])
        #expect(read.signatures.first?.publicKeyAlgorithm == peer.primaryAlgorithm)

        // us → gpg: signed with the gpg-made key, encrypted to it.
        let options = MessageOptions(hash: peer.hash)
        let message = try OpenPGPMessage.encrypt(plaintext, for: [certificate], signedBy: [secretKey], options: options)
        let result = try gpg.run(["--decrypt"], input: message, passphrase: passphrase)
        #expect(result.stdout == plaintext)
        #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
        #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"), "\(result.stderr)")
        #expect(result.stderr.contains(" \(peer.primaryAlgorithm.rawValue) \(peer.hash.rawValue) 00 \(fingerprint)"))
    }

    /// A key type we generate, with the algorithm number and hash gpg should report.
    struct OurKey: Sendable, CustomTestStringConvertible {
        let type: SecretKey.KeyType
        let algorithm: PublicKeyAlgorithm
        let hash: HashAlgorithm
        let colonsAlgorithm: String
        var testDescription: String { "\(type)" }
    }

    static let ourKeys: [OurKey] = [
        OurKey(type: .rsa(bits: 2048), algorithm: .rsaEncryptOrSign, hash: .sha256, colonsAlgorithm: "1"),
        OurKey(type: .rsa(bits: 3072), algorithm: .rsaEncryptOrSign, hash: .sha256, colonsAlgorithm: "1"),
        OurKey(type: .rsa(bits: 4096), algorithm: .rsaEncryptOrSign, hash: .sha512, colonsAlgorithm: "1"),
        OurKey(type: .nistP256, algorithm: .ecdsa, hash: .sha256, colonsAlgorithm: "19"),
        OurKey(type: .nistP384, algorithm: .ecdsa, hash: .sha384, colonsAlgorithm: "19"),
        OurKey(type: .nistP521, algorithm: .ecdsa, hash: .sha512, colonsAlgorithm: "19"),
    ]

    @Test(arguments: ourKeys)
    func gnupgUsesOurKey(_ ours: OurKey) throws {
        let key = try SecretKey.generate(userID: "Ours <ours@example.org>", type: ours.type)
        let fingerprint = key.fingerprint.hex
        let gpg = try GnuPG()
        try gpg.importKey(try key.armored(passphrase: "our pass"), passphrase: "our pass")

        // gpg accepts both self-signatures: a valid key whose overall capabilities include
        // signing and encryption, through a bound encryption subkey.
        let listing = try gpg.run(["--with-colons", "--list-secret-keys", fingerprint]).stdoutText
        let records = listing.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        let primary = try #require(records.first { $0.first == "sec" && $0.count > 11 })
        let subkey = try #require(records.first { $0.first == "ssb" && $0.count > 11 })
        #expect(!["i", "r", "e", "n"].contains(primary[1]) && !["i", "r", "e", "n"].contains(subkey[1]), "\(listing)")
        #expect(primary[3] == ours.colonsAlgorithm)
        #expect(primary[2] == String(key.certificate.primaryKey.bitLength))
        #expect(primary[11].contains("S") && primary[11].contains("E"), "\(listing)")
        #expect(subkey[11] == "e")

        // gpg → us: gpg signs with our secret (so it read d, p, q, u right) and encrypts to us.
        let fromGnuPG = try gpg.run(
            ["--local-user", fingerprint, "--encrypt", "--sign", "--recipient", fingerprint], input: plaintext,
            passphrase: "our pass")
        let read = try OpenPGPMessage.decrypt(fromGnuPG.stdout, using: [key], verifyingWith: [key.certificate])
        #expect(read.data == plaintext)
        #expect(read.signatures.map(\.status) == [.good])

        // us → gpg: gpg decrypts with our secret subkey and checks our signature.
        let message = try OpenPGPMessage.encrypt(
            plaintext, for: [key.certificate], signedBy: [key], options: MessageOptions(hash: ours.hash))
        let result = try gpg.run(["--decrypt"], input: message, passphrase: "our pass")
        #expect(result.stdout == plaintext)
        #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
        #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"), "\(result.stderr)")
        #expect(result.stderr.contains(" \(ours.algorithm.rawValue) \(ours.hash.rawValue) 00 \(fingerprint)"))
    }
}
