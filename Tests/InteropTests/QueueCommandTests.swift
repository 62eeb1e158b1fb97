import Foundation
import PGPMail
import SMTPTestServer
import TestSupport
import Testing

/// `pgpmail queue add|process|status`, the built executable, against the in-process SMTP test
/// server in clear text.
@Suite("pgpmail queue")
struct QueueCommandTests {
    @Test("add renders once, status counts, process --keep sends exactly the stored bytes")
    func addProcessKeepAndStatus() async throws {
        let files = try TemporaryDirectory(prefix: "queue")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let directory = files.file("queue").path
        let alice = try SecretKey.generate(userID: "Alice <alice@example.com>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let signKey = try files.write("alice.sec.asc", Array(try alice.armored().utf8)).path
        let bobCertificate = try files.write("bob.pub.asc", Array(bob.certificate.armored().utf8)).path
        let body = try files.write("body.txt", Array("Queued hello.\n".utf8)).path

        let additions: [[String]] = [
            ["--to", "bob@example.org", "--subject", "plain"],
            ["--to", "carol@example.org", "--to", "dave@example.org", "--cc", "erin@example.org"],
            ["--to", "bob@example.org", "--subject", "secret", "--sign-key", signKey, "--encrypt-to", bobCertificate],
        ]
        var ids: [MailQueueEntryID] = []
        for options in additions {
            let result = try await PGPMailExecutable.run(
                ["queue", "add", directory, "--from", "alice@example.com", "--body-file", body] + options)
            #expect(result.status == 0, "\(result.stderr)")
            let printed = result.stdoutText.trimmingCharacters(in: .newlines)
            #expect(printed.count == 26 && printed.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) })
            ids.append(try #require(MailQueueEntryID(printed), "\(printed)"))
        }
        let queued = try await Self.status(directory)
        #expect(queued["queued"] == "3" && queued["claimed"] == "0" && queued["sent"] == "0", "\(queued)")
        #expect(queued["oldest"] != "-" && queued["next-attempt"] != "-", "\(queued)")

        let queue = try DirectoryMailQueue(directory: directory)
        let stored = try ids.map { try #require(try queue.mail(of: $0)) }
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(
                ["queue", "process", directory, "--keep"] + PGPMailExecutable.serverArguments(port: server.port))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 3, failed: 0), "\(result.stdoutText)")

            // The server got exactly the stored bytes (rendered, signed and encrypted once, at `add`).
            let received = server.receivedMessages
            #expect(received.count == 3)
            for mail in stored {
                let message = try #require(received.first { $0.data == mail.content })
                #expect(message.recipients == mail.envelope.recipients.map(\.address))
                #expect(message.mailFrom == "alice@example.com")
            }
            let secret = try #require(received.first { $0.data == stored[2].content })
            let decrypted = try PGPMIME.decrypt(secret.data, using: [bob], verifyingWith: [alice.certificate])
            #expect(decrypted.openPGP.hasGoodSignature)
        }

        let status = try await Self.status(directory)
        #expect(status["queued"] == "0" && status["claimed"] == "0" && status["failed"] == "0", "\(status)")
        #expect(status["sent"] == "3" && status["oldest"] == "-" && status["next-attempt"] == "-", "\(status)")
        #expect(try queue.entries(in: .sent) == ids.sorted())
    }

    @Test("add '*' prints the rendered message and queues nothing")
    func addToStandardOutput() async throws {
        let files = try TemporaryDirectory(prefix: "queue")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let result = try await PGPMailExecutable.run(
            ["queue", "add", "*", "--from", "alice@example.com", "--to", "bob@example.org", "--subject", "Star"],
            in: files.url)
        #expect(result.status == 0, "\(result.stderr)")
        let firstLine = result.stdoutText.prefix { $0 != "\r\n" && $0 != "\n" }
        #expect(firstLine.first?.isLetter == true && firstLine.contains(": "), "\(result.stdoutText)")
        let message = try MIMEEntity.parse(result.stdout)
        #expect(message.header("Subject") == "Star")
        #expect(message.header("To") == "bob@example.org")
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.path).isEmpty, "no queue directory `*`")
    }

    @Test("a recipient refused with 550 fails the entry, with the reply as its reason")
    func permanentFailure() async throws {
        let files = try TemporaryDirectory(prefix: "queue")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let directory = files.file("queue").path
        let added = try await PGPMailExecutable.run(
            ["queue", "add", directory, "--from", "alice@example.com", "--to", "nobody@example.org"])
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(MailQueueEntryID(added.stdoutText.trimmingCharacters(in: .newlines)))
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .rcpt = command else { return nil }
            return .reply(550, "5.1.1 No such user here")
        }

        try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
            let result = try await PGPMailExecutable.run(
                ["queue", "process", directory] + PGPMailExecutable.serverArguments(port: server.port))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 0, failed: 1), "\(result.stdoutText)")
            #expect(result.stderr.contains("failed: \(id)"), "\(result.stderr)")
            #expect(server.receivedMessageCount == 0)
        }
        let status = try await Self.status(directory)
        #expect(status["failed"] == "1" && status["queued"] == "0" && status["claimed"] == "0", "\(status)")
        let reason = try DirectoryMailQueue(directory: directory).failureReason(of: id)
        #expect(reason?.contains("550") == true, "\(reason ?? "no reason")")
    }

    // MARK: - Helpers

    /// `queue status DIR` as a dictionary of its lines (`queued` → `3`).
    static func status(_ directory: String) async throws -> [String: String] {
        let result = try await PGPMailExecutable.run(["queue", "status", directory])
        #expect(result.status == 0, "\(result.stderr)")
        var fields: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }
}
