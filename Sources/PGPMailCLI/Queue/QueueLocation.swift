import ArgumentParser
import Foundation
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO

/// The `QUEUE` argument of `pgpmail queue`: a directory, or a PostgreSQL URL (also from
/// `PGPMAIL_QUEUE_URL` when the argument is left out).
enum QueueLocation {
    case directory(String)
    case postgres(PostgresQueueURL)

    /// The environment variable read when no `QUEUE` argument is given.
    static let environmentVariable = "PGPMAIL_QUEUE_URL"

    /// Parses the argument, or the environment variable when it is nil.
    init(argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let text = argument ?? environment[Self.environmentVariable], !text.isEmpty else {
            throw ValidationError("name a queue: a directory or postgres://…, or set \(Self.environmentVariable)")
        }
        if PostgresQueueURL.isPostgresURL(text) {
            self = .postgres(try PostgresQueueURL(text))
        } else {
            self = .directory(text)
        }
    }

    var isPostgres: Bool {
        if case .postgres = self { true } else { false }
    }

    /// Opens the queue and runs `body` with it. For PostgreSQL the client and the queue's
    /// `LISTEN` run meanwhile, and the table is created first if missing.
    func withQueue<Result: Sendable>(_ body: (any MailQueue) async throws -> Result) async throws -> Result {
        switch self {
        case .directory(let path):
            return try await body(try DirectoryMailQueue(directory: path))
        case .postgres(let url):
            var logger = Logger(label: "pgpmail.queue")
            logger.logLevel = .error
            try await url.checkConnection(logger: logger)
            var configuration = url.configuration
            configuration.options.maximumConnections = 4
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let queue = try PostgresMailQueue(client: client, table: url.table, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { try await queue.run() }
                defer { group.cancelAll() }
                try await queue.migrate()
                return try await body(queue)
            }
        }
    }
}
