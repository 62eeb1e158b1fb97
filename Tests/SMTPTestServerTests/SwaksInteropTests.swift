import Foundation
import Testing

@testable import SMTPTestServer

/// Runs the real `swaks` client against the server. Outside CI the test is skipped when swaks
/// is not installed; in CI (`CI` set) it runs and fails without it.
@Suite("Interop with swaks")
struct SwaksInteropTests {
    static let swaksPath = "/usr/bin/swaks"
    static let runs =
        FileManager.default.isExecutableFile(atPath: swaksPath)
        || ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.enabled(if: runs, "swaks is not installed"), arguments: [false, true])
    func swaksDeliversAMessage(pipelining: Bool) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.swaksPath), "swaks is required in CI")
        try await SMTPTestServer.withRunning { server in
            let arguments =
                [
                    "--server", server.host, "--port", "\(server.port)",
                    "--helo", "swaks.test", "--from", "sender@example.org", "--to", "rcpt@example.org",
                    "--header", "Subject: from swaks",
                    "--body", "first line\n.leading dot\nlast line",
                ] + (pipelining ? ["--pipeline"] : [])
            let (status, output) = try Self.run(Self.swaksPath, arguments)
            #expect(status == 0, "swaks failed:\n\(output)")

            let message = try await server.nextMessage()
            #expect(message.heloName == "swaks.test")
            #expect(message.usedEHLO)
            #expect(message.mailFrom == "sender@example.org")
            #expect(message.recipients == ["rcpt@example.org"])
            #expect(message.text.contains("Subject: from swaks\r\n"))
            #expect(message.text.contains("\r\nfirst line\r\n.leading dot\r\nlast line\r\n"))
            #expect(!message.hadBareLineEndings)
            let transcript = try #require(server.transcripts.first)
            #expect(transcript.commands.first == "EHLO swaks.test")
            #expect(transcript.commands.last == "QUIT")
            if pipelining {
                #expect(transcript.pipelinedCommands.contains("MAIL FROM:<sender@example.org>"))
            }
        }
    }

    /// Runs `executable` and returns its exit status with stdout and stderr combined.
    private static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
