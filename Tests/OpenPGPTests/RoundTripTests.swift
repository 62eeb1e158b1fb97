import Foundation
import Testing

@testable import OpenPGP

@Suite("Key generation and message round trips")
struct RoundTripTests {
    @Test func generatedKeyIsSelfConsistent() throws {
        let key = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let certificate = key.certificate
        #expect(certificate.primaryKey.isBound)
        #expect(certificate.primaryUserID?.email == "alice@example.org")
        #expect(certificate.encryptionKeys().count == 1)
        #expect(certificate.signingKeys().map(\.fingerprint) == [certificate.fingerprint])
        #expect(certificate.fingerprint.bytes.count == 20)
    }

    @Test func armoredCertificateRoundTrips() throws {
        let key = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let armored = key.certificate.armored()
        #expect(armored.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----\n"))
        let parsed = try Certificate(armored: armored)
        #expect(parsed == key.certificate)
    }

    @Test func secretKeyRoundTripsWithAndWithoutPassphrase() throws {
        let key = try SecretKey.generate(userID: "Carol <carol@example.org>")
        let clear = try SecretKey(armored: try key.armored())
        #expect(!clear.isLocked)
        let protected = try key.armored(passphrase: "correct horse")
        let locked = try SecretKey(armored: protected)
        #expect(locked.isLocked)
        #expect(throws: OpenPGPError.self) { try SecretKey(armored: protected, passphrase: "wrong") }
        let unlocked = try SecretKey(armored: protected, passphrase: "correct horse")
        #expect(!unlocked.isLocked)
        let message = try OpenPGPMessage.encrypt(Array("hi".utf8), for: [key.certificate])
        #expect(try OpenPGPMessage.decrypt(message, using: [unlocked]).data == Array("hi".utf8))
    }

    @Test func signAndEncryptRoundTrip() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let data = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let message = try OpenPGPMessage.encrypt(data, for: [bob.certificate], signedBy: [alice])
        let result = try OpenPGPMessage.decrypt(message, using: [bob], verifyingWith: [alice.certificate])
        #expect(result.data == data)
        #expect(result.symmetricAlgorithm == .aes256, "Bob's key prefers AES-256")
        #expect(result.compression == .zip)
        #expect(result.signatures.map(\.status) == [.good])
        #expect(result.signatures.first?.signerFingerprint == alice.fingerprint)
    }
}

@Suite("Pipelined writing")
struct PipelinedWriterTests {
    /// Messages past the pipeline's threshold, written in odd-sized pieces, read back with
    /// their signature; armored and binary, compressed and not.
    @Test(arguments: [(true, CompressionAlgorithm.uncompressed), (false, .zip), (true, .zlib)])
    func largeMessagesRoundTrip(armor: Bool, compression: CompressionAlgorithm) throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let data = (0..<(WriterPipeline.threshold * 3 + 12_345)).map {
            UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7)
        }
        var output: [UInt8] = []
        var outputThreads = Set<String>()
        let writer = try MessageWriter(
            recipients: [bob.certificate], signers: [alice],
            options: MessageOptions(compression: compression, armor: armor)
        ) { bytes in
            output += bytes
            outputThreads.insert(Thread.isMainThread ? "main" : "\(pthread_self())")
        }
        let caller = Thread.isMainThread ? "main" : "\(pthread_self())"
        var offset = 0
        var size = 1
        while offset < data.count {
            let end = min(offset + size, data.count)
            try data[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
            size = size * 3 % 300_007 + 1
        }
        try writer.finish()
        #expect(outputThreads == [caller], "output is only called on the caller's thread")
        let read = try OpenPGPMessage.decrypt(output, using: [bob], verifyingWith: [alice.certificate])
        #expect(read.data == data)
        #expect(read.signatures.map(\.status) == [.good])
    }

    /// A failing output stops the message with that error, whether it fails early or late.
    @Test func outputFailureSurfaces() throws {
        struct Full: Error {}
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        for failAfter in [1000, 3 * WriterPipeline.threshold] {
            var delivered = 0
            let writer = try MessageWriter(
                recipients: [bob.certificate], options: MessageOptions(compression: .uncompressed)
            ) {
                delivered += $0.count
                if delivered > failAfter { throw Full() }
            }
            let piece = [UInt8](repeating: 7, count: 100_000)
            #expect(throws: Full.self) {
                for _ in 0..<80 { try writer.write(piece) }
            }
            // The writer stays broken: finishing throws the same error, and does not wait
            // for a second thread that has stopped.
            #expect(throws: Full.self) { try writer.finish() }
        }
    }
}
