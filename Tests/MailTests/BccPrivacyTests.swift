import Foundation
import OpenPGP
import Testing

@testable import Mail

@Suite("Bcc privacy of encrypted messages")
struct BccPrivacyTests {
    static let sender = try! SecretKey.generate(userID: "Sender <sender@example.org>")
    static let to = try! SecretKey.generate(userID: "To <to@example.org>")
    static let cc = try! SecretKey.generate(userID: "Cc <cc@example.org>")
    static let bcc1 = try! SecretKey.generate(userID: "Hidden One <hidden1@example.org>")
    static let bcc2 = try! SecretKey.generate(userID: "Hidden Two <hidden2@example.org>")

    private func message() throws -> MailMessage {
        try MailMessage(from: "Sender <sender@example.org>", to: "To <to@example.org>", subject: "Plan", body: "Go.\n")
            .withCc([try MailAddress("cc@example.org")])
            .withBcc([try MailAddress("hidden1@example.org"), try MailAddress("Hidden Two <HIDDEN2@Example.org>")])
    }

    private var certificates: [MailAddress: Certificate] {
        get throws {
            [
                try MailAddress("to@example.org"): Self.to.certificate,
                try MailAddress("cc@example.org"): Self.cc.certificate,
                try MailAddress("hidden1@example.org"): Self.bcc1.certificate,
                try MailAddress("hidden2@example.org"): Self.bcc2.certificate,
            ]
        }
    }

    /// The key IDs the session-key packets (PKESK, tag 1) of a PGP/MIME encrypted message name.
    private func recipientKeyIDs(_ wire: [UInt8]) throws -> Set<KeyID> {
        let armored = try MIMEEntity.parse(wire).children[1].decodedText()
        let lines = armored.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let start = try #require(lines.firstIndex(of: "")) + 1
        let base64 = lines[start...].prefix { !$0.hasPrefix("=") && !$0.hasPrefix("-----") }.joined()
        let packets = try Base64.decode(Array(base64.utf8))
        var keyIDs = Set<KeyID>()
        var offset = 0
        while offset + 2 < packets.count {
            let header = packets[offset]
            let isNewFormat = header & 0x40 != 0
            let tag = isNewFormat ? header & 0x3F : (header >> 2) & 0x0F
            guard tag == 1 || tag == 3 else { break }  // session-key packets come first
            var length = 0
            var bodyStart = offset + 1
            if isNewFormat {
                let first = Int(packets[offset + 1])
                if first < 192 {
                    length = first
                    bodyStart += 1
                } else {
                    length = (first - 192) << 8 + Int(packets[offset + 2]) + 192
                    bodyStart += 2
                }
            } else {
                let octets = [1, 2, 4][Int(header & 0x03)]
                for index in 0..<octets { length = length << 8 | Int(packets[offset + 1 + index]) }
                bodyStart += octets
            }
            if tag == 1 {
                #expect(packets[bodyStart] == 3, "v3 PKESK")
                keyIDs.insert(KeyID(bytes: Array(packets[(bodyStart + 1)..<(bodyStart + 9)])))
            }
            offset = bodyStart + length
        }
        return keyIDs
    }

    private func keyID(_ key: SecretKey) throws -> KeyID {
        try #require(key.certificate.encryptionKeys().first).keyID
    }

    @Test func eachBccRecipientGetsACopyOfTheirOwn() throws {
        let deliveries = try message().encryptedDeliveries(
            recipientCertificates: try certificates, additionalCertificates: [Self.sender.certificate],
            signer: Self.sender)
        #expect(deliveries.count == 3)
        #expect(
            deliveries.map { $0.recipients.map(\.addrSpec) } == [
                ["to@example.org", "cc@example.org"], ["hidden1@example.org"], ["HIDDEN2@Example.org"],
            ])
        for delivery in deliveries { #expect(delivery.message.bcc.isEmpty) }

        let visible = try deliveries[0].message.renderedBytes()
        #expect(!Support.contains(visible, "hidden"))
        #expect(try MIMEEntity.parse(visible).headers(named: "Bcc").isEmpty)
        #expect(try recipientKeyIDs(visible) == [try keyID(Self.to), try keyID(Self.cc), try keyID(Self.sender)])
        let toCopy = try PGPMIME.decrypt(visible, using: [Self.to], verifyingWith: [Self.sender.certificate])
        #expect(toCopy.openPGP.hasGoodSignature)
        #expect(toCopy.protectedSubject == "Plan")
        #expect(throws: OpenPGPError.self) { try PGPMIME.decrypt(visible, using: [Self.bcc1]) }

        for (index, hidden) in [Self.bcc1, Self.bcc2].enumerated() {
            let copy = try deliveries[index + 1].message.renderedBytes()
            #expect(try MIMEEntity.parse(copy).headers(named: "Bcc").isEmpty)
            #expect(try recipientKeyIDs(copy) == [try keyID(hidden), try keyID(Self.sender)])
            let decrypted = try PGPMIME.decrypt(copy, using: [hidden], verifyingWith: [Self.sender.certificate])
            #expect(decrypted.openPGP.hasGoodSignature)
            #expect(try decrypted.inner.decodedText() == "Go.\n")
            #expect(try decrypted.outer.addresses("To").map(\.addrSpec) == ["to@example.org"])
        }
    }

    @Test func withoutBccThereIsOneDelivery() throws {
        let deliveries = try message().withBcc([]).encryptedDeliveries(recipientCertificates: try certificates)
        #expect(deliveries.count == 1)
        #expect(deliveries[0].recipients.count == 2)
    }

    @Test func onlyBccRecipientsEachGetTheirOwnCopy() throws {
        let deliveries = try message().withTo([]).withCc([]).encryptedDeliveries(
            recipientCertificates: try certificates)
        #expect(deliveries.map(\.recipients.count) == [1, 1])
        #expect(try recipientKeyIDs(try deliveries[0].message.renderedBytes()) == [try keyID(Self.bcc1)])
    }

    @Test func aMissingCertificateIsAnError() throws {
        let error = #expect(throws: MailError.self) {
            try message().encryptedDeliveries(recipientCertificates: [:])
        }
        #expect(error?.code == .invalidParameter)
    }

    @Test func encryptingOneCopyForBccAndToIsRefused() throws {
        let all = [Self.to.certificate, Self.cc.certificate, Self.bcc1.certificate]
        let error = #expect(throws: MailError.self) { try message().encrypted(for: all) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("encryptedDeliveries") == true)
        #expect(throws: MailError.self) { try message().signedAndEncrypted(by: Self.sender, for: all) }
        // Without a Bcc key, or without To/Cc recipients to see it, nothing leaks.
        _ = try message().encrypted(for: [Self.to.certificate, Self.cc.certificate])
        _ = try message().withTo([]).withCc([]).withBcc([try MailAddress("hidden1@example.org")])
            .encrypted(for: [Self.bcc1.certificate])
        // The author Bcc-ing themselves reveals nothing: From is visible anyway.
        _ = try message().withBcc([try MailAddress("sender@example.org")])
            .encrypted(for: [Self.to.certificate, Self.sender.certificate])
    }
}
