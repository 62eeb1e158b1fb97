import Foundation
import PGPMail
import TestSupport
import Testing

/// `pgpmail-sop list-profiles` and `--profile` of `generate-key` and `encrypt`, with sqop
/// reading what the profiles make.
@Suite("SOP profiles")
struct SOPProfileTests {
    let plaintext = Array("Profiles decide the algorithms\n".utf8)

    /// The `name: description` lines of `list-profiles subcommand`.
    static func profiles(_ subcommand: String, in directory: TemporaryDirectory) throws -> [(String, String)] {
        let output = try SOPTool.ours().run(["list-profiles", subcommand], in: directory).stdoutText
        #expect(output.hasSuffix("\n"))
        return try output.split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            try #require(parts.count == 2 && parts[1].hasPrefix(" ") && parts[1].count > 1, "\(line)")
            #expect(!parts[0].contains { $0.isWhitespace }, "\(line)")
            return (String(parts[0]), String(parts[1].dropFirst()))
        }
    }

    @Test("list-profiles prints the default first, never the reserved name default")
    func listProfiles() throws {
        let directory = try TemporaryDirectory(prefix: "sop")
        let generate = try Self.profiles("generate-key", in: directory)
        #expect(generate.map(\.0) == ["draft-koch-eddsa-for-openpgp-00", "rfc4880", "rfc9580"])
        #expect(generate[0].1.contains("(default)"))
        let encrypt = try Self.profiles("encrypt", in: directory)
        #expect(encrypt.map(\.0) == ["rfc9580", "rfc4880"])
        #expect(encrypt[0].1.contains("(default)"))

        let ours = try SOPTool.ours()
        try ours.run(["list-profiles", "sign"], in: directory, expect: 89)
        try ours.run(["list-profiles", "no-such-subcommand"], in: directory, expect: 69)
        try ours.run(["list-profiles"], in: directory, expect: 19)
    }

    @Test("generate-key --profile: default and draft-koch are Ed25519 v4, rfc4880 is RSA 3072; sqop uses both")
    func generateKeyProfiles() throws {
        let directory = try TemporaryDirectory(prefix: "sop")
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        let expected: [(String?, PublicKeyAlgorithm, Int)] = [
            (nil, .eddsaLegacy, 256), ("default", .eddsaLegacy, 256),
            ("draft-koch-eddsa-for-openpgp-00", .eddsaLegacy, 256), ("rfc4880", .rsaEncryptOrSign, 3072),
        ]
        for (index, (profile, algorithm, bits)) in expected.enumerated() {
            let key = try ours.run(
                ["generate-key"] + (profile.map { ["--profile=\($0)"] } ?? []) + ["P <p@example.org>"], in: directory
            ).stdout
            let secretKey = try SecretKey(bytes: key)
            #expect(secretKey.certificate.primaryKey.version == 4, "\(profile ?? "none")")
            #expect(secretKey.certificate.primaryKey.algorithm == algorithm, "\(profile ?? "none")")
            #expect(secretKey.certificate.primaryKey.bitLength == bits, "\(profile ?? "none")")
            #expect(!secretKey.certificate.encryptionKeys().isEmpty && !secretKey.certificate.signingKeys().isEmpty)

            // sqop encrypts to the certificate and reads a message the key signs.
            _ = try directory.write("key\(index)", key)
            _ = try directory.write("cert\(index)", try ours.run(["extract-cert"], input: key, in: directory).stdout)
            let message = try sqop.run(["encrypt", "cert\(index)"], input: plaintext, in: directory).stdout
            #expect(try ours.run(["decrypt", "key\(index)"], input: message, in: directory).stdout == plaintext)
            let signature = try ours.run(["sign", "key\(index)"], input: plaintext, in: directory).stdout
            _ = try directory.write("sig\(index)", signature)
            try sqop.run(["verify", "sig\(index)", "cert\(index)"], input: plaintext, in: directory)
        }
        try ours.run(["generate-key", "--profile=rfc2440", "P <p@example.org>"], in: directory, expect: 89)
        try ours.run(["generate-key"], in: directory, expect: 19)
    }

    @Test("encrypt --profile rfc4880 and rfc9580 to v4 certificates: SEIPDv1 that sqop reads")
    func encryptProfiles() throws {
        let directory = try TemporaryDirectory(prefix: "sop")
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        let key = try sqop.run(["generate-key", "R <r@example.org>"], in: directory).stdout
        _ = try directory.write("r.key", key)
        _ = try directory.write("r.cert", try sqop.run(["extract-cert"], input: key, in: directory).stdout)
        for profile in ["rfc4880", "rfc9580", "default"] {
            let message = try ours.run(["encrypt", "--profile=\(profile)", "r.cert"], input: plaintext, in: directory)
                .stdout
            // Without SEIPDv2 in the certificate's features, rfc9580 negotiates SEIPDv1 too.
            let packets = try GnuPG().run(["--list-packets"], input: message, expectSuccess: false).stdoutText
            #expect(packets.contains(":encrypted data packet:") && packets.contains("mdc_method: 2"), "\(packets)")
            #expect(
                try sqop.run(["decrypt", "r.key"], input: message, in: directory).stdout == plaintext, "\(profile)")
        }
        try ours.run(["encrypt", "--profile=rfc1991", "r.cert"], input: plaintext, in: directory, expect: 89)
    }
}
