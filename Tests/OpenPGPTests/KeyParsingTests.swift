import Foundation
import Testing

@testable import OpenPGP

@Suite("Key and armor parsing")
struct KeyParsingTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources")

    @Test func armorRoundTripsAndToleratesCRLF() throws {
        let data = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let headers = ArmorHeaders(comment: "PGPMail test", version: "PGPMail")
        let armored = Armor.encode(data, type: .message, headers: headers)
        #expect(armored.contains("\nComment: PGPMail test\n"))
        #expect(armored.contains("\nVersion: PGPMail\n"))
        let crlf = armored.replacingOccurrences(of: "\n", with: "\r\n")
        for text in [armored, crlf] {
            let blocks = try Armor.decode(text)
            #expect(blocks.count == 1)
            #expect(blocks[0].data == data)
            #expect(blocks[0].headers["Comment"] == "PGPMail test")
        }
        #expect(!Armor.encode(data, type: .message).contains("Comment"))
    }

    @Test func malformedArmorIsTyped() throws {
        #expect(throws: OpenPGPError.self) {
            try Armor.decode("-----BEGIN PGP MESSAGE-----\n\n!!!!\n-----END PGP MESSAGE-----\n")
        }
        #expect(throws: OpenPGPError.self) { try Armor.decode("-----BEGIN PGP MESSAGE-----\n\nAAAA\n") }
        #expect(throws: OpenPGPError.self) {
            try Armor.decode("-----BEGIN PGP FOO-----\n\nAAAA\n-----END PGP FOO-----\n")
        }
    }

    @Test func keyringWithSeveralKeys() throws {
        let keys = try (0..<3).map { try SecretKey.generate(userID: "K\($0) <k\($0)@example.org>") }
        let ring = keys.flatMap { $0.certificate.serialized() }
        let certificates = try Certificate.readKeyring(ring)
        #expect(certificates.map(\.fingerprint) == keys.map(\.fingerprint))
        let armoredRing = keys.map { $0.certificate.armored() }.joined()
        #expect(try Certificate.readKeyring(Array(armoredRing.utf8)).count == 3)
    }

    @Test func userIDMatching() throws {
        let key = try SecretKey.generate(userID: "Dana Example <Dana@Example.org>")
        let userID = try #require(key.certificate.primaryUserID)
        #expect(userID.matches("dana@example.org"))
        #expect(userID.matches("<dana@example.org>"))
        #expect(userID.matches("Dana Example <Dana@Example.org>"))
        #expect(!userID.matches("dana@example.com"))
        #expect(throws: OpenPGPError.self) { try SecretKey.generate(userID: "") }
    }

    @Test func tamperedSelfSignatureUnbindsTheSubkey() throws {
        let key = try SecretKey.generate(userID: "Eve <eve@example.org>")
        var bytes = key.certificate.serialized()
        // The last packet is the subkey binding signature: corrupt its last MPI byte.
        bytes[bytes.count - 1] ^= 0x01
        let certificate = try Certificate(bytes: bytes)
        #expect(certificate.subkeys.count == 1)
        #expect(!certificate.subkeys[0].isBound)
        #expect(certificate.encryptionKeys().isEmpty)
    }

    @Test func v5KeysAreReportedAsUnsupported() throws {
        let text = try String(contentsOf: Self.vectors.appendingPathComponent("rfc9580-a3-cert.asc"), encoding: .utf8)
        var bytes = try Armor.decode(text)[0].data
        bytes[2] = 5
        do {
            _ = try Certificate(bytes: bytes)
            Issue.record("a v5 certificate was accepted")
        } catch let error as OpenPGPError {
            #expect(error.code == .unsupportedVersion)
            #expect(error.offset == 2)  // the version byte after the two-byte header
        }
    }

    @Test func garbageIsATypedError() {
        for input: [UInt8] in [[], [0x00, 0x01], [0xC6, 0x05, 4, 0, 0], Array(repeating: 0xFF, count: 40)] {
            #expect(throws: OpenPGPError.self) { try Certificate(bytes: input) }
        }
    }
}
