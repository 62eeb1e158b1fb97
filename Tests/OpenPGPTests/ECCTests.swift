import Foundation
import Testing

@testable import OpenPGP

@Suite("ECDSA and ECDH on NIST, secp256k1 and brainpool curves")
struct ECCTests {
    typealias Support = PublicKeyTestSupport

    static let curves: [Curve] = [
        .nistP256, .nistP384, .nistP521, .secp256k1, .brainpoolP256r1, .brainpoolP384r1, .brainpoolP512r1,
    ]

    /// RFC 6979 A.2.5 signatures by the P-256 key: message, hash, r, s.
    static let vectors: [(String, HashAlgorithm, String, String)] = [
        (
            "sample", .sha256, "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
            "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
        ),
        (
            "sample", .sha512, "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00",
            "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE"
        ),
        (
            "sample", .sha1, "61340C88C3AAEBEB4F6D667F672CA9759A6CCAA9FA8811313039EE4A35471D32",
            "6D7F147DAC089441BB2E2FE8F7A3FA264B9C475098FDCF6E00D7C996E1B8B7EB"
        ),
        (
            "test", .sha256, "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
            "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"
        ),
    ]

    @Test func everyCurveIsAvailable() {
        for curve in Self.curves { #expect(curve.isSupported, "\(curve)") }
        #expect(Curve.ed25519.isSupported && Curve.curve25519.isSupported)
        #expect(!Curve(oid: [0x2B, 0x65, 0x71]).isSupported)
    }

    @Test func verifiesRFC6979Signatures() throws {
        let key = try PublicKeyPacket(
            creationTime: 1, algorithm: .ecdsa, parameters: .ecdsa(curve: .nistP256, point: Support.p256Point))
        for (message, hash, r, s) in Self.vectors {
            let digest = try HashContext.digest(hash, Array(message.utf8))
            let values = [Support.hex(r), Support.hex(s)]
            // The SHA-512 digest is truncated to the order's 256 bits.
            #expect(
                try SignatureCrypto.verify(digest: digest, values: values, algorithm: .ecdsa, hash: hash, key: key),
                "\(message) \(hash)")
            var badS = values
            badS[1][0] ^= 0x80
            #expect(try !SignatureCrypto.verify(digest: digest, values: badS, algorithm: .ecdsa, hash: hash, key: key))
            let other = try HashContext.digest(hash, Array((message + ".").utf8))
            #expect(try !SignatureCrypto.verify(digest: other, values: values, algorithm: .ecdsa, hash: hash, key: key))
        }
    }

    @Test func rfc6979SecretMatchesItsPointAndSigns() throws {
        let key = try PublicKeyPacket(
            creationTime: 1, algorithm: .ecdsa, parameters: .ecdsa(curve: .nistP256, point: Support.p256Point))
        var material: [UInt8] = []
        try material.appendMPI(Support.p256X)
        let secret = try SecretParameters.parse(material, for: key, offset: 0)
        let digest = try HashContext.digest(.sha256, Array("sample".utf8))
        let values = try SignatureCrypto.sign(digest: digest, hash: .sha256, secret: secret, key: key)
        #expect(try SignatureCrypto.verify(digest: digest, values: values, algorithm: .ecdsa, hash: .sha256, key: key))
        // A different scalar, or one beyond the order, does not belong to the point.
        for wrong in [Support.p256X.dropLast() + [Support.p256X[31] ^ 1], [UInt8](repeating: 0xFF, count: 32)] {
            var bad: [UInt8] = []
            try bad.appendMPI(Array(wrong))
            let error = Support.error { _ = try SecretParameters.parse(bad, for: key, offset: 7) }
            #expect(error?.code == .malformedPacket)
            #expect(error?.offset == 7)
        }
    }

    @Test func pointsOffTheCurveOrCompressedAreRejected() throws {
        var offCurve = Support.p256Point
        offCurve[64] ^= 0x01
        let compressed = [0x03] + Array(Support.p256Point[1...32])
        let digest = try HashContext.digest(.sha256, Array("sample".utf8))
        let values = [Support.hex(Self.vectors[0].2), Support.hex(Self.vectors[0].3)]
        for point in [offCurve, compressed, [0x04] + [UInt8](repeating: 0, count: 64), []] {
            let signer = try PublicKeyPacket(
                creationTime: 1, algorithm: .ecdsa, parameters: .ecdsa(curve: .nistP256, point: point))
            #expect(
                try !SignatureCrypto.verify(
                    digest: digest, values: values, algorithm: .ecdsa, hash: .sha256, key: signer))
            let recipient = try PublicKeyPacket(
                creationTime: 1, algorithm: .ecdh,
                parameters: .ecdh(curve: .nistP256, point: point, kdfHash: .sha256, kdfCipher: .aes128))
            #expect(
                Support.code {
                    _ = try SessionKeyCrypto.encrypt(
                        sessionKey: SecureBytes.random(count: 16), cipher: .aes128, to: recipient)
                } == .malformedPacket)
        }
    }

    @Test func unknownCurveIsUnsupported() throws {
        let curve = Curve(oid: [0x2B, 0x81, 0x04, 0x00, 0x21])  // secp224r1: not an OpenPGP curve
        let key = try PublicKeyPacket(
            creationTime: 1, algorithm: .ecdsa, parameters: .ecdsa(curve: curve, point: [4, 1, 2]))
        let error = Support.error {
            _ = try SignatureCrypto.verify(digest: [1], values: [[1], [1]], algorithm: .ecdsa, hash: .sha256, key: key)
        }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(error?.message.contains("curve OID") == true)
        #expect(
            Support.code { _ = try SecretParameters.parse([0, 8, 1], for: key, offset: 3) } == .unsupportedAlgorithm)
    }

    @Test(arguments: curves)
    func signsAndEncryptsOnEveryCurve(curve: Curve) throws {
        let key = try Support.ecKey(curve)
        try Support.expectRoundTrip(key)
        let imported = try SecretKey(armored: try key.armored(passphrase: "ec"), passphrase: "ec")
        #expect(imported.certificate == key.certificate)
        try Support.expectRoundTrip(imported, hash: .sha512)
    }

    @Test(arguments: [
        (SecretKey.KeyType.nistP256, Curve.nistP256, HashAlgorithm.sha256, SymmetricAlgorithm.aes128, 256),
        (.nistP384, .nistP384, .sha384, .aes192, 384), (.nistP521, .nistP521, .sha512, .aes256, 521),
    ])
    func generatedNISTKeys(
        type: SecretKey.KeyType, curve: Curve, hash: HashAlgorithm, wrap: SymmetricAlgorithm, bits: Int
    ) throws {
        let key = try SecretKey.generate(userID: "NIST <nist@example.org>", type: type)
        let certificate = key.certificate
        #expect(certificate.primaryKey.algorithm == .ecdsa)
        #expect(certificate.primaryKey.curve == curve)
        #expect(certificate.primaryKey.bitLength == bits)
        #expect(
            certificate.subkeys.map(\.parameters).first.map {
                if case .ecdh(curve, _, hash, wrap) = $0 { return true }
                return false
            } == true)
        // Self-signatures use the hash the curve wants.
        #expect(certificate.primaryKey.selfSignature?.hashAlgorithm == hash)
        #expect(certificate.subkeys.first?.selfSignature?.hashAlgorithm == hash)
        try Support.expectRoundTrip(try SecretKey(armored: try key.armored()), hash: hash)
    }

    @Test func alteredSignatureIsBad() throws {
        let key = try Support.ecKey(.nistP384)
        let data = Array("signed by ECDSA\n".utf8)
        var message = try OpenPGPMessage.sign(
            data, by: [key], options: MessageOptions(hash: .sha384, compression: .uncompressed, armor: false))
        let signature = try #require(PacketFraming.parse(message).last)
        message[signature.offset + signature.serialized.count - 3] ^= 0x01
        let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [key.certificate])
        #expect(result.signatures.map(\.status) == [.bad])
    }

    @Test func everyECDHFailureLooksTheSame() throws {
        let key = try Support.ecKey(.brainpoolP256r1)
        let header = 1 + 8 + 1
        let pointEnd = header + 2 + 65
        let errors = try Support.pkeskErrors(
            for: key,
            [
                { body in
                    var b = body; b[b.count - 2] ^= 0x01; return b
                },  // wrapped key changed
                { body in
                    var b = body; b[pointEnd - 1] ^= 0x01; return b
                },  // ephemeral point off the curve
                { body in
                    var b = body; b[header + 2] = 0x02; return b
                },  // not an uncompressed point
                { body in Array(body.prefix(pointEnd)) },  // wrapped key missing
                { body in body + [0] },  // trailing byte
            ])
        #expect(errors.count == 5)
        #expect(errors.allSatisfy { $0?.code == .decryptionFailed }, "\(errors)")
        #expect(Set(errors.map { $0?.message ?? "none" }).count == 1)
    }
}
