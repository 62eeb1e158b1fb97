import Foundation
import Testing

@testable import OpenPGP

/// `pgpmail-sop decrypt` holds the plaintext in a temporary file until it is authenticated:
/// a file without a name, and of bounded size. Each test gives the tool a private `TMPDIR`.
@Suite("pgpmail-sop decrypt spool")
struct SOPSpoolTests {
    let plaintext = Array("spooled until authenticated\n".utf8)

    /// A working directory with a key pair, and an empty directory for `TMPDIR`.
    private struct Setup {
        let tool: SOPTool
        let directory: TemporaryDirectory
        let temporary: TemporaryDirectory
        let certificate: Certificate
        var environment: [String: String] { ["TMPDIR": temporary.path] }

        init() throws {
            tool = try SOPTool.ours()
            directory = try TemporaryDirectory(prefix: "sop-spool")
            temporary = try TemporaryDirectory(prefix: "sop-spool-tmp")
            let key = try tool.run(["generate-key", "Spool <spool@example.org>"], in: directory).stdout
            _ = try directory.write("key", key)
            let cert = try tool.run(["extract-cert"], input: key, in: directory).stdout
            _ = try directory.write("cert", cert)
            certificate = try #require(try Certificate.readKeyring(cert).first)
        }

        var leftovers: [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? ["unreadable"]
        }
    }

    /// 64 MiB of zeros, deflated twice, encrypted to `recipient`: a few hundred bytes.
    private func nestedBomb(to recipient: Certificate) throws -> [UInt8] {
        var output: [UInt8] = []
        let sink = try OutputStage(armor: nil) { output += $0 }
        let key = try #require(recipient.encryptionKeys(at: Date()).first)
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

    @Test func decryptingABombFailsAndLeavesNothing() throws {
        let setup = try Setup()
        let bomb = try nestedBomb(to: setup.certificate)
        #expect(bomb.count < 2048)
        let result = try setup.tool.run(
            ["decrypt", "key"], input: bomb, in: setup.directory, environment: setup.environment, expect: 41)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("decompressionLimitExceeded"))
        #expect(setup.leftovers == [])
    }

    @Test func normalDecryptWorksAndLeavesNothing() throws {
        let setup = try Setup()
        let message = try setup.tool.run(["encrypt", "cert"], input: plaintext, in: setup.directory).stdout
        let result = try setup.tool.run(
            ["decrypt", "key"], input: message, in: setup.directory, environment: setup.environment)
        #expect(result.stdout == plaintext)
        #expect(setup.leftovers == [])
    }

    @Test func theSpoolLimitIsConfigurable() throws {
        // 2 MiB, stored uncompressed (as `encrypt` writes): over a 1 MiB limit, under a 4 MiB one.
        let setup = try Setup()
        let data = [UInt8](repeating: 0x61, count: 2 << 20)
        let message = try setup.tool.run(["encrypt", "--no-armor", "cert"], input: data, in: setup.directory).stdout
        var environment = setup.environment
        environment["PGPMAIL_SOP_MAX_PLAINTEXT"] = "\(1 << 20)"
        let refused = try setup.tool.run(
            ["decrypt", "key"], input: message, in: setup.directory, environment: environment, expect: 41)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("PGPMAIL_SOP_MAX_PLAINTEXT"))
        environment["PGPMAIL_SOP_MAX_PLAINTEXT"] = "\(4 << 20)"
        let read = try setup.tool.run(
            ["decrypt", "key"], input: message, in: setup.directory, environment: environment)
        #expect(read.stdout == data)
        environment["PGPMAIL_SOP_MAX_PLAINTEXT"] = "lots"
        try setup.tool.run(
            ["decrypt", "key"], input: message, in: setup.directory, environment: environment, expect: 37)
        #expect(setup.leftovers == [])
    }

    #if os(Linux)
        @Test func theSpoolHasNoNameEvenWhileOpen() throws {
            // Decrypt from a standard input that stays open: the tool waits with its spool open.
            // The spool shows among its descriptors (Linux /proc) but not in the directory, and
            // killing the tool leaves nothing behind.
            let setup = try Setup()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: setup.tool.executable)
            process.arguments = ["decrypt", "key"]
            process.currentDirectoryURL = setup.directory.url
            process.environment = ProcessInfo.processInfo.environment.merging(setup.environment) { $1 }
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer {
                if process.isRunning { process.terminate() }
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
            }

            var spool: String?
            let descriptors = "/proc/\(process.processIdentifier)/fd"
            let temporaryPath = URL(fileURLWithPath: setup.temporary.path).resolvingSymlinksInPath().path
            // Wait (up to a minute, for a loaded machine) for the tool to open its spool.
            for _ in 0..<6000 where spool == nil && process.isRunning {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? [] {
                    if let target = try? FileManager.default.destinationOfSymbolicLink(
                        atPath: "\(descriptors)/\(name)"),
                        target.hasPrefix(temporaryPath + "/")
                    {
                        spool = target
                    }
                }
                if spool == nil { usleep(10_000) }
            }
            let open = try #require(spool, "the tool opened no file in its TMPDIR")
            #expect(open.hasSuffix("(deleted)"), "\(open)")
            #expect(setup.leftovers == [])
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(setup.leftovers == [])
        }
    #endif
}
