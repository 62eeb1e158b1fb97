import Foundation
import TestSupport
import Testing

/// `pgpmail-sop` against `sqop` (Sequoia) through the Stateless OpenPGP interface: keys made
/// by one side, messages written by either, read by the other.
@Suite("SOP interop with sqop", .enabled(if: ExternalProcess.shouldRun("sqop")))
struct SOPInteropTests {
    let plaintext = Array("Stateless OpenPGP round trip\nzweite Zeile\n".utf8)

    static func pairs() throws -> [(SOPTool, SOPTool)] {
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        return [(ours, sqop), (sqop, ours), (ours, ours)]
    }

    @Test func encryptSignDecryptVerifyAcrossImplementations() throws {
        for (writer, reader) in try Self.pairs() {
            let directory = try TemporaryDirectory(prefix: "sop")
            // The reader owns the decryption key, the writer the signing key.
            let readerKey = try reader.run(["generate-key", "Reader <reader@example.org>"], in: directory).stdout
            let writerKey = try writer.run(["generate-key", "Writer <writer@example.org>"], in: directory).stdout
            _ = try directory.write("reader.key", readerKey)
            _ = try directory.write("writer.key", writerKey)
            _ = try directory.write(
                "reader.cert", try reader.run(["extract-cert"], input: readerKey, in: directory).stdout)
            _ = try directory.write(
                "writer.cert", try writer.run(["extract-cert"], input: writerKey, in: directory).stdout)

            let message = try writer.run(
                ["encrypt", "--sign-with=writer.key", "reader.cert"], input: plaintext, in: directory
            ).stdout
            let decrypted = try reader.run(
                ["decrypt", "--verify-with=writer.cert", "--verifications-out=verifications", "reader.key"],
                input: message,
                in: directory)
            #expect(decrypted.stdout == plaintext, "\(writer) → \(reader)")
            let verifications = try String(contentsOf: directory.file("verifications"), encoding: .utf8)
            #expect(verifications.split(separator: "\n").count == 1, "\(writer) → \(reader): \(verifications)")
        }
    }

    @Test func passwordsAndSessionKeysAcrossImplementations() throws {
        for (writer, reader) in try Self.pairs() {
            let directory = try TemporaryDirectory(prefix: "sop")
            _ = try directory.write("password", Array("correct horse battery staple\n".utf8))
            let message = try writer.run(["encrypt", "--with-password=password"], input: plaintext, in: directory)
                .stdout
            let decrypted = try reader.run(
                ["decrypt", "--with-password=password", "--session-key-out=session"], input: message, in: directory)
            #expect(decrypted.stdout == plaintext, "\(writer) → \(reader)")
            // The session key the reader reported opens the message on the writer's side too.
            let again = try writer.run(["decrypt", "--with-session-key=session"], input: message, in: directory)
            #expect(again.stdout == plaintext, "\(reader)'s session key on \(writer)")
        }
    }

    @Test func detachedSignaturesAcrossImplementations() throws {
        for (writer, reader) in try Self.pairs() {
            for mode in ["binary", "text"] {
                let directory = try TemporaryDirectory(prefix: "sop")
                let key = try writer.run(["generate-key", "Signer <signer@example.org>"], in: directory).stdout
                _ = try directory.write("signer.key", key)
                _ = try directory.write(
                    "signer.cert", try writer.run(["extract-cert"], input: key, in: directory).stdout)
                _ = try directory.write(
                    "other.cert",
                    try reader.run(
                        ["extract-cert"],
                        input: try reader.run(["generate-key", "O <o@example.org>"], in: directory).stdout,
                        in: directory
                    ).stdout)
                _ = try directory.write(
                    "signature",
                    try writer.run(["sign", "--as=\(mode)", "signer.key"], input: plaintext, in: directory).stdout)
                let verified = try reader.run(["verify", "signature", "signer.cert"], input: plaintext, in: directory)
                    .stdoutText
                #expect(verified.split(separator: "\n").count == 1, "\(writer) → \(reader) \(mode)")
                try reader.run(["verify", "signature", "other.cert"], input: plaintext, in: directory, expect: 3)
                try reader.run(
                    ["verify", "signature", "signer.cert"], input: plaintext + [0x21], in: directory, expect: 3)
            }
        }
    }

    @Test func inlineSignaturesAcrossImplementations() throws {
        for (writer, reader) in try Self.pairs() {
            let directory = try TemporaryDirectory(prefix: "sop")
            let key = try writer.run(["generate-key", "Signer <signer@example.org>"], in: directory).stdout
            _ = try directory.write("signer.key", key)
            _ = try directory.write("signer.cert", try writer.run(["extract-cert"], input: key, in: directory).stdout)
            for mode in ["binary", "text", "clearsigned"] {
                let signed = try writer.run(
                    ["inline-sign", "--as=\(mode)", "signer.key"], input: plaintext, in: directory
                ).stdout
                let verified = try reader.run(
                    ["inline-verify", "--verifications-out=verifications-\(mode)", "signer.cert"], input: signed,
                    in: directory)
                // Text is line-ending neutral: implementations differ in giving it back with CRLF.
                let output =
                    mode == "text"
                    ? Array(verified.stdoutText.replacingOccurrences(of: "\r\n", with: "\n").utf8) : verified.stdout
                #expect(output == plaintext, "\(writer) → \(reader) \(mode)")
                let verifications = try String(contentsOf: directory.file("verifications-\(mode)"), encoding: .utf8)
                #expect(verifications.split(separator: "\n").count == 1, "\(writer) → \(reader) \(mode)")
            }
        }
        // Ours detaches either kind so that the signatures verify over the data it emits.
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        let directory = try TemporaryDirectory(prefix: "sop")
        let key = try sqop.run(["generate-key", "Signer <signer@example.org>"], in: directory).stdout
        _ = try directory.write("signer.key", key)
        _ = try directory.write("signer.cert", try sqop.run(["extract-cert"], input: key, in: directory).stdout)
        for mode in ["binary", "clearsigned"] {
            let signed = try sqop.run(["inline-sign", "--as=\(mode)", "signer.key"], input: plaintext, in: directory)
                .stdout
            let data = try ours.run(
                ["inline-detach", "--signatures-out=detached-\(mode)"], input: signed, in: directory
            ).stdout
            try sqop.run(["verify", "detached-\(mode)", "signer.cert"], input: data, in: directory)
        }
    }

    @Test func armorAndDearmorAgree() throws {
        let ours = try SOPTool.ours()
        let sqop = try SOPTool.peer("sqop")
        let directory = try TemporaryDirectory(prefix: "sop")
        let key = try sqop.run(["generate-key", "--no-armor", "A <a@example.org>"], in: directory).stdout
        let armored = try ours.run(["armor"], input: key, in: directory).stdout
        #expect(String(decoding: armored, as: UTF8.self).hasPrefix("-----BEGIN PGP PRIVATE KEY BLOCK-----"))
        #expect(try sqop.run(["dearmor"], input: armored, in: directory).stdout == key)
        #expect(
            try ours.run(["dearmor"], input: try sqop.run(["armor"], input: key, in: directory).stdout, in: directory)
                .stdout == key)
    }

    @Test func exitCodesFollowTheSpecification() throws {
        let ours = try SOPTool.ours()
        let directory = try TemporaryDirectory(prefix: "sop")
        let key = try ours.run(["generate-key", "A <a@example.org>"], in: directory).stdout
        _ = try directory.write("a.key", key)
        _ = try directory.write("other.key", try ours.run(["generate-key", "B <b@example.org>"], in: directory).stdout)
        try ours.run(["frobnicate"], in: directory, expect: 69)
        try ours.run(["decrypt", "--no-such-option"], in: directory, expect: 37)
        try ours.run(["decrypt"], in: directory, expect: 19)
        try ours.run(["decrypt", "missing.key"], in: directory, expect: 61)
        try ours.run(["decrypt", "@ENVX:foo"], in: directory, expect: 71)
        try ours.run(["decrypt", "a.key"], input: Array("not openpgp".utf8), in: directory, expect: 41)
        let cert = try ours.run(["extract-cert"], input: key, in: directory).stdout
        _ = try directory.write("a.cert", cert)
        let forA = try ours.run(["encrypt", "a.cert"], input: plaintext, in: directory).stdout
        try ours.run(["decrypt", "other.key"], input: forA, in: directory, expect: 29)
        _ = try directory.write("exists", [])
        try ours.run(["decrypt", "--session-key-out=exists", "a.key"], input: forA, in: directory, expect: 59)
    }
}
