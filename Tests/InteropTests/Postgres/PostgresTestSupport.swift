import Foundation
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO
import TestSupport

/// Helpers for the tests of ``PostgresMailQueue`` against the private cluster.
enum PostgresTesting {
    /// A table name no other test uses.
    static func uniqueTable(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: .min ... .max))"
    }

    /// A client configuration for the shared cluster.
    static func configuration(_ cluster: PostgresCluster) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: "127.0.0.1", port: cluster.port, username: cluster.user, password: cluster.password,
            database: cluster.database, tls: .disable)
    }

    /// Runs `body` with a running client and a migrated queue in a fresh table (listening for
    /// `NOTIFY` if `listening`).
    static func withQueue<Result: Sendable>(
        prefix: String = "queue", table: String? = nil, listening: Bool = false,
        _ body: (PostgresMailQueue, PostgresClient) async throws -> Result
    ) async throws -> Result {
        let cluster = try PostgresCluster.shared()
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .error
        let client = PostgresClient(configuration: configuration(cluster), backgroundLogger: logger)
        let queue = try PostgresMailQueue(client: client, table: table ?? uniqueTable(prefix), logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            if listening {
                group.addTask { try await queue.run() }
            }
            defer { group.cancelAll() }
            try await queue.migrate()
            return try await body(queue, client)
        }
    }

    /// A small message with the header `X-Test-Number: number`.
    static func mail(number: Int) -> QueuedMail {
        QueueCrashTests.mail(number: number)
    }
}
