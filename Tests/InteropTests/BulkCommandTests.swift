import Foundation
import PGPMail
import SMTPTestServer
import TestSupport
import Testing

/// `pgpmail bulk`, the built executable, against the in-process SMTP test server in clear text.
@Suite("pgpmail bulk")
struct BulkCommandTests {
    static let body = "Hello from the bulk test.\n"

    @Test("each message is encrypted to its own recipient only, and signed by the sender")
    func encryptsEachMessageToItsOwnRecipient() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let sender = try SecretKey.generate(userID: "Alice <alice@example.com>")
        let recipients = try (0..<30).map { try SecretKey.generate(userID: "R\($0) <r\($0)@example.org>") }
        let addresses = recipients.indices.map { "r\($0)@example.org" }
        var csv = "address,cert\n"
        for (index, key) in recipients.enumerated() {
            let certificate = try files.write("r\(index).asc", Array(key.certificate.armored().utf8))
            csv += "\(addresses[index]),\(certificate.path)\n"
        }
        let signKey = try files.write("alice.sec.asc", Array(try sender.armored().utf8)).path

        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(
                try Self.arguments(server, files, csv: csv) + ["--encrypt", "--sign-key", signKey])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 30, failed: 0), "\(result.stdoutText)")

            let messages = server.receivedMessages
            #expect(messages.count == 30)
            #expect(messages.flatMap(\.recipients).sorted() == addresses.sorted(), "one message per recipient")
            for message in messages {
                #expect(message.recipients.count == 1)
                let index = try #require(addresses.firstIndex(of: message.recipients[0]))
                let decrypted = try PGPMIME.decrypt(
                    message.data, using: [recipients[index]], verifyingWith: [sender.certificate])
                #expect(
                    decrypted.openPGP.signatures.contains {
                        $0.status == .good && $0.signerFingerprint == sender.fingerprint
                    })
                #expect(try decrypted.inner.decodedText() == Self.body)
                let otherKey = recipients[(index + 1) % recipients.count]
                #expect(throws: (any Error).self, "\(addresses[index])'s message opens with another key") {
                    try PGPMIME.decrypt(message.data, using: [otherKey, sender])
                }
            }
        }
    }

    @Test("with --encrypt a recipient without a certificate fails and gets nothing; the others are sent")
    func recipientWithoutCertificateFails() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let keys = try (0..<4).map { try SecretKey.generate(userID: "R\($0) <r\($0)@example.org>") }
        var csv = "address,cert\n"
        for (index, key) in keys.enumerated() {
            let path = index == 2 ? "" : try files.write("r\(index).asc", Array(key.certificate.armored().utf8)).path
            csv += "r\(index)@example.org,\(path)\n"
        }

        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(try Self.arguments(server, files, csv: csv) + ["--encrypt"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 3, failed: 1), "\(result.stdoutText)")
            #expect(result.stderr.contains("pgpmail bulk: failed: r2@example.org (line 4)"), "\(result.stderr)")
            let messages = server.receivedMessages
            #expect(messages.flatMap(\.recipients).sorted() == ["r0@example.org", "r1@example.org", "r3@example.org"])
            #expect(!messages.contains { $0.text.contains("r2@example.org") }, "nothing for r2, in any form")
            for message in messages {
                #expect(MIMEEntity.parseContentType(message.data) == "multipart/encrypted")
            }
        }
    }

    @Test("a recipient refused by the server fails; the others are delivered")
    func refusedRecipientFails() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let csv = "address,cert\nr0@example.org,\nrefused@example.org,\nr2@example.org,\nr3@example.org,\n"
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .rcpt(let to, _) = command, to == "refused@example.org" else { return nil }
            return .reply(550, "5.1.1 No such user")
        }

        try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
            let result = try await PGPMailExecutable.run(try Self.arguments(server, files, csv: csv))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 3, failed: 1), "\(result.stdoutText)")
            #expect(result.stderr.contains("pgpmail bulk: failed: refused@example.org (line 3)"), "\(result.stderr)")
            #expect(result.stderr.contains("550"), "\(result.stderr)")
            let recipients = server.receivedMessages.flatMap(\.recipients).sorted()
            #expect(recipients == ["r0@example.org", "r2@example.org", "r3@example.org"])
        }
    }

    @Test(
        "a malformed recipients file is a usage error naming the file and line",
        arguments: [
            ("bob@example.org,\n", "the first line must be the header 'address,cert'"),
            ("address,cert\nbob@example.org,,extra\n", "line 2: expected 2 fields (address,cert), found 3"),
            ("address,cert\n\nbob@example.org,\"cert.asc\n", "line 3: a quoted field is not closed"),
            ("", "is empty"),
        ])
    func malformedRecipientsFile(csv: String, message: String) async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(try Self.arguments(server, files, csv: csv))
            #expect(result.status == 2, "\(result.stderr)")
            let path = files.file("recipients.csv").path
            #expect(result.stderr.contains(path), "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(server.connectionCount == 0)
        }
    }

    @Test("quoted fields may hold commas and doubled quotes")
    func quotedFields() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        // A certificate path with a comma and a quote in it.
        let certificate = try files.write("bob \"key\", v1.asc", Array(bob.certificate.armored().utf8)).path
        let quotedPath = certificate.replacingOccurrences(of: "\"", with: "\"\"")
        let csv = """
            "address" , "cert"
            \"""Smith, Bob"" <bob@example.org>","\(quotedPath)"
            "carol@example.org",

            """
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(try Self.arguments(server, files, csv: csv) + ["--encrypt"])
            #expect(result.status == 1, "carol has no certificate: \(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 1, failed: 1), "\(result.stdoutText)")
            #expect(result.stderr.contains("failed: carol@example.org (line 3)"), "\(result.stderr)")
            let message = try #require(server.receivedMessages.first)
            #expect(message.recipients == ["bob@example.org"])
            let to = try MIMEEntity.parse(message.data).addresses("To")
            #expect(to.map(\.displayName) == ["Smith, Bob"])
            #expect(to.map(\.addrSpec) == ["bob@example.org"])
            #expect(try PGPMIME.decrypt(message.data, using: [bob]).inner.decodedText() == Self.body)
        }
    }

    @Test("a recipients file with CRLF line endings is read as with LF")
    func crlfLineEndings() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let csv = "address,cert\r\nr0@example.org,\r\nr1@example.org,\r\n"
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(try Self.arguments(server, files, csv: csv))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 2, failed: 0))
        }
    }

    @Test("the pool opens at most --connections at once and replaces each after its messages")
    func poolLimits() async throws {
        let files = try TemporaryDirectory(prefix: "bulk")
        defer { withExtendedLifetime(files) {} }  // removed on deinit
        let csv = "address,cert\n" + (0..<20).map { "r\($0)@example.org,\n" }.joined()
        try await SMTPTestServer.withRunning { server in
            let result = try await PGPMailExecutable.run(
                try Self.arguments(server, files, csv: csv) + [
                    "--connections", "2", "--max-messages-per-connection", "5",
                ]
            )
            #expect(result.status == 0, "\(result.stderr)")
            #expect(DeliverySummary(result.stdoutText) == DeliverySummary(sent: 20, failed: 0), "\(result.stdoutText)")
            #expect(server.receivedMessageCount == 20)
            #expect(server.connectionCount >= 4, "20 messages, at most 5 per connection")
            // The client opens a replacement only once the retired connection has closed (after
            // QUIT's reply), but the server may accept the new connection a moment before it
            // notices the old one's end: at most one connection more is seen at that instant.
            #expect(server.maximumConcurrentConnections <= 3)
            let perConnection = Dictionary(grouping: server.receivedMessages, by: \.connectionNumber)
            #expect(perConnection.values.allSatisfy { $0.count <= 5 }, "\(perConnection.mapValues(\.count))")
        }
    }

    // MARK: - Helpers

    /// `bulk` to `server` with the recipients file `csv` (written as recipients.csv) and a small body.
    static func arguments(_ server: SMTPTestServer, _ files: TemporaryDirectory, csv: String) throws -> [String] {
        ["bulk"] + PGPMailExecutable.serverArguments(port: server.port) + [
            "--from", "Alice <alice@example.com>", "--subject", "Bulk test",
            "--recipients", try files.write("recipients.csv", Array(csv.utf8)).path,
            "--body-file", try files.write("body.txt", Array(body.utf8)).path,
        ]
    }
}

extension MIMEEntity {
    /// The MIME type of a message, nil if it does not parse.
    static func parseContentType(_ bytes: [UInt8]) -> String? {
        try? parse(bytes).contentType.mimeType
    }
}
