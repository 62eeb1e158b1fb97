import Foundation
import OpenPGP
import TestSupport
import Testing

/// The interop matrix: keys of every family (`KeyFamily`) × the peers rnp and sqop × both
/// directions, and our own generated keys (`OurKeyType`) used by both peers.
///
/// | family | rnp: rnp → us, us → rnp | sqop ↔ pgpmail-sop: encrypt+sign, sign |
/// | RSA 2048/3072/4096, NIST P-256/384/521, Ed25519+Cv25519 | both | both, both |
/// | DSA + ElGamal | both | signatures only: Sequoia has no ElGamal |
/// | brainpool P-256/384/512, secp256k1 | both | none: sqop's Nettle has no such curves |
///
/// rnp generates every peer key (sqop can only generate Cv25519 keys but reads any); each is
/// generated once per run (`MatrixKeys`). gpg ↔ us over the same families is covered by
/// GnuPGAlgorithmInteropTests and GnuPGInteropTests.
@Suite("Interop matrix: every key family with rnp and sqop", .enabled(if: ExternalProcess.shouldRun("rnp")))
struct InteropMatrixTests {
    /// Long enough for rnp to stream it in partial-length packets; UTF-8; ends with a newline.
    static let plaintext = Array(
        ("Grüße from the interop matrix\n"
            + (1...400).map { "line \($0): the quick brown fox jumps over the lazy dog\n" }.joined()).utf8)
    static let password = MatrixKeys.password

    /// How rnp writes a message (`rnp --encrypt --sign …`), with what we should read in it.
    struct RNPWrite: Sendable, CustomStringConvertible {
        let arguments: [String]
        let cipher: SymmetricAlgorithm
        /// nil: no compressed data packet at all.
        let compression: CompressionAlgorithm?
        var description: String { arguments.joined(separator: " ") }
    }

    static let rnpWrites: [RNPWrite] = [
        RNPWrite(arguments: ["--cipher", "AES128", "--zip"], cipher: .aes128, compression: .zip),
        RNPWrite(arguments: ["--cipher", "AES256", "--zlib"], cipher: .aes256, compression: .zlib),
        RNPWrite(arguments: ["--cipher", "CAMELLIA256", "--bzip2"], cipher: .camellia256, compression: .bzip2),
        RNPWrite(arguments: ["--cipher", "TWOFISH", "-z", "0"], cipher: .twofish, compression: nil),
        RNPWrite(arguments: ["--cipher", "AES192", "--zlib", "-z", "9"], cipher: .aes192, compression: .zlib),
        RNPWrite(arguments: ["--cipher", "CAST5", "--zip", "-z", "1"], cipher: .cast5, compression: .zip),
        RNPWrite(
            arguments: ["--cipher", "CAMELLIA128", "--bzip2", "-z", "9"], cipher: .camellia128, compression: .bzip2),
        RNPWrite(arguments: ["--cipher", "BLOWFISH", "--zlib"], cipher: .blowfish, compression: .zlib),
    ]

    /// How we write to a peer: one per family, so together every cipher we offer.
    static let ourWrites: [MessageOptions] = [
        MessageOptions(cipher: .aes256, hash: .sha512, compression: .zlib),
        MessageOptions(cipher: .aes128, hash: .sha256, compression: .zip),
        MessageOptions(cipher: .camellia256, hash: .sha384, compression: .bzip2),
        MessageOptions(cipher: .twofish, hash: .sha256, compression: .uncompressed),
        MessageOptions(cipher: .cast5, hash: .sha512, compression: .zip, armor: false),
        MessageOptions(cipher: .aes192, hash: .sha384, compression: .zlib),
        MessageOptions(cipher: .idea, hash: .sha224, compression: .zip),
        MessageOptions(cipher: .tripleDES, hash: .sha256, compression: .bzip2, armor: false),
        MessageOptions(cipher: .blowfish, hash: .sha512, compression: .zlib),
        MessageOptions(cipher: .camellia128, hash: .sha256, compression: .uncompressed),
        MessageOptions(cipher: .camellia192, hash: .sha384, compression: .zip),
        MessageOptions(cipher: .aes256, hash: .sha224, compression: .bzip2),
    ]

    /// Two of rnp's ways of writing for `family`, rotating so every way is used several times.
    static func rnpWrites(for family: KeyFamily) -> [RNPWrite] {
        let index = KeyFamily.allCases.firstIndex(of: family)!
        return [rnpWrites[(2 * index) % rnpWrites.count], rnpWrites[(2 * index + 1) % rnpWrites.count]]
    }

    static func ourWrite(for family: KeyFamily) -> MessageOptions {
        ourWrites[KeyFamily.allCases.firstIndex(of: family)! % ourWrites.count]
    }

    /// rnp's key ID spelling: the fingerprint's low 64 bits in lower-case hex.
    static func rnpKeyID(_ fingerprint: Fingerprint) -> String { String(fingerprint.hex.suffix(16)).lowercased() }

    // MARK: rnp

    @Test("rnp-made key: we read it; rnp → us and us → rnp", arguments: KeyFamily.allCases)
    func rnpKey(_ family: KeyFamily) throws {
        let key = try MatrixKeys.rnp(family)
        let what = "\(family), rnp-made key"

        // We read rnp's certificate as rnp describes it.
        let certificate = try Certificate(armored: key.certificate)
        #expect(certificate.fingerprint.hex == key.primary, "\(what)")
        #expect(certificate.primaryKey.algorithm == family.primaryAlgorithm, "\(what)")
        #expect(certificate.primaryKey.curve == family.primaryCurve, "\(what)")
        #expect(certificate.primaryKey.bitLength == family.bits, "\(what)")
        let subkey = try #require(certificate.encryptionKeys().first, "\(what): no encryption subkey")
        #expect(subkey.fingerprint.hex == key.fingerprints[1], "\(what)")
        #expect(subkey.algorithm == family.subkeyAlgorithm, "\(what)")
        #expect(subkey.curve == family.subkeyCurve, "\(what)")
        #expect(subkey.bitLength == family.bits, "\(what)")

        // And its password-protected secret key: locked without the password, refused with a
        // wrong one, unlocked with the right one.
        #expect(try SecretKey(armored: key.secretKey).isLocked, "\(what)")
        let wrong = try #require(throws: OpenPGPError.self, "\(what)") {
            try SecretKey(armored: key.secretKey, passphrase: "not the password")
        }
        #expect(wrong.code == .wrongPassphrase, "\(what): \(wrong)")
        let secretKey = try SecretKey(armored: key.secretKey, passphrase: Self.password)
        #expect(!secretKey.isLocked && secretKey.fingerprint.hex == key.primary, "\(what)")

        let rnp = try RNP()
        try rnp.importKey(key.secretKey)

        // rnp → us: rnp signs with its primary key and encrypts to its subkey.
        for write in Self.rnpWrites(for: family) {
            let direction = "\(family): rnp → us (\(write))"
            let message = try rnp.rnp(
                ["--encrypt", "--sign", "--recipient", key.primary, "--userid", key.primary, "--armor"]
                    + write.arguments + ["--output", "-"],
                input: Self.plaintext, password: Self.password
            ).stdout
            let read = try OpenPGPMessage.decrypt(message, using: [secretKey], verifyingWith: [certificate])
            #expect(read.data == Self.plaintext, "\(direction)")
            #expect(read.decryptionKey == subkey.fingerprint, "\(direction)")
            #expect(read.symmetricAlgorithm == write.cipher, "\(direction)")
            #expect(read.compression == write.compression, "\(direction)")
            #expect(read.signatures.map(\.status) == [.good], "\(direction): \(read.signatures)")
            #expect(read.signatures.first?.signerFingerprint == certificate.fingerprint, "\(direction)")
            #expect(read.signatures.first?.publicKeyAlgorithm == family.primaryAlgorithm, "\(direction)")
        }
        let files = try TemporaryDirectory(prefix: "matrix-rnp")
        let dataFile = try files.write("data.txt", Self.plaintext)
        let rnpSignature = files.file("rnp.sig")
        try rnp.rnp(
            ["--sign", "--detach", "--userid", key.primary, "--output", rnpSignature.path, dataFile.path],
            password: Self.password)
        let detached = try OpenPGPMessage.verifyDetached(
            Array(try Data(contentsOf: rnpSignature)), of: Self.plaintext, with: [certificate])
        #expect(detached.map(\.status) == [.good], "\(family): rnp → us, detached signature")

        // Two parties: rnp signs with its key and encrypts to our key of the same family.
        if let ourType = family.ourKeyType {
            let ours = try MatrixKeys.ours(ourType)
            try rnp.importKey(ours.certificate.armored())
            let direction = "\(family): rnp → us, signed by rnp's key, encrypted to ours"
            let message = try rnp.rnp(
                ["--encrypt", "--sign", "--recipient", ours.fingerprint.hex, "--userid", key.primary],
                input: Self.plaintext,
                password: Self.password
            ).stdout
            let read = try OpenPGPMessage.decrypt(
                message, using: [ours], verifyingWith: [certificate, ours.certificate])
            #expect(read.data == Self.plaintext, "\(direction)")
            #expect(read.decryptionKey == ours.certificate.encryptionKeys().first?.fingerprint, "\(direction)")
            #expect(read.signatures.map(\.status) == [.good], "\(direction): \(read.signatures)")
            #expect(read.signatures.first?.signerFingerprint == certificate.fingerprint, "\(direction)")
        }

        // us → rnp: signed by our key of the same family (imported above; rnp's own where we
        // make none), encrypted to rnp's subkey.
        let signer = try family.ourKeyType.map(MatrixKeys.ours) ?? secretKey
        let signerID = Self.rnpKeyID(signer.fingerprint)
        let options = Self.ourWrite(for: family)
        let direction =
            "\(family): us → rnp (\(String(describing: options.cipher)), \(String(describing: options.hash)), \(options.compression), signed by \(signer.certificate.primaryKey.algorithm))"
        let message = try OpenPGPMessage.encrypt(
            Self.plaintext, for: [certificate], signedBy: [signer], options: options)
        let decrypted = try rnp.rnp(["--decrypt", "--output", "-"], input: message, password: Self.password)
        #expect(decrypted.stdout == Self.plaintext, "\(direction)")
        let report = RNP.SignatureReport(decrypted.stderr)
        #expect(report.good == [signerID] && report.allVerified, "\(direction): \(report)")

        // A signed-only message and a detached signature, checked by `rnp --verify`.
        let signed = try OpenPGPMessage.sign(Self.plaintext, by: [signer], options: MessageOptions(hash: options.hash))
        let verified = RNP.SignatureReport(try rnp.rnp(["--verify"], input: signed).stderr)
        #expect(verified.good == [signerID] && verified.allVerified, "\(family): us → rnp, signed message: \(verified)")
        let ourSignature = try files.write(
            "data.txt.sig", try OpenPGPMessage.detachedSignature(for: Self.plaintext, by: [signer]))
        let verifiedDetached = RNP.SignatureReport(
            try rnp.rnp(["--verify", "--source", dataFile.path, ourSignature.path]).stderr)
        #expect(
            verifiedDetached.good == [signerID] && verifiedDetached.allVerified,
            "\(family): us → rnp, detached: \(verifiedDetached)")
        // rnp does tell a bad signature.
        let alteredFile = try files.write("altered.txt", Self.plaintext + [0x21])
        let bad = try rnp.rnp(["--verify", "--source", alteredFile.path, ourSignature.path], expectSuccess: false)
        #expect(
            bad.status != 0 && !RNP.SignatureReport(bad.stderr).allVerified,
            "\(family): us → rnp, altered data: \(bad.stderr)")
    }

    @Test("rnp-made unprotected key: we read and use it")
    func rnpUnprotectedKey() throws {
        let rnp = try RNP()
        let fingerprints = try rnp.generateKey(
            userID: "rnp open <rnp-open@example.org>", answers: KeyFamily.ed25519Cv25519.rnpAnswers, password: "")
        let exported = try rnp.export(fingerprints[0], secret: true)
        let key = try SecretKey(armored: exported)
        #expect(!key.isLocked)
        #expect(key.fingerprint.hex == fingerprints[0])
        let message = try rnp.rnp(
            ["--encrypt", "--sign", "--recipient", fingerprints[0], "--userid", fingerprints[0]], input: Self.plaintext
        ).stdout
        let read = try OpenPGPMessage.decrypt(message, using: [key], verifyingWith: [key.certificate])
        #expect(read.data == Self.plaintext)
        #expect(read.signatures.map(\.status) == [.good])
    }

    @Test("our key in rnp: rnp → us and us → rnp", arguments: OurKeyType.allCases)
    func rnpUsesOurKey(_ type: OurKeyType) throws {
        let key = try MatrixKeys.ours(type)
        let fingerprint = key.fingerprint.hex
        let subkey = try #require(key.certificate.encryptionKeys().first, "\(type): our key has no encryption subkey")
        let rnp = try RNP()
        try rnp.importKey(try key.armored(passphrase: Self.password))
        #expect(
            try rnp.fingerprints(fingerprint) == [fingerprint, subkey.fingerprint.hex], "\(type): rnp lists our key")

        // rnp → us: rnp unlocks our protection, signs with our primary key, encrypts to our subkey.
        let message = try rnp.rnp(
            ["--encrypt", "--sign", "--recipient", fingerprint, "--userid", fingerprint], input: Self.plaintext,
            password: Self.password
        ).stdout
        let read = try OpenPGPMessage.decrypt(message, using: [key], verifyingWith: [key.certificate])
        #expect(read.data == Self.plaintext, "\(type): rnp → us")
        #expect(read.decryptionKey == subkey.fingerprint, "\(type): rnp → us")
        #expect(read.signatures.map(\.status) == [.good], "\(type): rnp → us: \(read.signatures)")

        // us → rnp: rnp decrypts with our secret subkey and checks our signature.
        let sent = try OpenPGPMessage.encrypt(Self.plaintext, for: [key.certificate], signedBy: [key])
        let decrypted = try rnp.rnp(["--decrypt", "--output", "-"], input: sent, password: Self.password)
        #expect(decrypted.stdout == Self.plaintext, "\(type): us → rnp")
        let report = RNP.SignatureReport(decrypted.stderr)
        #expect(report.good == [Self.rnpKeyID(key.fingerprint)] && report.allVerified, "\(type): us → rnp: \(report)")
    }

    // MARK: sqop

    @Test(
        "rnp-made key: sqop ↔ pgpmail-sop", .enabled(if: ExternalProcess.shouldRun("sqop")),
        arguments: KeyFamily.allCases)
    func sqopKey(_ family: KeyFamily) throws {
        let key = try MatrixKeys.rnp(family)
        let directory = try TemporaryDirectory(prefix: "matrix-sop")
        _ = try directory.write("key", Array(key.secretKey.utf8))
        _ = try directory.write("cert", Array(key.certificate.utf8))
        try exchangeThroughSOP("\(family), rnp-made key", primary: key.primary, support: family.sqop, in: directory)
    }

    @Test(
        "our key: sqop ↔ pgpmail-sop", .enabled(if: ExternalProcess.shouldRun("sqop")), arguments: OurKeyType.allCases)
    func sqopUsesOurKey(_ type: OurKeyType) throws {
        let key = try MatrixKeys.ours(type)
        let directory = try TemporaryDirectory(prefix: "matrix-sop")
        _ = try directory.write("key", Array(try key.armored(passphrase: Self.password).utf8))
        _ = try directory.write("cert", Array(key.certificate.armored().utf8))
        try exchangeThroughSOP(
            "\(type), our key", primary: key.fingerprint.hex,
            support: PeerSupport(signing: true, encryption: true, reason: ""), in: directory)
    }

    /// Both ways between sqop and pgpmail-sop with the password-protected secret key `key`
    /// and its certificate `cert` in `directory`: encrypted and signed messages, detached
    /// binary and text signatures, inline-signed messages. What sqop cannot do (`support`)
    /// it must refuse with the SOP error for it.
    private func exchangeThroughSOP(
        _ what: String, primary: String, support: PeerSupport, in directory: TemporaryDirectory
    ) throws {
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        _ = try directory.write("password", Array(Self.password.utf8))
        let unlock = "--with-key-password=password"
        let plaintext = Self.plaintext
        var altered = plaintext
        altered[7] ^= 0x01

        /// Checks a verifications output: one line, by `primary`.
        func expectOneVerification(_ output: String, _ direction: String) {
            let lines = output.split(separator: "\n")
            #expect(
                lines.count == 1 && lines.allSatisfy { $0.contains(primary) }, "\(direction): verifications \(output)")
        }

        if support.encryption {
            for (writer, reader) in [(sqop, ours), (ours, sqop)] {
                let direction = "\(what): \(writer) → \(reader), encrypt --sign-with"
                let message = try writer.run(
                    ["encrypt", "--sign-with=key", unlock, "cert"], input: plaintext, in: directory
                ).stdout
                let decrypted = try reader.run(
                    ["decrypt", unlock, "--verify-with=cert", "--verifications-out=verifications-\(writer)", "key"],
                    input: message,
                    in: directory)
                #expect(decrypted.stdout == plaintext, "\(direction)")
                expectOneVerification(
                    try String(contentsOf: directory.file("verifications-\(writer)"), encoding: .utf8), direction)
            }
        } else {
            // sqop cannot encrypt to the key (CERT_CANNOT_ENCRYPT) nor decrypt with it (CANNOT_DECRYPT).
            let direction = "\(what): sqop cannot encrypt (\(support.reason))"
            #expect(throws: Never.self, "\(direction)") {
                try sqop.run(["encrypt", "cert"], input: plaintext, in: directory, expect: 17)
            }
            let message = try ours.run(["encrypt", "cert"], input: plaintext, in: directory).stdout
            #expect(throws: Never.self, "\(direction)") {
                try sqop.run(["decrypt", unlock, "key"], input: message, in: directory, expect: 29)
            }
            #expect(
                try ours.run(["decrypt", unlock, "key"], input: message, in: directory).stdout == plaintext,
                "\(what): pgpmail-sop itself")
        }

        if support.signing {
            for (writer, reader) in [(sqop, ours), (ours, sqop)] {
                for mode in ["binary", "text"] {
                    let direction = "\(what): \(writer) → \(reader), sign --as=\(mode)"
                    _ = try directory.write(
                        "signature",
                        try writer.run(["sign", "--as=\(mode)", unlock, "key"], input: plaintext, in: directory).stdout)
                    let verified = try reader.run(["verify", "signature", "cert"], input: plaintext, in: directory)
                    expectOneVerification(verified.stdoutText, direction)
                    // No acceptable signature over other data (NO_SIGNATURE).
                    #expect(throws: Never.self, "\(direction), altered data") {
                        try reader.run(["verify", "signature", "cert"], input: altered, in: directory, expect: 3)
                    }
                }
                let direction = "\(what): \(writer) → \(reader), inline-sign"
                let signed = try writer.run(["inline-sign", unlock, "key"], input: plaintext, in: directory).stdout
                let read = try reader.run(
                    ["inline-verify", "--verifications-out=inline-\(writer)", "cert"], input: signed, in: directory)
                #expect(read.stdout == plaintext, "\(direction)")
                expectOneVerification(
                    try String(contentsOf: directory.file("inline-\(writer)"), encoding: .utf8), direction)
            }
        } else {
            // sqop cannot sign with the key (KEY_CANNOT_SIGN) nor verify its signatures (NO_SIGNATURE).
            let direction = "\(what): sqop cannot sign (\(support.reason))"
            #expect(throws: Never.self, "\(direction)") {
                try sqop.run(["sign", unlock, "key"], input: plaintext, in: directory, expect: 79)
            }
            _ = try directory.write(
                "signature", try ours.run(["sign", unlock, "key"], input: plaintext, in: directory).stdout)
            #expect(throws: Never.self, "\(direction)") {
                try sqop.run(["verify", "signature", "cert"], input: plaintext, in: directory, expect: 3)
            }
            let verified = try ours.run(["verify", "signature", "cert"], input: plaintext, in: directory)
            expectOneVerification(verified.stdoutText, "\(what): pgpmail-sop itself")
        }
    }
}
