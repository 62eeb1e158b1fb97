import Foundation
import Testing

@testable import OpenPGP

@Suite("DSA signatures and ElGamal session keys")
struct DSAElGamalTests {
    typealias Support = PublicKeyTestSupport

    /// RFC 6979 A.2.2 signatures by the 2048/256 key: message, hash, r, s.
    static let vectors: [(String, HashAlgorithm, String, String)] = [
        (
            "sample", .sha1, "3A1B2DBD7489D6ED7E608FD036C83AF396E290DBD602408E8677DAABD6E7445A",
            "D26FCBA19FA3E3058FFC02CA1596CDBB6E0D20CB37B06054F7E36DED0CDBBCCF"
        ),
        (
            "sample", .sha224, "DC9F4DEADA8D8FF588E98FED0AB690FFCE858DC8C79376450EB6B76C24537E2C",
            "A65A9C3BC7BABE286B195D5DA68616DA8D47FA0097F36DD19F517327DC848CEC"
        ),
        (
            "sample", .sha256, "EACE8BDBBE353C432A795D9EC556C6D021F7A03F42C36E9BC87E4AC7932CC809",
            "7081E175455F9247B812B74583E9E94F9EA79BD640DC962533B0680793A38D53"
        ),
        (
            "sample", .sha384, "B2DA945E91858834FD9BF616EBAC151EDBC4B45D27D0DD4A7F6A22739F45C00B",
            "19048B63D9FD6BCA1D9BAE3664E1BCB97F7276C306130969F63F38FA8319021B"
        ),
        (
            "sample", .sha512, "2016ED092DC5FB669B8EFB3D1F31A91EECB199879BE0CF78F02BA062CB4C942E",
            "D0C76F84B5F091E141572A639A4FB8C230807EEA7D55C8A154A224400AFF2351"
        ),
        (
            "test", .sha256, "8190012A1969F9957D56FCCAAD223186F423398D58EF5B3CEFD5A4146A4476F0",
            "7452A53F7075D417B4B013B278D1BB8BBD21863F5E7B1CEE679CF2188E1AB19E"
        ),
    ]

    @Test func verifiesRFC6979Signatures() throws {
        let key = try PublicKeyPacket(creationTime: 1, algorithm: .dsa, parameters: Support.dsaParameters)
        #expect(key.bitLength == 2048)
        for (message, hash, r, s) in Self.vectors {
            let digest = try HashContext.digest(hash, Array(message.utf8))
            let values = [Support.hex(r), Support.hex(s)]
            // SHA-384 and SHA-512 digests are truncated to q's 256 bits.
            #expect(
                try SignatureCrypto.verify(digest: digest, values: values, algorithm: .dsa, hash: hash, key: key),
                "\(message) \(hash)")
            let other = try HashContext.digest(hash, Array((message + "!").utf8))
            #expect(try !SignatureCrypto.verify(digest: other, values: values, algorithm: .dsa, hash: hash, key: key))
            var badR = values
            badR[0][5] ^= 0x01
            #expect(try !SignatureCrypto.verify(digest: digest, values: badR, algorithm: .dsa, hash: hash, key: key))
            #expect(
                try !SignatureCrypto.verify(digest: digest, values: [values[0]], algorithm: .dsa, hash: hash, key: key))
        }
    }

    @Test func rfc6979SecretDerivesThePublishedKey() throws {
        // x parses against y only when g^x mod p = y.
        let key = try PublicKeyPacket(creationTime: 1, algorithm: .dsa, parameters: Support.dsaParameters)
        var material: [UInt8] = []
        try material.appendMPI(Support.dsaX)
        guard case .dsa = try SecretParameters.parse(material, for: key, offset: 0) else {
            Issue.record("not a DSA secret")
            return
        }
        var wrong: [UInt8] = []
        try wrong.appendMPI(Support.dsaX.dropLast() + [Support.dsaX[31] ^ 1])
        let error = Support.error { _ = try SecretParameters.parse(wrong, for: key, offset: 42) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.offset == 42)
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha384, .sha512, .sha1])
    func signsAndEncryptsWithAnAssembledKey(hash: HashAlgorithm) throws {
        try Support.expectRoundTrip(try Support.dsaElGamalKey(), hash: hash)
    }

    @Test func assembledKeyExportsAndImports() throws {
        let key = try Support.dsaElGamalKey()
        #expect(key.certificate.subkeys.map(\.algorithm) == [.elgamalEncryptOnly])
        #expect(key.certificate.subkeys.map(\.bitLength) == [2048])
        let protected = try key.armored(passphrase: "dsa")
        let imported = try SecretKey(armored: protected, passphrase: "dsa")
        #expect(imported.certificate == key.certificate)
        try Support.expectRoundTrip(imported)
    }

    @Test func everyElGamalFailureLooksTheSame() throws {
        let key = try Support.dsaElGamalKey()
        let header = 1 + 8 + 1
        /// Rebuilds the fields from (c1, c2) as the edit wants them.
        func fields(_ edit: @escaping ([UInt8], [UInt8]) -> [UInt8]) -> ([UInt8]) -> [UInt8] {
            { body in
                var reader = ByteReader(Array(body.dropFirst(header)))
                guard let c1 = try? reader.readMPI(), let c2 = try? reader.readMPI() else { return body }
                return Array(body.prefix(header)) + edit(c1, c2)
            }
        }
        func mpi(_ value: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            try! out.appendMPI(value)  // at most 2,048 bits here: always fits
            return out
        }
        let p = Support.ffdhe2048
        let errors = try Support.pkeskErrors(
            for: key,
            [
                // C2 changed: wrong padding
                fields { c1, c2 in mpi(c1) + mpi(c2.dropLast() + [c2[c2.count - 1] ^ 1]) },
                fields { c1, c2 in mpi([c1[0] ^ 1] + c1.dropFirst()) + mpi(c2) },  // c1 changed
                fields { _, c2 in mpi([]) + mpi(c2) },  // c1 = 0
                fields { _, c2 in mpi(p) + mpi(c2) },  // c1 = p
                fields { c1, _ in mpi(c1) + mpi(p) },  // c2 = p
                fields { c1, _ in mpi(c1) },  // c2 missing
            ])
        #expect(errors.count == 6)
        #expect(errors.allSatisfy { $0?.code == .decryptionFailed }, "\(errors)")
        #expect(Set(errors.map { $0?.message ?? "none" }).count == 1)
    }

    @Test func elgamalRejectsBadPublicParameters() throws {
        let (good, _) = try Support.elgamalKey()
        guard case .elgamal(let p, _, let y) = good else { return }
        let broken: [PublicKeyParameters] = [
            .elgamal(p: p, g: [1], y: y),  // g = 1
            .elgamal(p: p, g: [2], y: [1]),  // y = 1
            .elgamal(p: p, g: [2], y: p),  // y = p
            .elgamal(p: Array(p.dropLast()) + [0xFE], g: [2], y: y),  // even p
            .elgamal(p: Array(p.prefix(64)), g: [2], y: [3]),  // 512-bit p
        ]
        for parameters in broken {
            let packet = try PublicKeyPacket(creationTime: 1, algorithm: .elgamalEncryptOnly, parameters: parameters)
            #expect(
                Support.code {
                    _ = try SessionKeyCrypto.encrypt(
                        sessionKey: SecureBytes.random(count: 16), cipher: .aes128, to: packet)
                } == .malformedPacket)
        }
    }

    @Test func pkcs1PaddingDecodes() throws {
        let message: [UInt8] = [9, 1, 2, 3]
        let block = try EMEPKCS1.encode(message, size: 64)
        #expect(block.count == 64)
        #expect(block.prefix(2) == [0, 2])
        #expect(!block[2..<59].contains(0))
        #expect(EMEPKCS1.decode(block) == message)
        var wrongType = block
        wrongType[1] = 1
        var shortPadding = block
        shortPadding[5] = 0
        var noSeparator = block
        noSeparator[59] = 7
        for bad in [wrongType, shortPadding, noSeparator, Array(block.prefix(10))] {
            #expect(EMEPKCS1.decode(bad) == nil)
        }
        #expect(
            Support.code { _ = try EMEPKCS1.encode([UInt8](repeating: 1, count: 54), size: 64) } == .invalidArgument)
    }
}
