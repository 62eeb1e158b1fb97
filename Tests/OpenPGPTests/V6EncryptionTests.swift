import Foundation
import Testing

@testable import OpenPGP

/// Public-key encryption with RFC 9580: v6 PKESKs before SEIPDv2, chosen by the recipients'
/// features, and the whole A.8 sample message.
@Suite("v6 public-key encryption")
struct V6EncryptionTests {
    private let data = Array("Hello from a v6 message.\n".utf8)

    /// Writes `data` with a `MessageWriter`, returning the message and what it chose.
    private func encrypt(
        to recipients: [Certificate], passphrases: [String] = [], signers: [SecretKey] = [],
        options: MessageOptions = MessageOptions()
    ) throws -> (message: [UInt8], cipher: SymmetricAlgorithm?, aead: AEADAlgorithm?) {
        var output: [UInt8] = []
        let writer = try MessageWriter(
            recipients: recipients, passphrases: passphrases, signers: signers, options: options
        ) { output += $0 }
        try writer.write(data)
        try writer.finish()
        return (output, writer.symmetricAlgorithm, writer.aeadAlgorithm)
    }

    @Test func theA8SampleDecryptsWithTheA4Key() throws {
        let message = try RFC9580Vectors.text("rfc9580-a8-encrypted.asc")
        let read = try OpenPGPMessage.decrypt(Array(message.utf8), using: [try RFC9580Vectors.secretKey()])
        #expect(read.data == Array("Hello, world!".utf8))
        #expect(read.symmetricAlgorithm == .aes128)
    }

    @Test func v6RecipientsGetSEIPDv2WithTheirPreferredSuite() throws {
        let bob = try SecretKey.generate(userIDs: ["Bob <bob@example.org>"], type: .curve25519, version: .v6)
        let alice = try SecretKey.generate(userIDs: ["Alice <alice@example.org>"], type: .curve448, version: .v6)
        let written = try encrypt(to: [bob.certificate, alice.certificate], signers: [alice])
        // Both keys prefer AES-256/OCB first.
        #expect(written.cipher == .aes256)
        #expect(written.aead == .ocb)
        for key in [bob, alice] {
            let read = try OpenPGPMessage.decrypt(written.message, using: [key], verifyingWith: [alice.certificate])
            #expect(read.data == data)
            #expect(read.symmetricAlgorithm == .aes256)
            #expect(read.signatures.map(\.status) == [.good])
        }
    }

    @Test func aV4RecipientWithoutSEIPDv2KeepsEveryoneOnSEIPDv1() throws {
        let modern = try SecretKey.generate(userIDs: ["New <new@example.org>"], type: .curve25519, version: .v6)
        let classic = try SecretKey.generate(userID: "Old <old@example.org>")
        let written = try encrypt(to: [modern.certificate, classic.certificate])
        #expect(written.aead == nil)
        #expect(written.cipher == .aes256)
        for key in [modern, classic] {
            #expect(try OpenPGPMessage.decrypt(written.message, using: [key]).data == data)
        }
    }

    @Test(arguments: [AEADAlgorithm.ocb, .eax, .gcm])
    func everyModeToV4AndV6KeysWithPassphrases(mode: AEADAlgorithm) throws {
        let modern = try SecretKey.generate(userIDs: ["New <new@example.org>"], type: .curve25519, version: .v6)
        let classic = try SecretKey.generate(userID: "Old <old@example.org>", type: .rsa(bits: 2048))
        let written = try encrypt(
            to: [modern.certificate, classic.certificate], passphrases: ["both"],
            options: MessageOptions(cipher: .aes192, aead: .always(mode), aeadChunkSizeExponent: 0))
        #expect(written.aead == mode)
        #expect(written.cipher == .aes192)
        for key in [modern, classic] {
            #expect(try OpenPGPMessage.decrypt(written.message, using: [key]).data == data)
        }
        #expect(try OpenPGPMessage.decrypt(written.message, using: [], passphrases: ["both"]).data == data)
    }

    @Test func aTamperedSEIPDv2MessageReleasesNothing() throws {
        let bob = try SecretKey.generate(userIDs: ["Bob <bob@example.org>"], type: .curve25519, version: .v6)
        var message = try encrypt(to: [bob.certificate], options: MessageOptions(armor: false)).message
        message[message.count - 20] ^= 0x01
        #expect(throws: OpenPGPError.self) { try OpenPGPMessage.decrypt(message, using: [bob]) }
    }

    /// v6 signatures inside an encrypted message name every recipient (Intended Recipient
    /// Fingerprint, RFC 9580 §5.2.3.36); v4 signatures and signed-only messages name none.
    @Test func signaturesNameTheirIntendedRecipients() throws {
        let alice = try SecretKey.generate(userIDs: ["Alice <alice@example.org>"], type: .curve25519, version: .v6)
        let bob = try SecretKey.generate(userIDs: ["Bob <bob@example.org>"], type: .curve25519, version: .v6)
        let carol = try SecretKey.generate(userID: "Carol <carol@example.org>")
        func signatures(_ read: DecryptedMessage) throws -> [SignaturePacket] {
            try PacketFraming.parse(read.report.signaturePackets).map {
                try SignaturePacket(body: $0.body, offset: 0)
            }
        }
        let written = try encrypt(to: [bob.certificate, carol.certificate], signers: [alice, carol])
        let read = try OpenPGPMessage.decrypt(
            written.message, using: [bob], verifyingWith: [alice.certificate, carol.certificate])
        #expect(read.signatures.map(\.status) == [.good, .good])
        let named = try signatures(read).map(\.intendedRecipients)
        // Alice's v6 signature names both; Carol's v4 one (written first), none.
        #expect(named == [[], [bob.fingerprint, carol.fingerprint]])
        let signedOnly = try OpenPGPMessage.decrypt(
            try OpenPGPMessage.sign(data, by: [alice]), using: [], verifyingWith: [alice.certificate])
        #expect(try signatures(signedOnly).allSatisfy(\.intendedRecipients.isEmpty))
    }

    /// A bad chunk size exponent is refused before anything is written, also when SEIPDv2 was
    /// negotiated rather than asked for; unused (SEIPDv1), it is not an error.
    @Test func chunkSizeExponentIsCheckedWhenNegotiated() throws {
        let modern = try SecretKey.generate(userIDs: ["New <new@example.org>"], type: .curve25519, version: .v6)
        let classic = try SecretKey.generate(userID: "Old <old@example.org>")
        let options = MessageOptions(aeadChunkSizeExponent: 17)
        #expect(throws: OpenPGPError.self) {
            try MessageWriter.validate(recipients: [modern.certificate], signers: [], options: options)
        }
        var written = 0
        #expect(throws: OpenPGPError.self) {
            _ = try MessageWriter(recipients: [modern.certificate], options: options) { written += $0.count }
        }
        #expect(written == 0)
        try MessageWriter.validate(recipients: [classic.certificate], signers: [], options: options)
    }
}
