import Foundation
import InMemoryTracing
import Instrumentation
import Metrics
import MetricsTestKit
import SMTPTestServer
import Testing

@testable import PGPMail

/// The worker's metrics and spans, with in-memory backends bootstrapped for this test process
/// (the only test here that bootstraps them).
@Suite("MailQueueWorker metrics and tracing")
struct WorkerObservabilityTests {
    /// Bootstrapped once per process, before any worker of this test is made.
    static let backends: (metrics: TestMetrics, tracer: InMemoryTracer) = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        let tracer = InMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return (metrics, tracer)
    }()

    @Test("a sent and a refused message: outcome counters, durations and one span each")
    func outcomesAreCountedAndTraced() async throws {
        let (metrics, tracer) = Self.backends
        let responder: SMTPTestServer.Responder = { command, _ in
            guard case .rcpt(let to, _) = command, to.contains("refused") else { return nil }
            return .reply(550, "5.1.1 No such user here")
        }
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            _ = try await queue.enqueue(sampleMail("sent"))
            _ = try await queue.enqueue(
                QueuedMail(
                    envelope: SMTPEnvelope(from: "alice@example.org", to: ["refused@example.org"]),
                    content: Array("Subject: refused\r\n\r\nrefused\r\n".utf8)))
            try await SMTPTestServer.withRunning(configuration: .init(responder: responder)) { server in
                var session = SMTPSession.Configuration(host: "127.0.0.1", port: server.port)
                session.tls = .none
                let client = SMTPClient(configuration: SMTPClient.Configuration(session: session))
                let worker = MailQueueWorker(queue: queue, client: client)
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
        let spans = tracer.finishedSpans.filter { $0.operationName == "pgpmail.queue.deliver" }
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
