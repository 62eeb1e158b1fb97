import Foundation
import Testing

@testable import OpenPGP

@Suite("Detached signatures")
struct DetachedSignatureTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.org>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")
    /// A fixed signing time at which both keys are valid.
    static let fixedDate = Date(
        timeIntervalSince1970: TimeInterval(
            max(alice.certificate.primaryKey.packet.creationTime, bob.certificate.primaryKey.packet.creationTime)) + 1)
    let data = Array((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })

    @Test(arguments: [(LiteralFormat.binary, true), (.binary, false), (.text, true), (.text, false)])
    func roundTrips(format: LiteralFormat, armor: Bool) throws {
        let options = MessageOptions(hash: .sha512, armor: armor, literalFormat: format)
        let signature = try OpenPGPMessage.detachedSignature(for: data, by: [Self.alice], options: options)
        if armor {
            #expect(String(decoding: signature, as: UTF8.self).hasPrefix("-----BEGIN PGP SIGNATURE-----\n"))
        } else {
            #expect(try PacketFraming.parse(signature).map(\.tag) == [.signature])
        }
        let results = try OpenPGPMessage.verifyDetached(
            signature, of: data, with: [Self.bob.certificate, Self.alice.certificate])
        #expect(results.map(\.status) == [.good])
        let result = try #require(results.first)
        #expect(result.signatureType == (format == .binary ? .binary : .text))
        #expect(result.hashAlgorithm == .sha512)
        #expect(result.signerFingerprint == Self.alice.fingerprint)
        #expect(result.issuerKeyID == Self.alice.certificate.keyID)
    }

    @Test func streamingMatchesInMemory() throws {
        let date = Self.fixedDate
        let options = MessageOptions(armor: false, signatureDate: Date(timeIntervalSinceNow: -60))
        let signer = try DetachedSigner(signers: [Self.alice], options: options)
        var offset = 0
        for size in [1, 0, 4095, 70_000, 100_000] where offset < data.count {
            let end = min(data.count, offset + size)
            try signer.write(Array(data[offset..<end]))
            offset = end
        }
        #expect(offset == data.count)
        let streamed = try signer.finish()
        #expect(throws: OpenPGPError.self) { try signer.write([1]) }
        #expect(throws: OpenPGPError.self) { _ = try signer.finish() }

        let verifier = try DetachedVerifier(signature: streamed, certificates: [Self.alice.certificate])
        for chunk in stride(from: 0, to: data.count, by: 999) {
            try verifier.write(Array(data[chunk..<min(data.count, chunk + 999)]))
        }
        #expect(try verifier.finish().map(\.status) == [.good])
        #expect(
            try OpenPGPMessage.verifyDetached(streamed, of: data, with: [Self.alice.certificate]).map(\.status) == [
                .good
            ])
        // Ed25519 is deterministic: the same data, key and time give the same signature.
        let fixed = MessageOptions(armor: false, signatureDate: date)
        #expect(
            try OpenPGPMessage.detachedSignature(for: data, by: [Self.alice], options: fixed)
                == OpenPGPMessage.detachedSignature(for: data, by: [Self.alice], options: fixed))
    }

    @Test func textSignatureCoversLineEndingsOnlyCanonically() throws {
        // The same text with LF and with CRLF gives the same text-signature digest: a detached
        // text signature over one verifies over the other.
        let options = MessageOptions(literalFormat: .text)
        let signature = try OpenPGPMessage.detachedSignature(
            for: Array("one\ntwo\n".utf8), by: [Self.alice], options: options)
        let certificates = [Self.alice.certificate]
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: Array("one\r\ntwo\r\n".utf8), with: certificates).map(
                \.status) == [.good])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: Array("one\ntwo\n".utf8), with: certificates).map(\.status)
                == [.good])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: Array("one\ntwo \n".utf8), with: certificates).map(
                \.status) == [.bad])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: Array("one\rtwo\n".utf8), with: certificates).map(\.status)
                == [.bad])
    }

    @Test func severalSignersAndMixedSignatures() throws {
        let both = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.alice, Self.bob], options: MessageOptions(armor: false))
        let results = try OpenPGPMessage.verifyDetached(
            both, of: data, with: [Self.alice.certificate, Self.bob.certificate])
        #expect(results.map(\.status) == [.good, .good])
        #expect(results.map(\.signerFingerprint) == [Self.alice.fingerprint, Self.bob.fingerprint])

        // Signatures of different hashes and modes, concatenated, are each checked with their own.
        let text = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.bob], options: MessageOptions(hash: .sha384, armor: false, literalFormat: .text))
        let mixed = try OpenPGPMessage.verifyDetached(both + text, of: data, with: [Self.alice.certificate])
        #expect(mixed.map(\.status) == [.good, .missingKey, .missingKey])
        #expect(mixed.map(\.signatureType) == [.binary, .binary, .text])
    }

    @Test func tamperingMakesTheSignatureBad() throws {
        let signature = try OpenPGPMessage.detachedSignature(for: data, by: [Self.alice])
        var altered = data
        altered[50_000] ^= 0x01
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: altered, with: [Self.alice.certificate]).map(\.status) == [
                .bad
            ])
        #expect(
            try OpenPGPMessage.verifyDetached(signature, of: data + [0], with: [Self.alice.certificate]).map(\.status)
                == [.bad])

        // A changed signature value or hashed subpacket is bad too.
        let binary = try Armor.decodeIfArmored(signature)
        for position in [binary.count - 5, 12] {
            var damaged = binary
            damaged[position] ^= 0x40
            #expect(
                try OpenPGPMessage.verifyDetached(damaged, of: data, with: [Self.alice.certificate]).map(\.status) == [
                    .bad
                ])
        }
    }

    @Test func unknownKeyIsMissingKey() throws {
        let signature = try OpenPGPMessage.detachedSignature(for: data, by: [Self.alice])
        let results = try OpenPGPMessage.verifyDetached(signature, of: data, with: [Self.bob.certificate])
        #expect(results.map(\.status) == [.missingKey])
        #expect(results.first?.issuerKeyID == Self.alice.certificate.keyID)
        #expect(results.first?.signerFingerprint == nil)
        #expect(try OpenPGPMessage.verifyDetached(signature, of: data, with: []).map(\.status) == [.missingKey])
    }

    @Test func keyThatCouldNotSignThenIsUnusable() throws {
        // A key valid for one day, ten days ago; a signature claiming to be from yesterday.
        let created = Date(timeIntervalSinceNow: -10 * 86_400)
        let expired = try SecretKey.generate(
            userID: "Old <old@example.org>", creationDate: created, validity: .seconds(86_400))
        let component = expired.certificate.primaryKey
        let key = SigningKey(publicKey: component.packet, secret: try expired.secretParameters(for: component))
        let context = try HashContext(.sha256)
        context.update(data)
        let late = UInt32(Date(timeIntervalSinceNow: -86_400).timeIntervalSince1970)
        let packet = try DocumentSignatures.sign(
            with: DocumentSignatures.Signer(key: key, hash: .sha256, salt: []), type: .binary, creationTime: late,
            context: context)
        let results = try OpenPGPMessage.verifyDetached(packet.serialized, of: data, with: [expired.certificate])
        #expect(results.map(\.status) == [.unusableKey])

        // Made while the key was valid, the same key's signature is good.
        let early = try OpenPGPMessage.detachedSignature(
            for: data, by: [expired], options: MessageOptions(signatureDate: created.addingTimeInterval(3600)))
        #expect(
            try OpenPGPMessage.verifyDetached(early, of: data, with: [expired.certificate]).map(\.status) == [.good])
        // Our signer refuses to sign with it now.
        #expect(errorCode { _ = try OpenPGPMessage.detachedSignature(for: data, by: [expired]) } == .keyNotUsable)
    }

    @Test func otherSignatureVersionsAreUnsupported() throws {
        // A version 5 header (type, algorithms) and a version 3 signature by Alice's key ID.
        let v5 = PacketFraming.packet(tag: .signature, body: [5, 0x00, 27, 10] + [UInt8](repeating: 0, count: 40))
        var v3Body: [UInt8] = [3, 5, 0x01, 0x65, 0x00, 0x00, 0x00] + Self.alice.certificate.keyID.bytes + [22, 8]
        v3Body += [0xAB, 0xCD] + [0, 8, 0xFF] + [0, 8, 0xFF]
        let v3 = PacketFraming.packet(tag: .signature, body: v3Body)
        let good = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.alice], options: MessageOptions(armor: false))
        let results = try OpenPGPMessage.verifyDetached(v5 + good + v3, of: data, with: [Self.alice.certificate])
        #expect(results.map(\.status) == [.unsupported, .good, .unsupported])
        #expect(results[0].hashAlgorithm == .sha512)
        #expect(results[0].publicKeyAlgorithm == PublicKeyAlgorithm(rawValue: 27))
        #expect(results[2].issuerKeyID == Self.alice.certificate.keyID)
        #expect(results[2].signatureType == .text)
    }

    @Test func malformedSignaturesAreTypedErrors() throws {
        let certificates = [Self.alice.certificate]
        #expect(
            errorCode { _ = try OpenPGPMessage.verifyDetached([], of: data, with: certificates) } == .malformedMessage)
        #expect(
            errorCode { _ = try OpenPGPMessage.verifyDetached([0x01, 0x02], of: data, with: certificates) }
                == .malformedPacket)
        #expect(
            errorCode {
                _ = try OpenPGPMessage.verifyDetached(
                    Array("-----BEGIN PGP SIGNATURE-----\n\n!!!\n".utf8), of: data, with: certificates)
            } == .malformedArmor)
        let message = try OpenPGPMessage.sign(data, by: [Self.alice], options: MessageOptions(armor: false))
        #expect(
            errorCode { _ = try OpenPGPMessage.verifyDetached(message, of: data, with: certificates) }
                == .unexpectedPacket)
        let signature = try OpenPGPMessage.detachedSignature(
            for: data, by: [Self.alice], options: MessageOptions(armor: false))
        #expect(
            errorCode {
                _ = try OpenPGPMessage.verifyDetached(Array(signature.dropLast(10)), of: data, with: certificates)
            } != nil)
        let marker = PacketFraming.packet(tag: .marker, body: Array("PGP".utf8))
        #expect(
            try OpenPGPMessage.verifyDetached(marker + signature, of: data, with: certificates).map(\.status) == [.good]
        )
        #expect(
            errorCode { _ = try OpenPGPMessage.verifyDetached(marker, of: data, with: certificates) }
                == .malformedMessage)
    }

    @Test func signingNeedsUsableKeysAndAHash() throws {
        #expect(errorCode { _ = try OpenPGPMessage.detachedSignature(for: data, by: []) } == .invalidArgument)
        #expect(
            errorCode {
                _ = try OpenPGPMessage.detachedSignature(
                    for: data, by: [Self.alice], options: MessageOptions(hash: HashAlgorithm(rawValue: 99)))
            } == .unsupportedAlgorithm)
        let locked = try SecretKey(armored: try Self.alice.armored(passphrase: "pw"))
        #expect(errorCode { _ = try OpenPGPMessage.detachedSignature(for: data, by: [locked]) } == .passphraseRequired)
    }

    @Test func armorHeadersAndLineEndingsApply() throws {
        let options = MessageOptions(armorHeaders: ArmorHeaders(comment: "signed by PGPMail"), armorLineEnding: .crlf)
        let signature = String(
            decoding: try OpenPGPMessage.detachedSignature(for: data, by: [Self.alice], options: options), as: UTF8.self
        )
        #expect(signature.hasPrefix("-----BEGIN PGP SIGNATURE-----\r\nComment: signed by PGPMail\r\n\r\n"))
        #expect(signature.hasSuffix("-----END PGP SIGNATURE-----\r\n"))
        #expect(
            try OpenPGPMessage.verifyDetached(Array(signature.utf8), of: data, with: [Self.alice.certificate]).map(
                \.status) == [.good])
    }
}
