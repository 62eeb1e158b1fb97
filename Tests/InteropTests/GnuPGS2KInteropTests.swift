import Foundation
import TestSupport
import Testing

@testable import OpenPGP

/// Every S2K cipher, S2K mode and digest GnuPG 2.2 offers, Twofish, IDEA and Camellia
/// messages, and BZip2, in both directions.
///
/// GnuPG 2.2's agent re-protects every exported secret key with AES-128 and iterated and
/// salted SHA-1, whatever `--s2k-*` options are given (`--export-options export-backup`
/// too), so gpg cannot hand us keys protected otherwise. The matrix is therefore covered
/// by (1) gpg unlocking keys we protect with each cipher, S2K mode, digest and usage octet,
/// and (2) our reader opening gpg's password-encrypted messages, whose SKESK uses the same
/// S2K derivation and the cipher the same CFB code as key protection, for every
/// `--s2k-cipher-algo` × `--s2k-mode` × `--s2k-digest-algo` form; plus our unlocking of
/// what gpg does export.
@Suite("GnuPG interop: S2K forms, every cipher, BZip2", .enabled(if: ExternalProcess.shouldRun("gpg")))
struct GnuPGS2KInteropTests {
    static let passphrase = "s2k pass ✓"
    let plaintext =
        Array("Grüße from PGPMail over every cipher\n".utf8) + Array(repeating: UInt8(ascii: "z"), count: 5000)

    /// gpg's names for the ciphers `--s2k-cipher-algo` and `--cipher-algo` accept.
    static let ciphers: [(name: String, algorithm: SymmetricAlgorithm)] = [
        ("IDEA", .idea), ("3DES", .tripleDES), ("CAST5", .cast5), ("BLOWFISH", .blowfish), ("AES", .aes128),
        ("AES192", .aes192), ("AES256", .aes256), ("TWOFISH", .twofish), ("CAMELLIA128", .camellia128),
        ("CAMELLIA192", .camellia192), ("CAMELLIA256", .camellia256),
    ]

    /// `--s2k-mode` with the S2K kind it selects.
    static let modes: [(mode: Int, kind: S2K.Kind)] = [(0, .simple), (1, .salted), (3, .iteratedAndSalted)]

    /// `--s2k-digest-algo` names with the hash each selects.
    static let digests: [(name: String, hash: HashAlgorithm)] = [
        ("SHA1", .sha1), ("SHA256", .sha256), ("SHA512", .sha512), ("RIPEMD160", .ripemd160), ("SHA224", .sha224),
        ("SHA384", .sha384), ("MD5", .md5),
    ]

    // MARK: gpg's S2K forms, our derivation and ciphers

    @Test(arguments: 0..<11)
    func weOpenGnuPGPasswordMessagesForEveryS2KForm(cipherIndex: Int) throws {
        let (name, algorithm) = Self.ciphers[cipherIndex]
        let gpg = try GnuPG()
        for (modeIndex, (mode, kind)) in Self.modes.enumerated() {
            let (digestName, hash) = Self.digests[(cipherIndex + modeIndex * 4) % Self.digests.count]
            let encrypted = try gpg.run(
                [
                    "--symmetric", "--s2k-mode", String(mode), "--s2k-digest-algo", digestName, "--s2k-cipher-algo",
                    name,
                    "--cipher-algo", name, "--s2k-count", "65536", "--compress-algo", "BZIP2", "--output", "-",
                ],
                input: plaintext, passphrase: Self.passphrase)
            let what = "\(name) mode \(mode) \(digestName)"
            let packets = try PacketFraming.parse(encrypted.stdout)
            #expect(
                packets.map(\.tag) == [.symmetricKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData], "\(what)"
            )
            // A v4 SKESK with no encrypted session key: the S2K output is the session key.
            var reader = ByteReader(packets[0].body)
            #expect(try reader.readByte() == 4)
            #expect(try reader.readByte() == algorithm.rawValue, "\(what)")
            let s2k = try S2K(reading: &reader)
            #expect(s2k.kind == kind && s2k.hashAlgorithm == hash && reader.isAtEnd, "\(what)")
            let result = try OpenPGPMessage.decrypt(encrypted.stdout, using: [], passphrases: [Self.passphrase])
            #expect(result.data == plaintext, "\(what)")
            #expect(result.symmetricAlgorithm == algorithm, "\(what)")
            #expect(result.compression == .bzip2, "\(what)")
            let error = try #require(throws: OpenPGPError.self) {
                try OpenPGPMessage.decrypt(encrypted.stdout, using: [], passphrases: ["wrong"])
            }
            #expect(error.code == .decryptionFailed || error.code == .integrityCheckFailed, "\(what): \(error)")
        }
    }

    // MARK: Keys we protect, gpg unlocks

    @Test(arguments: 0..<11)
    func gpgUnlocksKeysWeProtectWithEveryForm(cipherIndex: Int) throws {
        let (name, algorithm) = Self.ciphers[cipherIndex]
        let gpg = try GnuPG()
        let (mode, kind) = Self.modes[cipherIndex % Self.modes.count]
        let (digestName, hash) = Self.digests[cipherIndex % Self.digests.count]
        let forms: [(String, SecretKeyProtectionSettings)] = [
            (
                "usage 254, mode \(mode), \(digestName)",
                SecretKeyProtectionSettings(
                    usage: .sha1Check, cipher: algorithm, s2kKind: kind, s2kHash: hash, codedCount: 0x60)
            ),
            (
                "usage 255, mode 3, SHA256",
                SecretKeyProtectionSettings(
                    usage: .checksum, cipher: algorithm, s2kKind: .iteratedAndSalted, s2kHash: .sha256, codedCount: 0x60
                )
            ),
            ("legacy usage \(algorithm.rawValue)", SecretKeyProtectionSettings(usage: .legacy, cipher: algorithm)),
        ]
        for (form, settings) in forms {
            let key = try SecretKey.generate(userID: "\(name) \(form) <s2k@example.org>")
            let armored = Armor.encode(
                try key.serialized(passphrase: Self.passphrase, protection: settings), type: .privateKey)
            try gpg.importKey(armored, passphrase: Self.passphrase)
            // Signing proves gpg decrypted the secret with our protection parameters.
            let signed = try gpg.run(
                ["--local-user", key.fingerprint.hex, "--sign"], input: plaintext, passphrase: Self.passphrase)
            let result = try OpenPGPMessage.decrypt(signed.stdout, using: [], verifyingWith: [key.certificate])
            #expect(result.data == plaintext, "\(name), \(form)")
            #expect(result.signatures.map(\.status) == [.good], "\(name), \(form)")
        }
    }

    // MARK: Keys gpg exports, we unlock

    @Test func weUnlockKeysGnuPGExports() throws {
        let optionSets = [
            [], ["--s2k-cipher-algo", "TWOFISH", "--s2k-digest-algo", "SHA512"], ["--export-options", "export-backup"],
        ]
        let (gpg, fingerprint, exports) = try GnuPG.withFreshHome { gpg in
            let fingerprint = try gpg.generateKey("Export <export@example.org>", passphrase: Self.passphrase)[0]
            let exports = try optionSets.map {
                try gpg.exportSecretKeys(fingerprint, passphrase: Self.passphrase, options: ["--armor"] + $0).stdoutText
            }
            return (gpg, fingerprint, exports)
        }
        for exported in exports {
            let locked = try SecretKey(armored: exported)
            #expect(locked.isLocked)
            let key = try SecretKey(armored: exported, passphrase: Self.passphrase)
            #expect(!key.isLocked)
            #expect(key.fingerprint.hex == fingerprint)
            let error = try #require(throws: OpenPGPError.self) {
                try SecretKey(armored: exported, passphrase: "wrong")
            }
            #expect(error.code == .wrongPassphrase)
            // The unlocked key really works: sign something gpg then verifies.
            let signed = try OpenPGPMessage.sign(plaintext, by: [key])
            let verified = try gpg.run(["--verify"], input: signed)
            #expect(verified.stderr.contains("[GNUPG:] VALIDSIG \(fingerprint)"))
        }
    }

    // MARK: Messages with Twofish, IDEA, Camellia and BZip2

    static let messageCiphers: [(name: String, algorithm: SymmetricAlgorithm)] = [
        ("TWOFISH", .twofish), ("IDEA", .idea), ("CAMELLIA256", .camellia256),
    ]

    @Test func weReadGnuPGMessagesWithTheseCiphersAndBZip2() throws {
        let (gpg, fingerprint, exportedSecret) = try GnuPG.withFreshHome { gpg in
            let fingerprint = try gpg.generateKey("Sender <sender@example.org>", passphrase: Self.passphrase)[0]
            return (gpg, fingerprint, try gpg.exportSecretKeys(fingerprint, passphrase: Self.passphrase).stdoutText)
        }
        let secretKey = try SecretKey(armored: exportedSecret, passphrase: Self.passphrase)
        for (name, algorithm) in Self.messageCiphers {
            let encrypted = try gpg.run(
                ["--encrypt", "--sign", "--recipient", fingerprint, "--cipher-algo", name, "--compress-algo", "BZIP2"],
                input: plaintext, passphrase: Self.passphrase)
            let result = try OpenPGPMessage.decrypt(
                encrypted.stdout, using: [secretKey], verifyingWith: [secretKey.certificate])
            #expect(result.data == plaintext, "\(name)")
            #expect(result.symmetricAlgorithm == algorithm)
            #expect(result.compression == .bzip2)
            #expect(result.signatures.map(\.status) == [.good])
        }
    }

    @Test func gpgReadsOurMessagesWithTheseCiphersAndBZip2() throws {
        let gpg = try GnuPG()
        let sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
        let recipient = try SecretKey.generate(userID: "Recipient <recipient@example.org>")
        try gpg.importKey(sender.certificate.armored())
        try gpg.importKey(try recipient.armored())
        for (name, algorithm) in Self.messageCiphers {
            let options = MessageOptions(cipher: algorithm, compression: .bzip2, compressionLevel: 9, armor: false)
            let message = try OpenPGPMessage.encrypt(
                plaintext, for: [recipient.certificate], signedBy: [sender], options: options)
            let result = try gpg.run(["--decrypt"], input: message)
            #expect(result.stdout == plaintext, "\(name)")
            #expect(result.stderr.contains("[GNUPG:] DECRYPTION_INFO 2 \(algorithm.rawValue)"), "\(name)")
            #expect(result.stderr.contains("[GNUPG:] DECRYPTION_OKAY"))
            #expect(result.stderr.contains("[GNUPG:] VALIDSIG \(sender.fingerprint.hex)"))
            let packets = try gpg.run(["--list-packets"], input: message).stdoutText
            #expect(packets.contains(":compressed packet: algo=3"), "\(name)")
        }
    }
}
