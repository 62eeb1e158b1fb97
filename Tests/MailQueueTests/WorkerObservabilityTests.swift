import Foundation
import InMemoryTracing
import Instrumentation
import Metrics
import MetricsTestKit
import SMTPTestServer
import Testing

@testable import PGPMail

/// The worker's metrics (through a factory of its own) and spans (through an in-memory tracer
/// bootstrapped for the whole test process: other tests' spans land there too, so this test
/// looks only at its own entries).
@Suite("MailQueueWorker metrics and tracing")
struct WorkerObservabilityTests {
    /// Bootstrapped once per process.
    static let tracer: InMemoryTracer = {
        let tracer = InMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    @Test("a sent and a refused message: outcome counters, durations and one span each")
    func outcomesAreCountedAndTraced() async throws {
        let metrics = TestMetrics()
        let tracer = Self.tracer
        var ids: Set<String> = []
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .rcpt(let to, _) = command, to.contains("refused") else { return nil }
            return .reply(550, "5.1.1 No such user here")
        }
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            ids.insert(try await queue.enqueue(sampleMail("sent")).rawValue)
            let refused = try await queue.enqueue(
                QueuedMail(
                    envelope: SMTPEnvelope(from: "alice@example.org", to: ["refused@example.org"]),
                    content: Array("Subject: refused\r\n\r\nrefused\r\n".utf8)))
            ids.insert(refused.rawValue)
            try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
                var session = SMTPSession.Configuration(host: "127.0.0.1", port: server.port)
                session.tls = .none
                let client = SMTPClient(configuration: SMTPClient.Configuration(session: session))
                let worker = MailQueueWorker(queue: queue, client: client, metricsFactory: metrics)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await client.run() }
                    try await worker.run(until: .drained)
                    client.beginGracefulShutdown()
                    try await group.waitForAll()
                }
            }
        }
        let label = "pgpmail_queue_outcomes_total"
        #expect(try metrics.expectCounter(label, [("outcome", "sent")]).totalValue == 1)
        #expect(try metrics.expectCounter(label, [("outcome", "failed")]).totalValue == 1)
        #expect(try metrics.expectTimer("pgpmail_queue_delivery_duration").values.count == 2)
        let spans = tracer.finishedSpans.filter { span in
            guard span.operationName == "pgpmail.queue.deliver",
                case .string(let id) = span.attributes["pgpmail.queue.entry_id"]?.toSpanAttribute()
            else { return false }
            return ids.contains(id)
        }
        #expect(spans.count == 2)
        let outcomes = spans.compactMap { span -> String? in
            guard case .string(let outcome) = span.attributes["pgpmail.queue.outcome"]?.toSpanAttribute() else {
                return nil
            }
            return outcome
        }
        #expect(outcomes.sorted() == ["failed", "sent"], "\(outcomes)")
        #expect(spans.allSatisfy { $0.kind == .client })
    }
}
