import Foundation
import Testing

@testable import OpenPGP

/// The OpenPGP security rules of DESIGN.md, each tested.
@Suite("Message security rules")
struct MessageSecurityTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.org>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")
    let data = Array("attack at dawn\n".utf8)

    private func encrypted(_ options: MessageOptions = MessageOptions(armor: false)) throws -> [UInt8] {
        try OpenPGPMessage.encrypt(data, for: [Self.bob.certificate], signedBy: [Self.alice], options: options)
    }

    @Test func writerNeverCreatesSEDPackets() throws {
        let packets = try PacketFraming.parse(try encrypted())
        #expect(packets.map(\.tag) == [.publicKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
    }

    @Test func tamperedCiphertextReleasesNoPlaintext() throws {
        let message = try encrypted()
        let seipdStart = try #require(PacketFraming.parse(message).last?.offset)
        // Flip one bit in the middle of the encrypted body and at its very end (the MDC).
        for position in [seipdStart + 30, message.count - 1] {
            var tampered = message
            tampered[position] ^= 0x01
            #expect(errorCode { _ = try OpenPGPMessage.decrypt(tampered, using: [Self.bob]) } == .integrityCheckFailed)
        }
    }

    @Test func refusesSEDPackets() throws {
        // A tag 9 packet (no integrity protection) after a valid PKESK.
        let packets = try PacketFraming.parse(try encrypted())
        let sed = PacketFraming.packet(tag: .symmetricallyEncryptedData, body: Array(packets[1].body.dropFirst()))
        let message = packets[0].serialized + sed
        #expect(errorCode { _ = try OpenPGPMessage.decrypt(message, using: [Self.bob]) } == .insecureMessage)
    }

    @Test func sessionKeyFailuresLookAlike() throws {
        let packets = try PacketFraming.parse(try encrypted())
        var pkesk = packets[0].body
        // Corrupt the wrapped key (padding/wrap failure) and, separately, the ephemeral point.
        var wrapCorrupted = pkesk
        wrapCorrupted[wrapCorrupted.count - 3] ^= 0xFF
        pkesk[14] ^= 0xFF
        var errors: [OpenPGPError] = []
        for body in [wrapCorrupted, pkesk] {
            let message = PacketFraming.packet(tag: .publicKeyEncryptedSessionKey, body: body) + packets[1].serialized
            do {
                _ = try OpenPGPMessage.decrypt(message, using: [Self.bob])
            } catch let error as OpenPGPError {
                errors.append(error)
            }
        }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.code == .decryptionFailed })
        #expect(Set(errors.map(\.message)).count == 1)
    }

    @Test func wrongKeyIsNoSuitableKey() throws {
        #expect(errorCode { _ = try OpenPGPMessage.decrypt(try encrypted(), using: [Self.alice]) } == .noSuitableKey)
    }

    @Test func everyTruncationThrowsATypedError() throws {
        for message in [try encrypted(), try encrypted(MessageOptions())] {
            // An armored message is complete once its END line is there, newline or not.
            let complete = Armor.isArmored(message) ? message.count - 1 : message.count
            for length in 0..<complete {
                let result = errorCode {
                    _ = try OpenPGPMessage.decrypt(Array(message.prefix(length)), using: [Self.bob])
                }
                #expect(result != nil, "a \(length)-byte prefix was accepted")
            }
        }
    }

    @Test func decompressionRatioIsCapped() throws {
        // 64 MiB of zeros deflates about 1000-fold; a 1000-fold ratio cap with no grace trips.
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let message = try OpenPGPMessage.sign(zeros, by: [Self.alice], options: MessageOptions(armor: false))
        let strict = DecompressionLimits(maxRatio: 100, ratioGrace: 1 << 20)
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(message, using: [], limits: strict) }
                == .decompressionLimitExceeded)
        let small = DecompressionLimits(maxOutputBytes: 1 << 20)
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(message, using: [], limits: small) }
                == .decompressionLimitExceeded)
        #expect(try OpenPGPMessage.decrypt(message, using: []).data.count == zeros.count)
    }

    @Test func nestingDepthIsCapped() throws {
        var inner = PacketFraming.packet(tag: .literalData, body: [0x62, 0, 0, 0, 0, 0] + Array("x".utf8))
        for _ in 0..<12 {
            inner = PacketFraming.packet(
                tag: .compressedData, body: [CompressionAlgorithm.uncompressed.rawValue] + inner)
        }
        #expect(errorCode { _ = try OpenPGPMessage.decrypt(inner, using: []) } == .decompressionLimitExceeded)
    }

    @Test func expiredKeysAreNotUsedForEncryption() throws {
        let old = try SecretKey.generate(
            userID: "Old <old@example.org>", creationDate: Date(timeIntervalSinceNow: -86_400 * 10),
            validity: .seconds(86_400))
        #expect(old.certificate.encryptionKeys().isEmpty)
        #expect(errorCode { _ = try OpenPGPMessage.encrypt(data, for: [old.certificate]) } == .keyNotUsable)
        #expect(old.certificate.encryptionKeys(at: Date(timeIntervalSinceNow: -86_400 * 10 + 60)).count == 1)
    }

    @Test func signatureByAlteredDataIsBad() throws {
        // A signed-only, uncompressed message: change one literal byte, keep the signature.
        var message = try OpenPGPMessage.sign(
            data, by: [Self.alice], options: MessageOptions(compression: .uncompressed, armor: false))
        let literal = try #require(PacketFraming.parse(message).first { $0.tag == .literalData })
        message[literal.offset + 2 + 6] ^= 0x20
        let result = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [Self.alice.certificate])
        #expect(result.signatures.map(\.status) == [.bad])
        let unknown = try OpenPGPMessage.decrypt(message, using: [], verifyingWith: [Self.bob.certificate])
        #expect(unknown.signatures.map(\.status) == [.missingKey])
    }
}
