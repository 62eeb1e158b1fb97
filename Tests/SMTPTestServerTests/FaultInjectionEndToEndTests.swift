import Testing

@testable import SMTPTestServer

@Suite("Fault injection over TCP")
struct FaultInjectionEndToEndTests {
    /// What one attempt to send a message told the client.
    enum Outcome: Hashable {
        /// The final reply was `250`.
        case delivered
        /// A reply before the content, or the final reply, was negative, or the connection
        /// closed before the content was sent: the message cannot have arrived.
        case notDelivered
        /// The connection closed after the content was sent, before the final reply.
        case unknown
    }

    /// Sends message `id` step by step on a new connection, stopping at the first failure.
    private func attempt(_ id: Int, port: Int) -> Outcome {
        guard let client = try? RawSMTPClient(port: port) else { return .notDelivered }
        for (line, expected) in [
            (nil, "220"), ("EHLO f.test", "250"), ("MAIL FROM:<a@example.org>", "250"),
            ("RCPT TO:<b@example.org>", "250"), ("DATA", "354"),
        ] {
            do {
                if let line { try client.send(line + "\r\n") }
                guard try client.readReply().last?.hasPrefix(expected) == true else { return .notDelivered }
            } catch {
                return .notDelivered
            }
        }
        do {
            try client.send("Message-Number: \(id)\r\n\r\nBody of message \(id).\r\n.\r\n")
            let final = try client.readReply()
            return final.last?.hasPrefix("250") == true ? .delivered : .notDelivered
        } catch {
            return .unknown
        }
    }

    @Test func serverCountsEveryMessageTheClientCouldHaveDelivered() async throws {
        let plan = SMTPTestServer.FaultInjection(
            seed: 2024, disconnect: 0.03, dropDuringData: 0.1, dropAfterOctets: 0...20, acceptThenDisconnect: 0.1,
            serviceUnavailable: 0.03, transientFailure: 0.05, permanentFailure: 0.05, stall: 0.05,
            stallDuration: .zero ... .milliseconds(10))
        let configuration = SMTPTestServer.Configuration(responder: plan.responder())
        try await SMTPTestServer.withRunning(configuration: configuration) { server in
            let outcomes = (1...300).map { attempt($0, port: server.port) }
            // Every connection is over once the server has noticed every close.
            while server.openConnectionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }

            var recorded: [Int: [SMTPTestServer.ReceivedMessage]] = [:]
            for message in server.receivedMessages {
                let id = Int(message.text.split(separator: "\r\n").first?.split(separator: " ").last ?? "")
                recorded[id ?? 0, default: []].append(message)
            }
            #expect(server.receivedMessageCount == recorded.values.reduce(0) { $0 + $1.count })
            for (index, outcome) in outcomes.enumerated() {
                let copies = recorded[index + 1] ?? []
                switch outcome {
                case .delivered:
                    #expect(copies.map(\.wasAcknowledged) == [true], "message \(index + 1)")
                case .notDelivered:
                    #expect(copies.isEmpty, "message \(index + 1)")
                case .unknown:
                    #expect(copies.allSatisfy { !$0.wasAcknowledged } && copies.count <= 1, "message \(index + 1)")
                }
            }
            #expect(recorded[0] == nil)
            // The seed and rates make every kind of outcome happen.
            #expect(Set(outcomes) == [.delivered, .notDelivered, .unknown])
            #expect(server.receivedMessages.contains { !$0.wasAcknowledged })
        }
    }
}
