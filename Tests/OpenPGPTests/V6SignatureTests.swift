import Foundation
import Testing

@testable import OpenPGP

@Suite("RFC 9580 v6 signatures")
struct V6SignatureTests {
    static let data = Array("What we need from the grocery store:\n".utf8)

    @Test func verifiesTheA6CleartextSignature() throws {
        let certificate = try RFC9580Vectors.certificate()
        let message = try RFC9580Vectors.text("rfc9580-a6-cleartext.asc")
        let result = try OpenPGPMessage.verifyCleartext(message, with: [certificate])
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.signatures.first?.signerFingerprint == certificate.fingerprint)
        #expect(result.signatures.first?.hashAlgorithm == .sha512)
        #expect(result.text == "What we need from the grocery store:\n\n- tofu\n- vegetables\n- noodles\n")
        // Changed text: bad.
        let tampered = try OpenPGPMessage.verifyCleartext(
            message.replacingOccurrences(of: "tofu", with: "tofu!"), with: [certificate])
        #expect(tampered.signatures.map(\.status) == [.bad])
    }

    @Test func verifiesTheA7InlineSignedMessage() throws {
        let certificate = try RFC9580Vectors.certificate()
        let message = try RFC9580Vectors.text("rfc9580-a7-inline.asc")
        let result = try OpenPGPMessage.decrypt(Array(message.utf8), using: [], verifyingWith: [certificate])
        #expect(result.signatures.map(\.status) == [.good])
        #expect(String(decoding: result.data, as: UTF8.self).hasPrefix("What we need from the grocery store:"))
    }

    @Test func verifiesTheA1A2Ed25519LegacyVectors() throws {
        let keyPacket = try PacketFraming.parse(
            try Armor.decodeIfArmored(
                Array(
                    """
                    -----BEGIN PGP PUBLIC KEY BLOCK-----

                    xjMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJku
                    Q+47JAY=
                    -----END PGP PUBLIC KEY BLOCK-----
                    """.utf8)))[0]
        var reader = ByteReader(keyPacket.body)
        let key = try PublicKeyPacket(reading: &reader)
        #expect(key.fingerprint.hex == "C959BDBAFA32A2F89A153B678CFDE12197965A9A")
        let signaturePacket = try PacketFraming.parse(
            try Armor.decodeIfArmored(
                Array(
                    """
                    -----BEGIN PGP SIGNATURE-----

                    iF4EABYIAAYFAlX5X5UACgkQjP3hIZeWWpr2IgD/VvkMypjiECY3vZg/2xbBMd/S
                    ftgr9N3lYG4NdWrtM2YBANCcT6EVJ/A44PV/IgHYLy6iyQMyZfps60iehUuuYbQE
                    -----END PGP SIGNATURE-----
                    """.utf8)))[0]
        let signature = try SignaturePacket(body: signaturePacket.body, offset: 0)
        #expect(try signature.verify(by: key) { $0.update(Array("OpenPGP".utf8)) })
        #expect(try !signature.verify(by: key) { $0.update(Array("OpenPGp".utf8)) })
    }

    @Test func malformedV6SignaturesAreTypedErrors() throws {
        let header: [UInt8] = [6, 0x00, 27, 10]
        let emptyAreas: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD]
        // Areas longer than the packet, a short salt, a short Ed25519 value.
        let cases: [[UInt8]] = [
            header + [0xFF, 0xFF, 0xFF, 0xFF],
            header + [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
            header + emptyAreas + [32] + [UInt8](repeating: 0, count: 8),
            header + emptyAreas + [32] + [UInt8](repeating: 0, count: 40),
        ]
        for body in cases {
            #expect(errorCode { _ = try SignaturePacket(body: body, offset: 0) } == .truncatedPacket)
        }
        let onePassCases: [[UInt8]] = [
            [6, 0, 10, 27, 32] + [UInt8](repeating: 0, count: 40),  // salt, then a short fingerprint
            [6, 0, 10, 27, 0] + [UInt8](repeating: 0, count: 34),  // one byte too many
            [4, 0, 10, 27],
        ]
        for body in onePassCases {
            #expect(errorCode { _ = try OnePassSignature(body: body, offset: 0) } != nil)
        }
    }

    @Test func aSaltOfTheWrongSizeIsBad() throws {
        let certificate = try RFC9580Vectors.certificate()
        let message = try RFC9580Vectors.text("rfc9580-a6-cleartext.asc")
        let parsed = try CleartextMessage(parsing: Array(message.utf8))
        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(Array(parsed.signatureBlock)))
        var body = packets[0].body
        // Salt size 32 (SHA-512) → claim 31 and drop one salt byte: still parses, never verifies.
        let saltSizeIndex = 4 + 4 + 41 + 4 + 2
        #expect(body[saltSizeIndex] == 32)
        body[saltSizeIndex] = 31
        body.remove(at: saltSizeIndex + 1)
        let signature = try SignaturePacket(body: body, offset: 0)
        #expect(signature.salt.count == 31)
        let verification = DetachedVerifier(signatures: [.signature(signature)], certificates: [certificate])
        try verification.write(parsed.text(separator: [0x0D, 0x0A]))
        #expect(try verification.finish().map(\.status) == [.bad])
    }

    @Test func signsDetachedWithV6Signatures() throws {
        let key = try RFC9580Vectors.secretKey()
        let signature = try OpenPGPMessage.detachedSignature(for: Self.data, by: [key])
        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(signature))
        let parsed = try SignaturePacket(body: packets[0].body, offset: 0)
        #expect(parsed.version == 6)
        #expect(parsed.publicKeyAlgorithm == .ed25519)
        #expect(parsed.salt.count == 16)
        #expect(parsed.issuerFingerprint == key.fingerprint)
        #expect(parsed.unhashedSubpackets.isEmpty)
        let results = try OpenPGPMessage.verifyDetached(signature, of: Self.data, with: [key.certificate])
        #expect(results.map(\.status) == [.good])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: Self.data + [0], with: [key.certificate]).map(\.status)
                == [.bad])
        // Two signatures over the same data have different salts.
        let again = try OpenPGPMessage.detachedSignature(for: Self.data, by: [key])
        #expect(again != signature)
    }

    @Test func signsCleartextWithoutAHashHeader() throws {
        let key = try RFC9580Vectors.secretKey()
        let v4 = try SecretKey.generate(userID: "Vera <vera@example.org>")
        let message = try OpenPGPMessage.clearSign("- a line\nanother\n", by: [key])
        #expect(!message.contains("Hash:"))
        let result = try OpenPGPMessage.verifyCleartext(message, with: [key.certificate])
        #expect(result.signatures.map(\.status) == [.good])
        // Signed by a v4 and a v6 key: the header names the v4 hash only, and both verify.
        let both = try OpenPGPMessage.clearSign(
            "text\n", by: [v4, key], options: MessageOptions(hash: .sha384))
        #expect(both.contains("Hash: SHA384\n"))
        let results = try OpenPGPMessage.verifyCleartext(both, with: [key.certificate, v4.certificate])
        #expect(results.signatures.map(\.status) == [.good, .good])
    }

    @Test func signsInlineWithV6OnePassSignatures() throws {
        let key = try RFC9580Vectors.secretKey()
        let v4 = try SecretKey.generate(userID: "Vera <vera@example.org>")
        let message = try OpenPGPMessage.sign(
            Self.data, by: [key, v4], options: MessageOptions(compression: .uncompressed, armor: false))
        let packets = try PacketFraming.parse(message)
        let onePass = try packets.filter { $0.tag == .onePassSignature }.map {
            try OnePassSignature(body: $0.body, offset: $0.bodyOffset)
        }
        #expect(onePass.map(\.version) == [6, 3])
        #expect(onePass[0].issuer == .fingerprint(key.fingerprint))
        #expect(onePass[0].salt.count == 16)
        #expect(onePass.map(\.isLast) == [false, true])
        let signatures = try packets.filter { $0.tag == .signature }.map {
            try SignaturePacket(body: $0.body, offset: $0.bodyOffset)
        }
        // The signature closing a one-pass signature carries its salt.
        #expect(signatures.last?.salt == onePass[0].salt)
        let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [key.certificate, v4.certificate])
        #expect(result.signatures.map(\.status) == [.good, .good])
        #expect(result.data == Self.data)
    }

    @Test func hashesBelowTheMinimumAreRaisedWhenSigning() throws {
        let key = try RFC9580Vectors.secretKey()
        let signer = try DetachedSigner(signers: [key], options: MessageOptions(hash: .sha1))
        #expect(signer.hashAlgorithms == [.sha256])
        let ed448 = try SecretKey.generate(userIDs: ["Ed <ed@example.org>"], type: .curve448, version: .v4)
        let ed448Signer = try DetachedSigner(signers: [ed448], options: MessageOptions(hash: .sha256))
        #expect(ed448Signer.hashAlgorithms == [.sha512])
    }

    @Test func aV6KeyDoesNotMakeV4Signatures() throws {
        let key = try RFC9580Vectors.secretKey()
        let signing = try key.signingKey(at: Date())
        // A v4-shaped signature by the v6 key: cryptographically sound, but not acceptable.
        let template = try SignaturePacket(
            type: .binary, publicKeyAlgorithm: .ed25519, hashAlgorithm: .sha256,
            hashedSubpackets: [.creationTime(UInt32(Date().timeIntervalSince1970)), .issuer(key.fingerprint)],
            unhashedSubpackets: [], hashPrefix: [], signatureValues: [])
        let context = try template.makeHashContext()
        context.update(Self.data)
        let v4Signature = try signing.finish(template: template, context: context)
        #expect(v4Signature.version == 4)
        #expect(try !v4Signature.verify(by: signing.publicKey) { $0.update(Self.data) })
    }
}
