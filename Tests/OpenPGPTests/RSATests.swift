import Foundation
import Testing

@testable import OpenPGP

@Suite("RSA keys, signatures and session keys")
struct RSATests {
    /// One 2048-bit key for the whole suite: generation is the slow part.
    static let key = Result { try SecretKey.generate(userID: "RSA <rsa@example.org>", type: .rsa(bits: 2048)) }

    private func rsaKey() throws -> SecretKey { try Self.key.get() }

    @Test func generatedKeyHasTheRightShape() throws {
        let key = try rsaKey()
        let certificate = key.certificate
        #expect(certificate.primaryKey.algorithm == .rsaEncryptOrSign)
        #expect(certificate.primaryKey.bitLength == 2048)
        #expect(certificate.primaryKey.flags == [.certify, .sign])
        #expect(certificate.subkeys.map(\.algorithm) == [.rsaEncryptOrSign])
        #expect(certificate.subkeys.map(\.bitLength) == [2048])
        #expect(certificate.encryptionKeys().map(\.fingerprint) == certificate.subkeys.map(\.fingerprint))
        #expect(certificate.signingKeys().map(\.fingerprint) == [certificate.fingerprint])
        #expect(certificate.primaryKey.selfSignature?.hashAlgorithm == .sha256)
    }

    @Test func secretUIsTheInverseOfPModuloQ() throws {
        let key = try rsaKey()
        for component in key.certificate.components {
            guard case .rsa(let secret) = try key.secretParameters(for: component) else {
                Issue.record("not an RSA secret")
                continue
            }
            let context = try BigNumberContext()
            let p = try BigNumber(secret: secret.p)
            let q = try BigNumber(secret: secret.q)
            #expect(p.compare(q) < 0, "OpenPGP orders the primes p < q")
            #expect(try context.modMultiply(try BigNumber(secret: secret.u), p, q, secret: true).isOne)
            guard case .rsa(let n, _) = component.parameters else { continue }
            #expect(try context.multiply(p, q, secret: true).bytes() == n)
        }
    }

    @Test(arguments: [HashAlgorithm.sha1, .sha224, .sha256, .sha384, .sha512, .ripemd160])
    func signsAndEncryptsWithEveryHash(hash: HashAlgorithm) throws {
        try PublicKeyTestSupport.expectRoundTrip(try rsaKey(), hash: hash)
    }

    @Test func secretKeyExportsAndImports() throws {
        let key = try rsaKey()
        let clear = try SecretKey(armored: try key.armored())
        #expect(clear.certificate == key.certificate)
        try PublicKeyTestSupport.expectRoundTrip(clear)
        let protected = try key.armored(passphrase: "rsa pass")
        #expect(
            PublicKeyTestSupport.code { _ = try SecretKey(armored: protected, passphrase: "wrong") } == .wrongPassphrase
        )
        try PublicKeyTestSupport.expectRoundTrip(try SecretKey(armored: protected, passphrase: "rsa pass"))
        #expect(try Certificate(armored: key.certificate.armored()) == key.certificate)
    }

    @Test func alteredSignatureOrDataIsBad() throws {
        let key = try rsaKey()
        let data = Array("signed by RSA\n".utf8)
        let message = try OpenPGPMessage.sign(
            data, by: [key], options: MessageOptions(compression: .uncompressed, armor: false))
        let packets = try PacketFraming.parse(message)
        let signature = try #require(packets.last)
        let literal = try #require(packets.first { $0.tag == .literalData })
        var badValue = message
        badValue[signature.offset + signature.serialized.count - 5] ^= 0x01
        var badData = message
        badData[literal.offset + 2 + 6] ^= 0x20
        for tampered in [badValue, badData] {
            let result = try OpenPGPMessage.decrypt(tampered, using: [], verifyingWith: [key.certificate])
            #expect(result.signatures.map(\.status) == [.bad])
        }
    }

    @Test func everySessionKeyFailureLooksTheSame() throws {
        let key = try rsaKey()
        // Fields: version, key ID, algorithm, then the MPI (2 length bytes, 256 value bytes).
        let mpiStart = 1 + 8 + 1
        let errors = try PublicKeyTestSupport.pkeskErrors(
            for: key,
            [
                { body in
                    var b = body; b[b.count - 1] ^= 0x01; return b
                },  // wrong padding after decryption
                // Not below n
                { body in Array(body.prefix(mpiStart)) + [0x08, 0x00] + [UInt8](repeating: 0xFF, count: 256) },
                { body in Array(body.prefix(mpiStart)) + [0x00, 0x08, 0x01] },  // a one-byte ciphertext
                { body in Array(body.dropLast(3)) },  // truncated MPI
                { body in body + [0x00] },  // trailing byte
            ])
        #expect(errors.count == 5)
        #expect(errors.allSatisfy { $0?.code == .decryptionFailed })
        #expect(Set(errors.map { $0?.message ?? "none" }).count == 1)
    }

    @Test func openSSLStyleCoefficientIsRejected() throws {
        // A secret key whose u is q⁻¹ mod p (OpenSSL's iqmp) instead of p⁻¹ mod q.
        let key = try rsaKey()
        let component = key.certificate.primaryKey
        guard case .rsa(let secret) = try key.secretParameters(for: component) else {
            Issue.record("not an RSA secret")
            return
        }
        let context = try BigNumberContext()
        let iqmp = try #require(
            try context.modInverse(try BigNumber(secret: secret.q), try BigNumber(secret: secret.p), secret: true))
        var material: [UInt8] = []
        for value in [secret.d.bytes, secret.p.bytes, secret.q.bytes, iqmp.bytes()] { try material.appendMPI(value) }
        let body = component.packet.body + [0] + material + secretChecksum(material)
        let error = PublicKeyTestSupport.error { _ = try SecretKeyPacket(body: body, offset: 100, tag: .secretKey) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.offset == 100)
        // The correct u parses.
        var good: [UInt8] = []
        for value in [secret.d.bytes, secret.p.bytes, secret.q.bytes, secret.u.bytes] { try good.appendMPI(value) }
        #expect(
            try SecretKeyPacket(
                body: component.packet.body + [0] + good + secretChecksum(good), offset: 100, tag: .secretKey
            ).parameters != nil)
    }

    @Test func unsupportedSizesAndBrokenKeysAreTypedErrors() throws {
        for bits in [1024, 2047, 8192] {
            #expect(
                PublicKeyTestSupport.code {
                    _ = try SecretKey.generate(userID: "x <x@example.org>", type: .rsa(bits: bits))
                } == .invalidArgument)
        }
        // An even modulus: encryption refuses it, verification says "bad".
        let even = try PublicKeyPacket(
            creationTime: 1, algorithm: .rsaEncryptOrSign,
            parameters: .rsa(n: [UInt8](repeating: 0xFE, count: 256), e: [1, 0, 1]))
        #expect(
            PublicKeyTestSupport.code {
                _ = try SessionKeyCrypto.encrypt(sessionKey: SecureBytes.random(count: 16), cipher: .aes128, to: even)
            } == .malformedPacket)
        #expect(
            try SignatureCrypto.verify(
                digest: [UInt8](repeating: 1, count: 32), values: [[1, 2, 3]], algorithm: .rsaEncryptOrSign,
                hash: .sha256, key: even) == false)
    }
}
