import Foundation
import Testing

@testable import OpenPGP

@Suite("Key selection")
struct KeySelectorTests {
    @Test func parsingClassifiesEveryForm() throws {
        let fingerprint = "5E70662EA810E768391A2FE8F7B7D49C89C9D7B1"
        let expectedFingerprint = KeySelector.fingerprint(try #require(Fingerprint(hex: fingerprint)))
        #expect(try KeySelector(fingerprint) == expectedFingerprint)
        #expect(try KeySelector("0x" + fingerprint.lowercased()) == expectedFingerprint)
        #expect(try KeySelector("5E70 662E A810 E768 391A  2FE8 F7B7 D49C 89C9 D7B1") == expectedFingerprint)
        #expect(try KeySelector("F7B7D49C89C9D7B1") == .keyID(try #require(KeyID(hex: "F7B7D49C89C9D7B1"))))
        #expect(try KeySelector("0xf7b7d49c89c9d7b1") == .keyID(try #require(KeyID(hex: "F7B7D49C89C9D7B1"))))
        #expect(try KeySelector("89C9D7B1") == .shortKeyID(0x89C9_D7B1))
        #expect(try KeySelector("0x89c9d7b1") == .shortKeyID(0x89C9_D7B1))
        #expect(try KeySelector("alice@example.org") == .email("alice@example.org"))
        #expect(try KeySelector("<Alice@Example.org>") == .email("Alice@Example.org"))
        #expect(try KeySelector("  Alice <alice@example.org> ") == .userID("Alice <alice@example.org>"))
        #expect(try KeySelector("Alice") == .userID("Alice"))
        // Hex-looking text of another length is a user ID.
        #expect(try KeySelector("ABCDEF") == .userID("ABCDEF"))
        #expect(try KeySelector("Dead Beef") == .userID("Dead Beef"))
        #expect(try KeySelector("F7B7 D49C 89C9 D7B1") == .userID("F7B7 D49C 89C9 D7B1"))
        #expect(KeySelector.shortKeyID(0x0000_00AB).description == "short key ID 000000AB")
        for bad in ["", "   ", "Alice\n<alice@example.org>", "a\u{0}b"] {
            let error = #expect(throws: OpenPGPError.self) { try KeySelector(bad) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func everyFormSelectsTheKeyAndSaysWhatMatched() throws {
        let alice = try SecretKey.generate(userID: "Alice Example <Alice@Example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let keyring = try Keyring(certificates: [bob.certificate], secretKeys: [alice])
        let primary = alice.certificate.primaryKey
        let subkey = try #require(alice.certificate.subkeys.first)

        let byPrimary: [String] = [
            "Alice Example <Alice@Example.org>", "alice@example.org", "<ALICE@example.ORG>",
            primary.fingerprint.hex, "0x" + primary.fingerprint.hex.lowercased(), spaced(primary.fingerprint.hex),
            primary.keyID.hex, primary.keyID.shortHex, "0x" + primary.keyID.shortHex,
        ]
        for text in byPrimary {
            let match = try keyring.match(for: try KeySelector(text))
            #expect(match.certificate.fingerprint == alice.fingerprint, "\(text)")
            #expect(match.component.isPrimary, "\(text)")
            #expect(try keyring.secretKey(matching: text).fingerprint == alice.fingerprint, "\(text)")
        }
        #expect(
            try keyring.match(for: KeySelector("alice@example.org")).userID?.value
                == "Alice Example <Alice@Example.org>")

        for text in [subkey.fingerprint.hex, subkey.keyID.hex, subkey.keyID.shortHex] {
            let match = try keyring.match(for: try KeySelector(text))
            #expect(match.certificate.fingerprint == alice.fingerprint, "\(text)")
            #expect(match.component.fingerprint == subkey.fingerprint, "\(text)")
            #expect(!match.component.isPrimary)
            #expect(match.userID == nil)
        }
        #expect(try keyring.certificate(matching: "bob@example.org") == bob.certificate)
        #expect(try keyring.certificates(matching: "Bob <bob@example.org>") == [bob.certificate])
        #expect(try keyring.secretKeys(matching: "bob@example.org").isEmpty)
        // A full user ID must match exactly, not by part or case.
        #expect(try keyring.certificates(matching: "Alice Example").isEmpty)
        #expect(try keyring.certificates(matching: "alice example <alice@example.org>").isEmpty)
    }

    @Test func noMatchAndMissingSecretAreNoSuitableKey() throws {
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let keyring = try Keyring(certificates: [bob.certificate])
        for text in ["nobody@example.org", "0123456789ABCDEF", "01234567"] {
            let error = #expect(throws: OpenPGPError.self) { try keyring.certificate(matching: text) }
            #expect(error?.code == .noSuitableKey)
            #expect(error?.psmtpErrorCode == 114)
        }
        let error = #expect(throws: OpenPGPError.self) { try keyring.secretKey(matching: "bob@example.org") }
        #expect(error?.code == .noSuitableKey)
        #expect(error?.message.contains("secret part") == true)
    }

    @Test func severalKeysForOneAddressAreAmbiguous() throws {
        let old = try SecretKey.generate(userID: "Carol <carol@example.org>")
        let new = try SecretKey.generate(userID: "Carol Example <CAROL@example.org>")
        let keyring = try Keyring(secretKeys: [old, new])
        #expect(
            try keyring.certificates(matching: "carol@example.org").map(\.fingerprint) == [
                old.fingerprint, new.fingerprint,
            ])
        for call in [
            { _ = try keyring.certificate(matching: "carol@example.org") },
            { _ = try keyring.secretKey(matching: "<carol@example.org>") },
        ] {
            let error = #expect(throws: OpenPGPError.self) { try call() }
            #expect(error?.code == .ambiguousKey)
            #expect(error?.psmtpErrorCode == 114)
            #expect(error?.message.contains(old.fingerprint.hex) == true)
            #expect(error?.message.contains(new.fingerprint.hex) == true)
        }
        // The full user ID and the fingerprint still tell them apart.
        #expect(try keyring.certificate(matching: "Carol <carol@example.org>").fingerprint == old.fingerprint)
        #expect(try keyring.secretKey(matching: new.fingerprint.hex).fingerprint == new.fingerprint)
    }

    @Test func revokedAndUnboundUserIDsAreNotSelectable() throws {
        let key = try SecretKey.generate(userID: "Dana <dana@example.org>")
        let forge = try KeyForge(key)
        let withWork = key.certificate.serialized() + (try forge.userID("Dana Work <dana@work.example>"))
        let revoked = try forge.userIDRevocation(
            "Dana Work <dana@work.example>", 32, "left the company", created: Date() + 5)
        // A user ID someone appended without the owner's signature.
        let forged = PacketFraming.packet(tag: .userID, body: Array("Mallory <dana@evil.example>".utf8))
        let keyring = try Keyring(bytes: withWork + revoked + key.certificate.serialized() + forged)
        #expect(keyring.count == 1)
        #expect(try keyring.certificates(matching: "dana@example.org").count == 1)
        #expect(try keyring.certificates(matching: "dana@work.example").isEmpty)
        #expect(try keyring.certificates(matching: "dana@evil.example").isEmpty)
        let workID = try #require(keyring.certificates.first?.userIDs.first { $0.email == "dana@work.example" })
        #expect(workID.isRevoked)
        #expect(workID.revocationReason == RevocationReason(code: .userIDInvalid, text: "left the company"))
    }

    private func spaced(_ hex: String) -> String {
        stride(from: 0, to: hex.count, by: 4).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }
}
