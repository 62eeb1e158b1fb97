// A Hummingbird application that uses PGPMail as a transactional outbox:
//
//   POST /signups {"email": "ada@example.org", "name": "Ada"}
//
// stores a row in the application's `signups` table and queues a welcome message in the same
// PostgreSQL transaction; a MailQueueWorker in the same process delivers it over SMTP. The
// PostgreSQL client, the SMTP client, the queue's LISTEN, the worker and the HTTP server are
// ServiceLifecycle services in one group: SIGTERM stops the HTTP server first, then the worker
// finishes the messages in flight and reports them (no lease is left behind), then the clients
// close.
//
//   DATABASE_URL=postgres://app:secret@127.0.0.1:5432/app SMTP_HOST=mail.example.org \
//   swift run OutboxServer
import Foundation
import Hummingbird
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO
import ServiceLifecycle

var logger = Logger(label: "outbox-server")
logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
let settings: Settings
do {
    settings = try Settings()
} catch {
    FileHandle.standardError.write(Data("OutboxServer: \(error)\n".utf8))
    exit(2)
}

let postgres = PostgresClient(configuration: settings.database.configuration, backgroundLogger: logger)
let queue = try PostgresMailQueue(client: postgres, table: settings.database.table, logger: logger)
let smtp = SMTPClient(configuration: SMTPClient.Configuration(session: settings.smtp), logger: logger)
var workerConfiguration = MailQueueWorker.Configuration()
workerConfiguration.pollInterval = .seconds(5)  // New entries wake the worker at once (NOTIFY).
// Until the migration below has run, the worker's queries fail; the service logs them and starts again.
let worker = MailQueueWorker(queue: queue, client: smtp, configuration: workerConfiguration, logger: logger)

let router = Router()
SignupRoutes(postgres: postgres, queue: queue, sender: settings.sender, logger: logger).add(to: router)
var app = Application(
    router: router,
    configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "OutboxServer"),
    logger: logger)
app.beforeServerStarts {
    try await queue.migrate()
    try await postgres.query(PostgresQuery(unsafeSQL: SignupRoutes.schema), logger: logger)
}

// Started in this order and shut down in the reverse one.
let services = ServiceGroup(
    configuration: .init(
        services: [
            .init(service: postgres), .init(service: smtp), .init(service: queue), .init(service: worker),
            .init(service: app),
        ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
try await services.run()
