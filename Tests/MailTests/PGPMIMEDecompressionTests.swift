import Foundation
import Testing

@testable import Mail
@testable import OpenPGP

/// PGP/MIME decryption holds the plaintext in memory: decompression is capped over all layers,
/// and the work of recovering the session key is bounded, both as the caller chooses.
@Suite("PGP/MIME decryption limits")
struct PGPMIMEDecompressionTests {
    static let recipient = try! SecretKey.generate(userID: "Recipient <recipient@example.org>")

    /// 64 MiB of zeros as literal data, deflated twice and encrypted to the recipient: the
    /// shape of a few-kilobyte PGP/MIME message that decrypted to gigabytes.
    private func nestedBomb() throws -> [UInt8] {
        var output: [UInt8] = []
        let sink = try OutputStage(armor: nil) { output += $0 }
        let key = try #require(Self.recipient.certificate.encryptionKeys(at: Date()).first)
        let sessionKey = SecureBytes.random(count: 16)
        let fields = try SessionKeyCrypto.encrypt(sessionKey: sessionKey, cipher: .aes128, to: key.packet)
        try sink.write(
            PacketFraming.packet(
                tag: .publicKeyEncryptedSessionKey, body: [3] + key.keyID.bytes + [key.algorithm.rawValue] + fields))
        var stage: WriterStage = try SEIPDv1Stage(algorithm: .aes128, sessionKey: sessionKey, next: sink)
        stage = try compressionStage(for: .zlib, level: 9, next: stage)
        stage = try compressionStage(for: .zlib, level: 9, next: stage)
        let literal = try LiteralDataStage(format: .binary, fileName: "", date: nil, hashes: [], next: stage)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<64 { try literal.write(zeros) }
        try literal.finish()
        try stage.finish()
        return output
    }

    /// An ordinary PGP/MIME message for the recipient: "Hello", ZIP-compressed and encrypted.
    private func ordinaryWire() throws -> [UInt8] {
        let message = try MailMessage(
            from: "sender@example.org", to: "recipient@example.org", subject: "Numbers", body: "Hello\n")
        return try message.encrypted(for: [Self.recipient.certificate]).renderedBytes()
    }

    /// ``ordinaryWire()`` with its OpenPGP part replaced by `payload`.
    private func wire(carrying payload: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: try ordinaryWire(), as: UTF8.self)
        let begin = try #require(text.range(of: "-----BEGIN PGP MESSAGE-----"))
        let end = try #require(text.range(of: "-----END PGP MESSAGE-----"))
        let armored = Armor.encode(payload, type: .message).replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\r\n")
        return Array((text[..<begin.lowerBound] + armored + text[end.upperBound...]).utf8)
    }

    @Test func nestedBombIsRefusedByDefault() throws {
        let wire = try wire(carrying: try nestedBomb())
        #expect(wire.count < 8 << 10)
        let error = try #require(throws: OpenPGPError.self) { try PGPMIME.decrypt(wire, using: [Self.recipient]) }
        #expect(error.code == .decompressionLimitExceeded)
    }

    @Test func theCapIsTheCallers() throws {
        let wire = try ordinaryWire()
        let tight = DecompressionLimits(maxOutputBytes: 64)
        let error = try #require(throws: OpenPGPError.self) {
            try PGPMIME.decrypt(wire, using: [Self.recipient], limits: tight)
        }
        #expect(error.code == .decompressionLimitExceeded)
        let decrypted = try PGPMIME.decrypt(wire, using: [Self.recipient])
        #expect(decrypted.openPGP.compression == .zip)
        #expect(try decrypted.inner.decodedText() == "Hello\n")
    }

    @Test func sessionKeyLimitsAreTheCallers() throws {
        let wire = try ordinaryWire()
        let none = SessionKeyLimits(maxPublicKeyAttempts: 0)
        let error = try #require(throws: OpenPGPError.self) {
            try PGPMIME.decrypt(wire, using: [Self.recipient], sessionKeyLimits: none)
        }
        #expect(error.code == .workLimitExceeded)
    }
}
