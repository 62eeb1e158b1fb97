import Foundation
import Testing

@testable import OpenPGP

/// A directory removed when the value goes away.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pgpmail-keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

@Suite("Keyring loading and merging")
struct KeyringTests {
    @Test func directoryWithPubringAndSecringMergesSecretsWithTheirCertificates() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let carol = try SecretKey.generate(userID: "Carol <carol@example.org>")
        let directory = try ScratchDirectory()
        try directory.write(
            "pubring.gpg",
            alice.certificate.serialized() + bob.certificate.serialized() + carol.certificate.serialized())
        try directory.write("secring.gpg", try alice.serialized(passphrase: "alice pass") + (try carol.serialized()))

        let keyring = try Keyring(contentsOf: directory.url)
        #expect(keyring.count == 3)
        #expect(keyring.certificates.map(\.fingerprint) == [alice, bob, carol].map(\.fingerprint))
        #expect(keyring.secretKeys.map(\.fingerprint) == [alice.fingerprint, carol.fingerprint])
        #expect(keyring.secretKey(with: alice.fingerprint)?.isLocked == true)
        #expect(keyring.secretKey(with: carol.fingerprint)?.isLocked == false)
        #expect(keyring.secretKey(with: bob.fingerprint) == nil)
        #expect(keyring.certificate(with: bob.fingerprint) == bob.certificate)
        #expect(try Keyring(path: directory.url.path).count == 3)
        #expect(keyring.skippedKeys.isEmpty)
    }

    @Test func singleFilesInEveryFormat() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let directory = try ScratchDirectory()
        let armored = try directory.write(
            "keys.asc", Array((alice.certificate.armored() + bob.certificate.armored()).utf8))
        let secret = try directory.write("secret.pgp", try alice.serialized(passphrase: "x"))
        let armoredSecret = try directory.write("secret.asc", Array(try bob.armored().utf8))
        let keybox = try directory.write(
            "keys.kbx",
            KeyboxWriter.keybox([
                try KeyboxWriter.openPGPBlob(alice.certificate.serialized(), certificate: alice.certificate),
                try KeyboxWriter.openPGPBlob(bob.certificate.serialized(), certificate: bob.certificate),
            ]))

        #expect(
            try Keyring(contentsOf: armored).certificates.map(\.fingerprint) == [alice.fingerprint, bob.fingerprint])
        #expect(try Keyring(contentsOf: secret).secretKeys.map(\.fingerprint) == [alice.fingerprint])
        #expect(try Keyring(contentsOf: armoredSecret).secretKeys.first?.isLocked == false)
        #expect(
            try Keyring(contentsOf: keybox).certificates.map(\.fingerprint) == [alice.fingerprint, bob.fingerprint])
        #expect(try Keyring(bytes: try alice.serialized()).secretKeys.count == 1)
    }

    @Test func keyboxDirectoryIsReadAndSkipsX509DeletedAndEphemeralBlobs() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let carol = try SecretKey.generate(userID: "Carol <carol@example.org>")
        let directory = try ScratchDirectory()
        try directory.write(
            "pubring.kbx",
            KeyboxWriter.keybox([
                try KeyboxWriter.openPGPBlob(alice.certificate.serialized(), certificate: alice.certificate),
                try KeyboxWriter.otherBlob(type: 3, payload: [0x30, 0x03, 0x02, 0x01, 0x00]),
                try KeyboxWriter.otherBlob(type: 0, payload: [0]),
                try KeyboxWriter.openPGPBlob(bob.certificate.serialized(), certificate: bob.certificate),
                try KeyboxWriter.openPGPBlob(
                    carol.certificate.serialized(), certificate: carol.certificate, flags: 0x02),
            ]))
        // GnuPG 2.1+ keeps an old pubring.gpg next to the keybox: both are read, without duplicates.
        try directory.write("pubring.gpg", alice.certificate.serialized())
        try directory.write("secring.gpg", try bob.serialized())
        let keyring = try Keyring(contentsOf: directory.url)
        #expect(keyring.certificates.map(\.fingerprint) == [alice.fingerprint, bob.fingerprint])
        #expect(keyring.certificates == [alice.certificate, bob.certificate])
        #expect(keyring.secretKeys.map(\.fingerprint) == [bob.fingerprint])
    }

    @Test func duplicatesAreMergedIntoOneKeyWithTheUnionOfUserIDs() throws {
        let key = try SecretKey.generate(userID: "Dana <dana@example.org>")
        let forge = try KeyForge(key)
        let extended = key.certificate.serialized() + (try forge.userID("Dana Work <dana@work.example>"))
        let keyring = try Keyring(bytes: key.certificate.serialized() + extended + key.certificate.serialized())
        #expect(keyring.count == 1)
        let certificate = try #require(keyring.certificates.first)
        #expect(Set(certificate.userIDs.map(\.value)) == ["Dana <dana@example.org>", "Dana Work <dana@work.example>"])
        #expect(certificate.subkeys.count == 1)
        #expect(certificate.subkeys[0].signatures.count == 1)

        // Inserting the secret key afterwards attaches its secrets to the merged certificate.
        var merged = keyring
        try merged.insert(key)
        #expect(merged.count == 1)
        #expect(merged.secretKeys.first?.certificate.userIDs.count == 2)
        try merged.insert(key.certificate)
        try merged.formUnion(try Keyring(certificates: [key.certificate], secretKeys: [key]))
        #expect(merged.count == 1)
        #expect(merged.certificates == keyring.certificates)
    }

    @Test func anUnlockedCopyWinsOverALockedOne() throws {
        let key = try SecretKey.generate(userID: "Erin <erin@example.org>")
        let keyring = try Keyring(bytes: try key.serialized(passphrase: "p") + (try key.serialized()))
        #expect(keyring.secretKeys.first?.isLocked == false)
        var other = Keyring()
        try other.insert(try SecretKey(bytes: try key.serialized(passphrase: "p")))
        #expect(other.secretKeys.first?.isLocked == true)
        try other.insert(key)
        #expect(other.secretKeys.first?.isLocked == false)
    }

    @Test func unreadableFilesAndDirectoriesAreTypedErrors() throws {
        let directory = try ScratchDirectory()
        for url in [directory.url, directory.url.appendingPathComponent("missing.gpg")] {
            do {
                _ = try Keyring(contentsOf: url)
                Issue.record("\(url.path) was read as a keyring")
            } catch let error as OpenPGPError {
                #expect(error.code == .fileReadFailed)
                #expect(error.psmtpErrorCode == 115)
            }
        }
        try directory.write("pubring.gpg", [0x99, 0x00, 0x05, 4])
        let error = #expect(throws: OpenPGPError.self) { try Keyring(contentsOf: directory.url) }
        #expect(error?.code == .truncatedPacket)
        #expect(error?.message.hasSuffix("(in pubring.gpg)") == true)
    }

    @Test func keysOfUnsupportedVersionsAreSkippedNotFatal() throws {
        let key = try SecretKey.generate(userID: "Frank <frank@example.org>")
        // A v3 public key packet (version 3, created, validity, RSA, tiny n and e).
        let v3 = PacketFraming.packet(tag: .publicKey, body: [3, 0, 0, 0, 1, 0, 0, 1, 0, 8, 0xC5, 0, 2, 3])
        let keyring = try Keyring(bytes: v3 + key.certificate.serialized())
        #expect(keyring.certificates.map(\.fingerprint) == [key.fingerprint])
        #expect(keyring.skippedKeys.map(\.code) == [.unsupportedVersion])
    }

    @Test func emptyInputGivesAnEmptyKeyring() throws {
        #expect(try Keyring(bytes: []).isEmpty)
        #expect(Keyring().certificates.isEmpty)
        #expect(try Keyring(bytes: KeyboxWriter.keybox([])).isEmpty)
    }
}

@Suite("Keybox corruption")
struct KeyboxCorruptionTests {
    static func validKeybox() throws -> [UInt8] {
        let key = try SecretKey.generate(userID: "Gina <gina@example.org>")
        return KeyboxWriter.keybox([
            try KeyboxWriter.openPGPBlob(key.certificate.serialized(), certificate: key.certificate)
        ])
    }

    static func expectError(
        _ bytes: [UInt8], _ code: OpenPGPError.Code, offset: Int? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try Keyring(bytes: bytes)
            Issue.record("a corrupted keybox was accepted", sourceLocation: sourceLocation)
        } catch let error as OpenPGPError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let offset { #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedFile() throws {
        let keybox = try Self.validKeybox()
        Self.expectError(Array(keybox.dropLast(7)), .truncatedPacket, offset: 32)
        Self.expectError(Array(keybox.prefix(34)), .truncatedPacket, offset: 32)
    }

    @Test func flippedByteFailsTheChecksum() throws {
        var keybox = try Self.validKeybox()
        keybox[keybox.count - 40] ^= 0x20
        Self.expectError(keybox, .malformedPacket)
    }

    @Test func blobLengthTooSmall() throws {
        var keybox = try Self.validKeybox()
        keybox[32..<36] = [0, 0, 0, 3]
        Self.expectError(keybox, .malformedPacket, offset: 32)
    }

    @Test func keyblockOffsetOutsideTheBlob() throws {
        let key = try SecretKey.generate(userID: "Hal <hal@example.org>")
        var blob = try KeyboxWriter.openPGPBlob(key.certificate.serialized(), certificate: key.certificate)
        blob[8..<12] = [0, 0, 0xFF, 0xFF]
        // Keep the checksum right so that the offset check itself is what fails.
        blob = Array(blob.dropLast(20))
        blob += try HashContext.digest(.sha1, blob)
        Self.expectError(KeyboxWriter.keybox([blob]), .malformedPacket, offset: 40)
    }

    @Test func missingOrRepeatedHeader() throws {
        let keybox = try Self.validKeybox()
        var noMagic = keybox
        noMagic[8] = UInt8(ascii: "X")
        // Without its magic the file is not recognised as a keybox, and is not OpenPGP either.
        Self.expectError(noMagic, .malformedPacket, offset: 0)
        Self.expectError(KeyboxWriter.header() + keybox, .malformedPacket, offset: 32)
        #expect(throws: OpenPGPError.self) { try Keybox.keyBlocks(Array(keybox.suffix(from: 32))) }
    }

    @Test func corruptKeyBlockInsideAValidBlob() throws {
        let key = try SecretKey.generate(userID: "Ivy <ivy@example.org>")
        var block = key.certificate.serialized()
        block[1] = 0xFF  // the primary key's length now runs past the key block
        let keybox = KeyboxWriter.keybox([try KeyboxWriter.openPGPBlob(block, certificate: key.certificate)])
        Self.expectError(keybox, .truncatedPacket)
    }
}
