import Metrics

/// The client's swift-metrics instruments. They cost nothing until the application
/// bootstraps a metrics backend (`MetricsSystem.bootstrap`).
struct SMTPClientMetrics: Sendable {
    let sent: Counter
    let failed: Counter
    let retried: Counter
    let latency: Metrics.Timer
    let openConnections: Gauge

    init(server: String) {
        let dimensions = [("server", server)]
        self.sent = Counter(label: "pgpmail_smtp_messages_sent_total", dimensions: dimensions)
        self.failed = Counter(label: "pgpmail_smtp_messages_failed_total", dimensions: dimensions)
        self.retried = Counter(label: "pgpmail_smtp_attempts_retried_total", dimensions: dimensions)
        self.latency = Metrics.Timer(label: "pgpmail_smtp_delivery_duration", dimensions: dimensions)
        self.openConnections = Gauge(label: "pgpmail_smtp_open_connections", dimensions: dimensions)
    }
}
