import Foundation
import PGPMail
import TestSupport
import Testing

/// `pgpmail keys generate|export|list`, the built executable, with GnuPG and sqop reading
/// what it writes.
@Suite("pgpmail keys")
struct KeysCommandTests {
    /// Runs `pgpmail keys arguments`.
    static func keys(_ arguments: [String]) async throws -> ExternalProcess.Result {
        try await PGPMailExecutable.run(["keys"] + arguments)
    }

    /// The fingerprint `keys generate` printed on standard error.
    static func printedFingerprint(_ result: ExternalProcess.Result) -> String {
        result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A GnuPG home whose agent forgets passphrases at once, so every use must give one.
    static func forgetfulGnuPG() throws -> GnuPG {
        let gpg = try GnuPG()
        try "allow-loopback-pinentry\ndefault-cache-ttl 0\nmax-cache-ttl 0\n".write(
            to: gpg.home.file("gpg-agent.conf"), atomically: true, encoding: .utf8)
        return gpg
    }

    @Test("a v4 key goes to a 0600 file; gpg imports it with the printed fingerprint and its expiry")
    func generatedKeyImportsIntoGnuPG() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let output = files.file("alice.sec.asc").path
        let result = try await Self.keys([
            "generate", "Alice <alice@example.com>", "Alice Work <alice@work.example>", "--expires", "180d",
            "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let fingerprint = Self.printedFingerprint(result)
        #expect(fingerprint.count == 40 && fingerprint.allSatisfy(\.isHexDigit), "\(fingerprint)")
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let armored = try String(contentsOfFile: output, encoding: .utf8)
        #expect(armored.hasPrefix("-----BEGIN PGP PRIVATE KEY BLOCK-----"))
        let gpg = try GnuPG()
        try gpg.importKey(armored)
        #expect(try gpg.fingerprint(of: "alice@example.com") == fingerprint)
        let listing = try gpg.run(["--with-colons", "--list-secret-keys", fingerprint]).stdoutText
        let secretLine = try #require(listing.split(separator: "\n").first { $0.hasPrefix("sec:") })
        let fields = secretLine.split(separator: ":", omittingEmptySubsequences: false)
        let created = try #require(Double(fields[5]))
        let expires = try #require(Double(fields[6]), "gpg sees an expiry: \(secretLine)")
        #expect(expires - created == 180 * 86_400)
        #expect(fields[3] == "22", "EdDSA legacy primary key: \(secretLine)")
        let userIDs = listing.split(separator: "\n").filter { $0.hasPrefix("uid:") }
            .map { $0.split(separator: ":", omittingEmptySubsequences: false)[9] }
        #expect(userIDs == ["Alice <alice@example.com>", "Alice Work <alice@work.example>"], "\(listing)")
    }

    @Test("the exported certificate holds no secret; sqop encrypts to it and the secret key decrypts")
    func exportedCertificateTakesMessagesFromSqop() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let generated = try await Self.keys(["generate", "Bob <bob@example.org>", "--no-armor"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(generated.stdout.first.map { $0 & 0x80 != 0 } == true, "binary output starts with a packet header")
        let secretFile = try files.write("bob.key", generated.stdout)

        for armor in [true, false] {
            let exported = try await Self.keys(["export", secretFile.path] + (armor ? [] : ["--no-armor"]))
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdoutText.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----") == armor)
            let ring = try Keyring(bytes: exported.stdout)
            #expect(ring.secretKeys.isEmpty)
            #expect(ring.certificates.map(\.fingerprint.hex) == [Self.printedFingerprint(generated)])
        }
        let exported = try await Self.keys(["export", secretFile.path])
        let certificateFile = try files.write("bob.cert", exported.stdout)
        let sqop = try SOPTool.peer("sqop")
        let plaintext = Array("Hello Bob, from Sequoia\n".utf8)
        let message = try sqop.run(["encrypt", certificateFile.lastPathComponent], input: plaintext, in: files).stdout
        let decrypted = try SOPTool.ours().run(["decrypt", secretFile.lastPathComponent], input: message, in: files)
        #expect(decrypted.stdout == plaintext)
    }

    @Test("export reads keyrings: several keys, armored or binary, secret or public")
    func exportReadsKeyrings() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let first = try SecretKey.generate(userID: "First <first@example.org>")
        let second = try SecretKey.generate(userID: "Second <second@example.org>", type: .nistP256)
        let ring = try files.write("ring.gpg", try first.serialized() + second.certificate.serialized())
        let result = try await Self.keys(["export", ring.path])
        #expect(result.status == 0, "\(result.stderr)")
        let certificates = try Certificate.readKeyring(result.stdout)
        #expect(certificates.map(\.fingerprint) == [first.fingerprint, second.fingerprint])

        let empty = try files.write("empty.asc", Array("nothing here\n".utf8))
        let failed = try await Self.keys(["export", empty.path])
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("pgpmail keys export: "), "\(failed.stderr)")
    }

    @Test("list shows version, algorithm, dates, flags, user IDs and subkeys, as text and JSON")
    func listDescribesKeys() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let created = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z
        let rsa = try SecretKey.generate(
            userIDs: ["Carol <carol@example.org>", "Carol Old <carol@old.example>"], type: .rsa(bits: 3072),
            creationDate: created, validity: .seconds(365 * 86_400))
        let curve = try SecretKey.generate(userID: "Dave <dave@example.org>", creationDate: created)
        let secretFile = try files.write("carol.sec.asc", Array(try rsa.armored().utf8))
        let publicFile = try files.write("dave.pub.asc", Array(curve.certificate.armored().utf8))

        let text = try await Self.keys(["list", secretFile.path])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdoutText.split(separator: "\n").map(String.init)
        let subkey = try #require(rsa.certificate.subkeys.first)
        // Made in 2023 for a year: expired now.
        #expect(
            lines == [
                "sec   v4 rsa3072 2023-11-14 [SC] [expired: 2024-11-13]",
                "      \(rsa.fingerprint.hex)",
                "uid           Carol <carol@example.org>",
                "uid           Carol Old <carol@old.example>",
                "ssb   v4 rsa3072 2023-11-14 [E] [expired: 2024-11-13]",
                "      \(subkey.fingerprint.hex)",
            ], "\(text.stdoutText)")

        let both = try await Self.keys(["list", secretFile.path, publicFile.path])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdoutText.contains("\(publicFile.path)\n"))
        #expect(both.stdoutText.contains("pub   v4 ed25519 2023-11-14 [SC]\n      \(curve.fingerprint.hex)\n"))
        #expect(both.stdoutText.contains("sub   v4 cv25519 2023-11-14 [E]\n"))

        let json = try await Self.keys(["list", "--json", secretFile.path, publicFile.path])
        #expect(json.status == 0, "\(json.stderr)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
        #expect(keys.count == 2)
        #expect(Set(keys[0].keys) == ["file", "secret", "primaryKey", "userIDs", "subkeys"])
        #expect(keys[0]["file"] as? String == secretFile.path)
        #expect(keys[0]["secret"] as? Bool == true && keys[1]["secret"] as? Bool == false)
        let primary = try #require(keys[0]["primaryKey"] as? [String: Any])
        #expect(primary["version"] as? Int == 4)
        #expect(primary["fingerprint"] as? String == rsa.fingerprint.hex)
        #expect(primary["keyID"] as? String == rsa.certificate.keyID.hex)
        #expect(primary["algorithm"] as? String == "rsa3072")
        #expect(primary["algorithmID"] as? Int == 1)
        #expect(primary["bits"] as? Int == 3072)
        #expect(primary["curve"] == nil)
        #expect(primary["created"] as? String == "2023-11-14T22:13:20Z")
        #expect(primary["expires"] as? String == "2024-11-13T22:13:20Z")
        #expect(primary["expired"] as? Bool == true && primary["usable"] as? Bool == false)
        #expect(primary["revoked"] as? Bool == false)
        #expect(primary["flags"] as? [String] == ["certify", "sign"])
        let userIDs = try #require(keys[0]["userIDs"] as? [[String: Any]])
        #expect(
            userIDs.map { $0["value"] as? String } == ["Carol <carol@example.org>", "Carol Old <carol@old.example>"])
        #expect(userIDs.map { $0["email"] as? String } == ["carol@example.org", "carol@old.example"])
        #expect(userIDs.map { $0["primary"] as? Bool } == [true, false])
        #expect(userIDs.allSatisfy { $0["bound"] as? Bool == true && $0["revoked"] as? Bool == false })
        let daveSubkeys = try #require(keys[1]["subkeys"] as? [[String: Any]])
        #expect(daveSubkeys.count == 1)
        #expect(daveSubkeys.first?["algorithm"] as? String == "cv25519")
        #expect(daveSubkeys.first?["curve"] as? String == "Curve25519")
        #expect(daveSubkeys.first?["flags"] as? [String] == ["encrypt-communications", "encrypt-storage"])
        #expect(daveSubkeys.first?["expires"] == nil && daveSubkeys.first?["usable"] as? Bool == true)
    }

    @Test("list reads a GnuPG home: gpg's revoked user ID and authentication subkey")
    func listReadsGnuPGKeys() async throws {
        let gpg = try GnuPG()
        try gpg.run(["--quick-generate-key", "Gus <gus@example.org>", "ed25519", "cert,sign", "1y"], passphrase: "")
        let fingerprint = try gpg.fingerprint(of: "gus@example.org")
        try gpg.run(["--quick-add-key", fingerprint, "ed25519", "auth", "never"], passphrase: "")
        try gpg.run(["--quick-add-uid", fingerprint, "Gus Old <gus@old.example>"], passphrase: "")
        try gpg.run(["--quick-revoke-uid", fingerprint, "Gus Old <gus@old.example>"], passphrase: "")
        let subkey = try #require(try gpg.fingerprints(fingerprint).last)

        let text = try await Self.keys(["list", gpg.home.path])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(text.stdoutText)")
        #expect(
            lines.first?.hasPrefix("pub   v4 ed25519 ") == true && lines.first?.contains(" [SC] [expires: ") == true)
        #expect(
            Array(lines.dropFirst()).prefix(3) == [
                "      \(fingerprint)", "uid           Gus <gus@example.org>",
                "uid           [revoked] Gus Old <gus@old.example>",
            ])
        #expect(lines.last == "      \(subkey)")
        #expect(lines.dropLast().last?.hasSuffix(" [A]") == true, "\(lines)")

        let json = try await Self.keys(["list", "--json", gpg.home.path])
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
        let userIDs = try #require(keys.first?["userIDs"] as? [[String: Any]])
        #expect(userIDs.map { $0["revoked"] as? Bool } == [false, true])
        let subkeys = try #require(keys.first?["subkeys"] as? [[String: Any]])
        #expect(subkeys.map { $0["flags"] as? [String] } == [["authenticate"]])
    }

    @Test("--passphrase-file protects the key: gpg decrypts only with the passphrase")
    func passphraseProtectsTheSecretKey() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let passphraseFile = try files.write("passphrase", Array("open sesame\nignored second line\n".utf8))
        let output = files.file("erin.sec.asc").path
        let result = try await Self.keys([
            "generate", "Erin <erin@example.org>", "--type", "p256", "--passphrase-file", passphraseFile.path,
            "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let armored = try String(contentsOfFile: output, encoding: .utf8)
        let locked = try SecretKey(armored: armored)
        #expect(locked.isLocked)
        #expect(locked.certificate.primaryKey.algorithm == .ecdsa && locked.certificate.primaryKey.curve == .nistP256)
        #expect(throws: OpenPGPError.self) { try locked.unlocked(passphrase: "wrong") }
        #expect(try !locked.unlocked(passphrase: "open sesame").isLocked)

        let gpg = try Self.forgetfulGnuPG()
        try gpg.importKey(armored)
        let message = try gpg.run(["--encrypt", "--recipient", "erin@example.org"], input: Array("secret\n".utf8))
            .stdout
        let without = try gpg.run(["--decrypt"], input: message, passphrase: "", expectSuccess: false)
        #expect(without.status != 0)
        let wrong = try gpg.run(["--decrypt"], input: message, passphrase: "open sesame!", expectSuccess: false)
        #expect(wrong.status != 0)
        let right = try gpg.run(["--decrypt"], input: message, passphrase: "open sesame")
        #expect(right.stdoutText == "secret\n")
    }

    @Test("usage errors exit 2: no user ID for rfc4880, unknown type or duration, existing output")
    func usageErrors() async throws {
        let files = try TemporaryDirectory(prefix: "keys")
        let existing = try files.write("existing.asc", Array("keep me\n".utf8))
        let cases: [[String]] = [
            ["generate"],
            ["generate", "--profile", "rfc4880"],
            ["generate", "--profile", "rfc2440", "x@example.org"],
            ["generate", "--type", "dsa1024", "x@example.org"],
            ["generate", "--expires", "2x", "x@example.org"],
            ["generate", "--expires", "-1d", "x@example.org"],
            ["generate", "--expires", "999999999y", "x@example.org"],
            ["generate", "--output", existing.path, "x@example.org"],
            ["generate", "--force", "x@example.org"],
            ["list"],
            ["export"],
        ]
        for arguments in cases {
            let result = try await Self.keys(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        #expect(try String(contentsOf: existing, encoding: .utf8) == "keep me\n")

        let replaced = try await Self.keys(["generate", "--output", existing.path, "--force", "x@example.org"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(
            try SecretKey(armored: String(contentsOf: existing, encoding: .utf8)).fingerprint.hex
                == Self.printedFingerprint(replaced))
        let attributes = try FileManager.default.attributesOfItem(atPath: existing.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // --force replaces a file, never the target of a symbolic link.
        let link = files.file("link.asc")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: files.file("target.asc"))
        let throughLink = try await Self.keys(["generate", "--output", link.path, "--force", "x@example.org"])
        #expect(throughLink.status == 1, "\(throughLink.stderr)")
        #expect(!FileManager.default.fileExists(atPath: files.file("target.asc").path))

        let missing = try await Self.keys(["list", files.file("missing.asc").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("pgpmail keys list: "), "\(missing.stderr)")
    }
}
