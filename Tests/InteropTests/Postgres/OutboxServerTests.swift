import Foundation
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO
import SMTPTestServer
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sample Hummingbird application (Samples/OutboxServer) against the private PostgreSQL
/// cluster and the test SMTP server.
@Suite("OutboxServer sample application")
struct OutboxServerTests {
    @Test("POST stores the signup and its message in one transaction; SIGTERM lets the send in flight finish")
    func signupIsMailedAndShutdownIsGraceful() async throws {
        let cluster = try PostgresCluster.shared()
        let table = PostgresTesting.uniqueTable("outbox")
        let mailStarted = Locked(false)
        // The message's final reply comes 1.5 s late, so that SIGTERM arrives while it is in flight.
        let responder: SMTPTestServer.Responder = { command, _ in
            switch command {
            case .mail:
                mailStarted.withLock { $0 = true }
                return nil
            case .endOfData:
                return .delay(.milliseconds(1500))
            default:
                return nil
            }
        }
        try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
            let httpPort = try ExternalProcess.freePort()
            let executable = try #require(
                DemoInteropTests.builtExecutable("OutboxServer"), "OutboxServer was not built next to the tests")
            let app = try ChildProcess(
                executable: executable.path, [],
                environment: [
                    "DATABASE_URL": cluster.url(table: table), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "\(server.port)",
                    "SMTP_TLS": "none", "HTTP_PORT": "\(httpPort)", "MAIL_FROM": "welcome@shop.test",
                ])
            let base = "http://127.0.0.1:\(httpPort)"
            try await Self.waitUntilListening(base, app: app)

            let garbled = try await Self.post(base + "/signups", body: "{not json")
            #expect(garbled.status == 400)
            let badAddress = try await Self.post(base + "/signups", body: #"{"email": "no address", "name": "X"}"#)
            #expect(badAddress.status == 422, "\(badAddress.body)")
            let accepted = try await Self.post(base + "/signups", body: #"{"email": "ada@example.org", "name": "Ada"}"#)
            #expect(accepted.status == 202, "\(accepted.body)")

            let deadline = ContinuousClock.now + .seconds(30)
            while !mailStarted.current, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(mailStarted.current, "the worker started sending")
            app.send(SIGTERM)
            let (result, killed) = await app.wait()
            #expect(!killed && result.status == 0, "exited \(result.status): \(result.stderr)")
            #expect(server.receivedMessageCount == 1, "the message in flight was finished before exit")
            #expect(server.receivedMessages.first?.text.contains("Subject: Welcome, Ada") == true)

            try await PostgresTesting.withQueue(table: table) { queue, client in
                let status = try await queue.status()
                #expect(status.counts.values.allSatisfy { $0 == 0 }, "delivered and reported: \(status.counts)")
                let rows = try await client.query("SELECT email FROM signups ORDER BY id", logger: Logger(label: "t"))
                var emails: [String] = []
                for try await email in rows.decode(String.self) { emails.append(email) }
                #expect(emails == ["ada@example.org"], "the refused signup was rolled back")
            }
        }
    }

    static func waitUntilListening(_ base: String, app: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await Self.post(base + "/signups", body: "")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        app.send(SIGKILL)
        let (result, _) = await app.wait()
        Issue.record("OutboxServer did not start listening: \(result.stderr)")
        throw CancellationError()
    }

    static func post(_ url: String, body: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
