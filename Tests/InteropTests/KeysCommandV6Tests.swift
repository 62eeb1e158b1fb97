import Foundation
import PGPMail
import TestSupport
import Testing

/// The rfc9580 profile of `pgpmail keys generate` and `pgpmail-sop generate-key`: v6 keys,
/// read back by Sequoia (pysequoia). Needs v6 key generation in the OpenPGP engine.
@Suite("pgpmail keys: v6 keys (rfc9580 profile)")
struct KeysCommandV6Tests {
    /// The fingerprint pysequoia reads from the key or certificate `bytes` (upper-case hex).
    static func sequoiaFingerprint(_ bytes: [UInt8]) throws -> String {
        let output = try PySequoia.run(
            "sys.stdout.write(Cert.from_bytes(open(sys.argv[1], 'rb').read()).fingerprint)", inputs: [bytes])
        return String(decoding: output, as: UTF8.self).uppercased()
    }

    /// The user IDs pysequoia reads from `bytes`, one per line.
    static func sequoiaUserIDs(_ bytes: [UInt8]) throws -> [String] {
        let output = try PySequoia.run(
            "print('\\n'.join(str(u) for u in Cert.from_bytes(open(sys.argv[1], 'rb').read()).user_ids))",
            inputs: [bytes])
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The one key `keys list --json` describes in `file`.
    static func listedKey(_ file: URL) async throws -> [String: Any] {
        let result = try await KeysCommandTests.keys(["list", "--json", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [[String: Any]])
        return try #require(keys.first)
    }

    @Test("rfc9580 makes a v6 Ed25519/X25519 key that Sequoia reads and encrypts to")
    func v6KeyReadBySequoia() async throws {
        let files = try TemporaryDirectory(prefix: "keys-v6")
        let generated = try await KeysCommandTests.keys([
            "generate", "--profile", "rfc9580", "Vera <vera@example.org>", "--expires", "1y",
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let fingerprint = KeysCommandTests.printedFingerprint(generated)
        #expect(fingerprint.count == 64, "a v6 fingerprint is SHA-256: \(fingerprint)")
        #expect(try Self.sequoiaFingerprint(generated.stdout) == fingerprint)
        #expect(try Self.sequoiaUserIDs(generated.stdout).contains { $0.contains("Vera <vera@example.org>") })

        let keyFile = try files.write("vera.key", generated.stdout)
        let key = try await Self.listedKey(keyFile)
        let primary = try #require(key["primaryKey"] as? [String: Any])
        #expect(primary["version"] as? Int == 6)
        #expect(primary["algorithm"] as? String == "ed25519" && primary["algorithmID"] as? Int == 27)
        #expect(primary["expires"] != nil)
        let subkey = try #require((key["subkeys"] as? [[String: Any]])?.first)
        #expect(subkey["version"] as? Int == 6)
        #expect(subkey["algorithm"] as? String == "cv25519" && subkey["algorithmID"] as? Int == 25)

        // The exported certificate: Sequoia encrypts to it, our SOP decrypts with the key.
        let exported = try await KeysCommandTests.keys(["export", keyFile.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try Self.sequoiaFingerprint(exported.stdout) == fingerprint)
        let plaintext = Array("Hello v6\n".utf8)
        let message = try PySequoia.run(
            "sys.stdout.buffer.write(encrypt(recipients=[Cert.from_bytes(open(sys.argv[1], 'rb').read())], bytes=open(sys.argv[2], 'rb').read()))",
            inputs: [exported.stdout, plaintext])
        let decrypted = try SOPTool.ours().run(["decrypt", "vera.key"], input: message, in: files)
        #expect(decrypted.stdout == plaintext)
    }

    @Test("rfc9580 allows a key without user ID, and Ed448/X448 with --type curve448")
    func v6KeyWithoutUserIDAndCurve448() async throws {
        let files = try TemporaryDirectory(prefix: "keys-v6")
        let bare = try await KeysCommandTests.keys(["generate", "--profile", "rfc9580", "--no-armor"])
        #expect(bare.status == 0, "\(bare.stderr)")
        #expect(try Self.sequoiaFingerprint(bare.stdout) == KeysCommandTests.printedFingerprint(bare))
        #expect(try Self.sequoiaUserIDs(bare.stdout).isEmpty)
        let bareKey = try await Self.listedKey(try files.write("bare.key", bare.stdout))
        #expect((bareKey["userIDs"] as? [Any])?.isEmpty == true)

        let passphrase = try files.write("passphrase", Array("v6 secret\n".utf8))
        let curve448 = try await KeysCommandTests.keys([
            "generate", "--profile", "rfc9580", "--type", "curve448", "--passphrase-file", passphrase.path,
            "Ed <ed@example.org>",
        ])
        #expect(curve448.status == 0, "\(curve448.stderr)")
        #expect(try Self.sequoiaFingerprint(curve448.stdout) == KeysCommandTests.printedFingerprint(curve448))
        let locked = try SecretKey(bytes: curve448.stdout)
        #expect(locked.isLocked)
        #expect(try !locked.unlocked(passphrase: "v6 secret").isLocked)
        let listed = try await Self.listedKey(try files.write("ed448.key", curve448.stdout))
        let primary = try #require(listed["primaryKey"] as? [String: Any])
        #expect(primary["algorithm"] as? String == "ed448" && primary["algorithmID"] as? Int == 28)
        let subkey = try #require((listed["subkeys"] as? [[String: Any]])?.first)
        #expect(subkey["algorithm"] as? String == "cv448" && subkey["algorithmID"] as? Int == 26)
    }

    @Test("pgpmail-sop generate-key --profile rfc9580 makes a v6 key Sequoia reads, with or without user ID")
    func sopGeneratesV6Keys() throws {
        let directory = try TemporaryDirectory(prefix: "sop-v6")
        let ours = try SOPTool.ours()
        for userIDs in [["S <s@example.org>"], []] {
            let key = try ours.run(["generate-key", "--profile=rfc9580"] + userIDs, in: directory).stdout
            let secretKey = try SecretKey(bytes: key)
            #expect(secretKey.certificate.primaryKey.version == 6)
            #expect(secretKey.certificate.primaryKey.algorithm == .ed25519)
            #expect(try Self.sequoiaFingerprint(key) == secretKey.fingerprint.hex)
            #expect(try Self.sequoiaUserIDs(key).count == userIDs.count)
        }
    }
}
