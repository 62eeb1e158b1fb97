import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("Autocrypt Level 1")
struct AutocryptTests {
    /// Two user IDs, so that the minimal certificate visibly drops one.
    static let sender = try! SecretKey.generate(userIDs: [
        "Alice <alice@example.org>", "Alice Work <alice@work.example>",
    ])
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")
    static let carol = try! SecretKey.generate(userID: "Carol <carol@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(
            from: "Alice <alice@example.org>", to: "Bob <bob@example.org>, carol@example.org", subject: "Hi",
            body: "Hello\n")
    }

    /// The attributes of an Autocrypt header value, keydata with its whitespace removed.
    private func attributes(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in value.split(separator: ";") {
            let pair = attribute.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            result[pair[0]] = pair[0] == "keydata" ? pair[1].filter { !$0.isWhitespace } : pair[1]
        }
        return result
    }

    @Test func headerCarriesTheMinimalCertificate() throws {
        let message = try message().withAutocrypt(Self.sender.certificate, preferEncrypt: .mutual)
        let wire = try message.renderedBytes()
        Support.expectWellFormedLines(wire, limit: 78)
        let entity = try MIMEEntity.parse(wire)
        let values = entity.headers(named: "Autocrypt").map(\.rawValue)
        #expect(values.count == 1)
        let fields = attributes(try #require(values.first))
        #expect(fields["addr"] == "alice@example.org")
        #expect(fields["prefer-encrypt"] == "mutual")

        let keyData = try Base64.decode(Array(try #require(fields["keydata"]).utf8))
        let certificate = try Certificate(bytes: keyData)
        #expect(certificate.fingerprint == Self.sender.fingerprint)
        #expect(certificate.userIDs.map(\.value) == ["Alice <alice@example.org>"])
        #expect(certificate.subkeys.count == 1)
        #expect(
            certificate.encryptionKeys().map(\.fingerprint)
                == Self.sender.certificate.encryptionKeys().map(\.fingerprint))
        #expect(keyData.count < Self.sender.certificate.serialized().count)
    }

    @Test func noPreferenceOmitsTheAttributeAndARepeatReplacesTheHeader() throws {
        let message = try message().withAutocrypt(Self.sender.certificate, preferEncrypt: .mutual)
            .withAutocrypt(Self.sender.certificate)
        let values = message.topLevelHeaders().values(for: "Autocrypt")
        #expect(values.count == 1)
        #expect(attributes(values[0])["prefer-encrypt"] == nil)
    }

    @Test func aCertificateWithoutTheFromAddressIsRefused() throws {
        #expect(throws: OpenPGPError.self) { try message().withAutocrypt(Self.bob.certificate) }
    }

    @Test func minimalCertificateForTheSecondUserID() throws {
        let minimal = try Self.sender.certificate.minimal(forAddress: "ALICE@work.example")
        #expect(minimal.userIDs.map(\.value) == ["Alice Work <alice@work.example>"])
        #expect(minimal.userIDs.allSatisfy { $0.isBound })
        #expect(minimal.subkeys.count == 1 && minimal.subkeys.allSatisfy(\.isBound))
    }

    @Test func gossipTravelsInsideTheEncryptedPart() throws {
        let encrypted = try message().withAutocrypt(Self.sender.certificate).encrypted(
            for: [Self.bob.certificate, Self.carol.certificate, Self.sender.certificate],
            autocryptGossip: [Self.bob.certificate, Self.carol.certificate])
        let wire = try encrypted.renderedBytes()
        let outer = try MIMEEntity.parse(wire)
        #expect(outer.headers(named: "Autocrypt").count == 1)
        #expect(outer.headers(named: "Autocrypt-Gossip").isEmpty)

        let decrypted = try PGPMIME.decrypt(wire, using: [Self.bob])
        let gossip = decrypted.inner.headers(named: "Autocrypt-Gossip").map { attributes($0.rawValue) }
        #expect(gossip.map { $0["addr"] } == ["bob@example.org", "carol@example.org"])
        let carolKey = try Certificate(bytes: try Base64.decode(Array(try #require(gossip.last?["keydata"]).utf8)))
        #expect(carolKey.fingerprint == Self.carol.fingerprint)
    }

    @Test func gossipForAStrangerIsRefused() throws {
        let stranger = try SecretKey.generate(userID: "Dave <dave@example.org>")
        #expect(throws: MailError.self) {
            try message().encrypted(for: [Self.bob.certificate], autocryptGossip: [stranger.certificate])
        }
    }
}
