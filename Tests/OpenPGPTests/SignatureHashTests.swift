import Foundation
import Testing

@testable import OpenPGP

/// `SigningKey.signatureHash(requested:)`, the seed's EnsureValidDSASignatureHashAlgorithm.
@Suite("Signature hash selection for DSA and ECDSA keys")
struct SignatureHashTests {
    private func choice(
        _ requested: HashAlgorithm, _ parameters: PublicKeyParameters, _ algorithm: PublicKeyAlgorithm
    ) throws -> HashAlgorithm {
        SigningKey.signatureHash(
            requested: requested,
            for: try PublicKeyPacket(creationTime: 1, algorithm: algorithm, parameters: parameters))
    }

    private func dsa(qBits: Int) -> PublicKeyParameters {
        .dsa(
            p: [0xFF] + [UInt8](repeating: 1, count: 255), q: [0x80] + [UInt8](repeating: 1, count: qBits / 8 - 1),
            g: [2], y: [3])
    }

    @Test func dsaHashesAreUpgradedToCoverQ() throws {
        #expect(try choice(.md5, dsa(qBits: 256), .dsa) == .sha256)
        #expect(try choice(.sha1, dsa(qBits: 256), .dsa) == .sha256)
        #expect(try choice(.sha224, dsa(qBits: 256), .dsa) == .sha256)
        #expect(try choice(.sha1, dsa(qBits: 224), .dsa) == .sha224)
        #expect(try choice(.ripemd160, dsa(qBits: 224), .dsa) == .sha224)
        #expect(try choice(.md5, dsa(qBits: 160), .dsa) == .sha224)
        // Long enough already: kept (FIPS 186 truncates a longer digest).
        #expect(try choice(.sha1, dsa(qBits: 160), .dsa) == .sha1)
        #expect(try choice(.sha512, dsa(qBits: 256), .dsa) == .sha512)
        #expect(try choice(.sha256, dsa(qBits: 224), .dsa) == .sha256)
    }

    @Test func ecdsaHashesMatchTheCurve() throws {
        let cases: [(Curve, HashAlgorithm)] = [
            (.nistP256, .sha256), (.nistP384, .sha384), (.nistP521, .sha512), (.secp256k1, .sha256),
            (.brainpoolP256r1, .sha256), (.brainpoolP384r1, .sha384), (.brainpoolP512r1, .sha512),
        ]
        for (curve, needed) in cases {
            let key = PublicKeyParameters.ecdsa(curve: curve, point: [4])
            #expect(try choice(.sha1, key, .ecdsa) == needed, "\(curve)")
            #expect(try choice(.sha224, key, .ecdsa) == needed, "\(curve)")
            #expect(try choice(.sha512, key, .ecdsa) == .sha512, "\(curve)")
            #expect(try choice(needed, key, .ecdsa) == needed, "\(curve)")
        }
        #expect(try choice(.sha256, .ecdsa(curve: .nistP384, point: [4]), .ecdsa) == .sha384)
        #expect(try choice(.sha384, .ecdsa(curve: .nistP521, point: [4]), .ecdsa) == .sha512)
        #expect(try choice(.sha3_256, .ecdsa(curve: .nistP256, point: [4]), .ecdsa) == .sha3_256)
    }

    @Test func otherKeysKeepTheRequestedHash() throws {
        #expect(try choice(.sha1, .rsa(n: [0xC1], e: [3]), .rsaEncryptOrSign) == .sha1)
        #expect(try choice(.md5, .eddsaLegacy(curve: .ed25519, point: [0x40]), .eddsaLegacy) == .md5)
        #expect(try choice(HashAlgorithm(rawValue: 99), dsa(qBits: 256), .dsa) == HashAlgorithm(rawValue: 99))
    }

    @Test func instanceMethodUsesItsKey() throws {
        let key = try PublicKeyTestSupport.dsaElGamalKey()
        let signer = try key.signingKey(
            at: .init(timeIntervalSince1970: TimeInterval(PublicKeyTestSupport.created + 10)))
        #expect(signer.signatureHash(requested: .sha1) == .sha256)
    }

    /// The PSMTP `EnsureValidDSASignatureHashAlgorithm` setting, on by default, in every
    /// signature form; off, the requested hash is used as it is.
    @Test func writersUpgradeTheHashUnlessToldNotTo() throws {
        let key = try SecretKey.generate(userID: "P384 <p384@example.org>", type: .nistP384)
        let data = Array("hash choice\n".utf8)
        let inline = try OpenPGPMessage.sign(data, by: [key], options: MessageOptions(hash: .sha256))
        let read = try OpenPGPMessage.decrypt(inline, using: [], verifyingWith: [key.certificate])
        #expect(read.signatures.map(\.hashAlgorithm) == [.sha384])
        #expect(read.signatures.map(\.status) == [.good])

        let detached = try OpenPGPMessage.detachedSignature(
            for: data, by: [key], options: MessageOptions(hash: .sha256))
        #expect(
            try OpenPGPMessage.verifyDetached(detached, of: data, with: [key.certificate]).map(\.hashAlgorithm) == [
                .sha384
            ])

        let cleartext = try OpenPGPMessage.clearSign("hash choice\n", by: [key], options: MessageOptions(hash: .sha256))
        #expect(cleartext.contains("Hash: SHA384"))
        #expect(try OpenPGPMessage.verifyCleartext(Array(cleartext.utf8), with: [key.certificate]).hasGoodSignature)

        let exact = try OpenPGPMessage.sign(
            data, by: [key], options: MessageOptions(hash: .sha256, ensureValidSignatureHash: false))
        #expect(
            try OpenPGPMessage.decrypt(exact, using: [], verifyingWith: [key.certificate]).signatures.map(
                \.hashAlgorithm) == [.sha256])
    }
}
