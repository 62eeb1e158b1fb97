import Testing

@testable import SMTPTestServer

@Suite("Server over TCP")
struct EndToEndTests {
    @Test func deliversAMessageSentStepByStep() async throws {
        try await SMTPTestServer.withRunning { server in
            let client = try RawSMTPClient(port: server.port)
            #expect(try client.readReply() == ["220 pgpmail.test ESMTP PGPMail test server"])
            #expect(try client.command("EHLO client.test").last == "250 SIZE 52428800")
            #expect(
                try client.command("MAIL FROM:<alice@example.org> BODY=8BITMIME") == [
                    "250 2.1.0 Sender <alice@example.org> OK"
                ])
            #expect(try client.command("RCPT TO:<bob@example.org>") == ["250 2.1.5 Recipient <bob@example.org> OK"])
            #expect(try client.command("DATA") == ["354 End data with <CR><LF>.<CR><LF>"])
            try client.send("Subject: test\r\n\r\n..stuffed\r\nplain\r\n.\r\n")
            #expect(try client.readReply() == ["250 2.0.0 Ok: queued as 1.1"])
            #expect(try client.command("QUIT") == ["221 2.0.0 pgpmail.test closing connection"])
            #expect(try client.readUntilClosed().isEmpty)

            let message = try await server.nextMessage()
            #expect(message.connectionNumber == 1)
            #expect(message.heloName == "client.test")
            #expect(message.usedEHLO)
            #expect(message.mailFrom == "alice@example.org")
            #expect(message.mailParameters == [.init("BODY", value: "8BITMIME")])
            #expect(message.recipients == ["bob@example.org"])
            #expect(message.text == "Subject: test\r\n\r\n.stuffed\r\nplain\r\n")
            #expect(!message.hadBareLineEndings && !message.hadOverlongLines && !message.containsEightBitData)
            #expect(server.receivedMessages == [message])

            let transcript = try #require(server.transcripts.first)
            #expect(
                transcript.commands == [
                    "EHLO client.test", "MAIL FROM:<alice@example.org> BODY=8BITMIME", "RCPT TO:<bob@example.org>",
                    "DATA", "QUIT",
                ])
            #expect(transcript.pipelinedCommands.isEmpty)
            #expect(transcript.lines.contains(.messageContent(octets: 35, complete: true)))
            #expect(transcript.replies.first == "220 pgpmail.test ESMTP PGPMail test server")
            #expect(server.connectionCount == 1)
        }
    }

    @Test func answersAPipelinedBurstInOrder() async throws {
        try await SMTPTestServer.withRunning { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            try client.send(
                "EHLO burst.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<broken>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
            )
            let replies = try client.readReplies(6)
            #expect(
                replies.dropFirst().map { $0.joined(separator: "\n") } == [
                    "250 2.1.0 Sender <> OK",
                    "250 2.1.5 Recipient <a@example.org> OK",
                    "501 5.1.3 Bad recipient address syntax",
                    "250 2.1.5 Recipient <b@example.org> OK",
                    "354 End data with <CR><LF>.<CR><LF>",
                ])
            // RFC 2920: after the content, the next commands may follow in the same write.
            try client.send("line one\r\n.\r\nRSET\r\nQUIT\r\n")
            #expect(
                try client.readReplies(3).map(\.last) == [
                    "250 2.0.0 Ok: queued as 1.1", "250 2.0.0 Reset state", "221 2.0.0 pgpmail.test closing connection",
                ])

            let message = try await server.nextMessage()
            #expect(message.mailFrom == "")
            #expect(message.recipients == ["a@example.org", "b@example.org"])
            #expect(message.text == "line one\r\n")
            let transcript = try #require(server.transcripts.first)
            #expect(
                transcript.pipelinedCommands == [
                    "EHLO burst.test", "MAIL FROM:<>", "RCPT TO:<a@example.org>", "RCPT TO:<broken>",
                    "RCPT TO:<b@example.org>",
                    "RSET",
                ])
        }
    }

    @Test func keepsLargeContentByteExact() async throws {
        var content: [UInt8] = []
        var stuffed: [UInt8] = []
        for index in 0..<2_000 {
            var line = Array("line \(index) ".utf8)
            if index % 7 == 0 { line.insert(UInt8(ascii: "."), at: 0) }
            if index % 100 == 0 { line += [UInt8](repeating: UInt8(ascii: "x"), count: 9_000) }
            if index % 3 == 0 { line += Array("Grüße".utf8) }
            content += line + [13, 10]
            stuffed += (line.first == UInt8(ascii: ".") ? [UInt8(ascii: ".")] : []) + line + [13, 10]
        }
        try await SMTPTestServer.withRunning { server in
            let client = try RawSMTPClient(port: server.port)
            _ = try client.readReply()
            try client.send("EHLO big.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
            #expect(try client.readReplies(4).last == ["354 End data with <CR><LF>.<CR><LF>"])
            try client.send(bytes: stuffed + Array(".\r\n".utf8))
            #expect(try client.readReply() == ["250 2.0.0 Ok: queued as 1.1"])

            let message = try await server.nextMessage()
            #expect(message.data == content)
            #expect(message.hadOverlongLines)
            #expect(message.containsEightBitData)
            #expect(!message.hadBareLineEndings)
        }
    }

    @Test func dropsTheConnectionInTheMiddleOfData() async throws {
        let configuration = SMTPTestServer.Configuration(responder: { command, context in
            command == .data && context.connectionNumber == 1 ? .dropDuringData(afterOctets: 100) : nil
        })
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let body = String(repeating: String(repeating: "z", count: 48) + "\r\n", count: 20)

            let first = try RawSMTPClient(port: server.port)
            _ = try first.readReply()
            try first.send("HELO drop.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
            #expect(try first.readReplies(4).last == ["354 End data with <CR><LF>.<CR><LF>"])
            try first.send(body)
            #expect(try first.readUntilClosed().isEmpty)

            let second = try RawSMTPClient(port: server.port)
            _ = try second.readReply()
            try second.send("HELO retry.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
            _ = try second.readReplies(4)
            try second.send(body + ".\r\n")
            #expect(try second.readReply() == ["250 2.0.0 Ok: queued as 2.1"])

            let message = try await server.nextMessage()
            #expect(message.connectionNumber == 2)
            #expect(message.data.count == 1_000)
            #expect(server.receivedMessages.count == 1)
            #expect(server.transcripts.first?.lines.last == .messageContent(octets: 100, complete: false))
        }
    }

    @Test func servesConcurrentConnections() async throws {
        try await SMTPTestServer.withRunning { server in
            let clients = try (1...6).map { _ in try RawSMTPClient(port: server.port) }
            for (index, client) in clients.enumerated() {
                _ = try client.readReply()
                #expect(
                    try client.command("EHLO c\(index + 1).test").first == "250-pgpmail.test greets c\(index + 1).test")
            }
            #expect(server.openConnectionCount == 6)
            #expect(server.maximumConcurrentConnections == 6)

            for round in 1...5 {
                for (index, client) in clients.enumerated() {
                    try client.send(
                        "MAIL FROM:<c\(index + 1)@example.org>\r\nRCPT TO:<r\(round)@example.org>\r\nDATA\r\n")
                }
                for client in clients {
                    #expect(try client.readReplies(3).last == ["354 End data with <CR><LF>.<CR><LF>"])
                }
                for (index, client) in clients.enumerated() {
                    try client.send("round \(round) from client \(index + 1)\r\n.\r\n")
                }
                for client in clients {
                    #expect(try client.readReply().first?.hasPrefix("250 2.0.0 Ok: queued as ") == true)
                }
            }
            for client in clients { _ = try client.command("QUIT") }

            let messages = try await server.waitForMessages(count: 30)
            #expect(messages.count == 30)
            for number in 1...6 {
                let theirs = messages.filter { $0.connectionNumber == number }
                #expect(theirs.map(\.queueID) == (1...5).map { "\(number).\($0)" })
                #expect(Set(theirs.map(\.mailFrom)).count == 1)
                #expect(theirs.map(\.recipients) == (1...5).map { ["r\($0)@example.org"] })
            }
            #expect(server.connectionCount == 6)
        }
    }
}
