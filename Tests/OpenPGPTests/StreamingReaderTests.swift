import Foundation
import Testing

@testable import OpenPGP

/// The streaming reader: sinks are committed only after integrity checks, files stream,
/// passphrases (SKESK) decrypt.
@Suite("Streaming reader and passphrases")
struct StreamingReaderTests {
    static let alice = try! SecretKey.generate(userID: "Alice <alice@example.org>")
    static let bob = try! SecretKey.generate(userID: "Bob <bob@example.org>")

    /// Records what the reader did with it.
    final class RecordingSink: PlaintextSink {
        var written = 0
        var committed = false
        var discarded = false
        func write(_ bytes: UnsafeRawBufferPointer) throws { written += bytes.count }
        func commit() throws { committed = true }
        func discard() { discarded = true }
    }

    @Test func sinkIsDiscardedWhenTheMDCFails() throws {
        var message = try OpenPGPMessage.encrypt(
            Array(repeating: 0x41, count: 300_000), for: [Self.bob.certificate],
            options: MessageOptions(compression: .uncompressed, armor: false))
        message[message.count - 5] ^= 0x01
        let sink = RecordingSink()
        #expect(throws: OpenPGPError.self) {
            _ = try OpenPGPMessage.decrypt(from: ArrayByteSource(message), to: sink, using: [Self.bob])
        }
        #expect(sink.written > 0)  // plaintext streamed provisionally…
        #expect(sink.discarded)  // …and was thrown away
        #expect(!sink.committed)
    }

    @Test func passphraseOnlyMessagesRoundTrip() throws {
        let data = Array("symmetric secret\n".utf8)
        let message = try OpenPGPMessage.encrypt(data, for: [], passphrases: ["open sesame"])
        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(message))
        #expect(packets.map(\.tag) == [.symmetricKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
        let result = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["wrong", "open sesame"])
        #expect(result.data == data)
        #expect(result.report.decryptedWithPassphrase)
        #expect(throws: OpenPGPError.self) { try OpenPGPMessage.decrypt(message, using: [], passphrases: ["wrong"]) }
        #expect(throws: OpenPGPError.self) { try OpenPGPMessage.decrypt(message, using: [Self.bob]) }
    }

    @Test func keyOrPassphraseEachDecrypt() throws {
        let data = Array("either will do".utf8)
        let message = try OpenPGPMessage.encrypt(
            data, for: [Self.bob.certificate], passphrases: ["pw"], signedBy: [Self.alice])
        let byKey = try OpenPGPMessage.decrypt(message, using: [Self.bob], verifyingWith: [Self.alice.certificate])
        let byPassphrase = try OpenPGPMessage.decrypt(
            message, using: [], passphrases: ["pw"], verifyingWith: [Self.alice.certificate])
        #expect(byKey.data == data && byPassphrase.data == data)
        #expect(byKey.decryptionKey != nil && byPassphrase.decryptionKey == nil)
        #expect(byPassphrase.signatures.map(\.status) == [.good])
    }

    @Test func filesStreamThroughBothWays() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pgpmail-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plainURL = directory.appendingPathComponent("plain.bin")
        let encryptedURL = directory.appendingPathComponent("plain.bin.asc")
        let outputURL = directory.appendingPathComponent("decrypted.bin")
        let data = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 >> 3) }
        try Data(data).write(to: plainURL)

        let output = try FileByteSink(url: encryptedURL)
        try OpenPGPMessage.write(
            from: try FileByteSource(url: plainURL), to: { try output.write($0) }, recipients: [Self.bob.certificate],
            signers: [Self.alice])
        try output.flush()

        let report = try OpenPGPMessage.decrypt(
            from: try FileByteSource(url: encryptedURL), to: try FilePlaintextSink(destination: outputURL),
            using: [Self.bob], verifyingWith: [Self.alice.certificate])
        #expect(report.signatures.map(\.status) == [.good])
        #expect(try Data(contentsOf: outputURL) == Data(data))

        // A damaged file leaves no output behind, not even a partial one.
        var damaged = try Array(Data(contentsOf: encryptedURL))
        let middle = damaged.count / 2
        damaged[middle] = damaged[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try Data(damaged).write(to: encryptedURL)
        try FileManager.default.removeItem(at: outputURL)
        #expect(throws: OpenPGPError.self) {
            _ = try OpenPGPMessage.decrypt(
                from: try FileByteSource(url: encryptedURL), to: try FilePlaintextSink(destination: outputURL),
                using: [Self.bob])
        }
        #expect(!FileManager.default.fileExists(atPath: outputURL.path))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                "plain.bin", "plain.bin.asc",
            ])
    }

    @Test func armorVariantsAreRead() throws {
        let data = Array("armored".utf8)
        let binary = try OpenPGPMessage.encrypt(
            data, for: [Self.bob.certificate], options: MessageOptions(armor: false))
        let armored = Armor.encode(binary, type: .message, headers: ArmorHeaders(comment: "c", includeChecksum: false))
        let crlf = armored.replacingOccurrences(of: "\n", with: "\r\n")
        let noBlankLine = Armor.encode(binary, type: .message, headers: ArmorHeaders()).replacingOccurrences(
            of: "-----\n\n", with: "-----\n")
        let leadingText = "Some text before the block\n\n" + armored
        for text in [armored, crlf, noBlankLine, leadingText] {
            #expect(try OpenPGPMessage.decrypt(Array(text.utf8), using: [Self.bob]).data == data)
        }
    }

    @Test func aPlausibleWrongPassphraseIsStillRejected() throws {
        let message = try OpenPGPMessage.encrypt(
            Array("x".utf8), for: [], passphrases: ["right"], options: MessageOptions(armor: false))
        let skesk = try #require(PacketFraming.parse(message).first)
        // Find a wrong passphrase whose decrypted session key looks valid (about 1 in 50).
        var wrong: String?
        for attempt in 0..<2000 {
            let candidate = "wrong \(attempt)"
            if try SKESK.decrypt(skesk.body, offset: 0, passphrase: SecureBytes(Array(candidate.utf8))) != nil {
                wrong = candidate
                break
            }
        }
        let plausible = try #require(wrong)
        do {
            _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: [plausible])
            Issue.record("a wrong passphrase decrypted the message")
        } catch let error as OpenPGPError {
            #expect(error.code == .decryptionFailed)
        }
        #expect(
            try OpenPGPMessage.decrypt(message, using: [], passphrases: [plausible, "right"]).data == Array("x".utf8))
    }
}
