import Foundation
import PGPMail
import PGPMailPostgres

/// The sample's settings, from the environment.
struct Settings {
    /// `DATABASE_URL`: postgres://user:password@host:port/database (and `?table=` for the queue).
    var database: PostgresQueueURL
    /// `SMTP_HOST`, `SMTP_PORT` (25), `SMTP_TLS` (`starttls` by default, or `none` for a local test server).
    var smtp: SMTPSession.Configuration
    /// `HTTP_HOST` (127.0.0.1) and `HTTP_PORT` (8080).
    var httpHost: String
    var httpPort: Int
    /// `MAIL_FROM`: the sender of the welcome messages.
    var sender: String

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let url = environment["DATABASE_URL"] else {
            throw Missing(description: "set DATABASE_URL=postgres://user:password@host:port/database")
        }
        self.database = try PostgresQueueURL(url)
        var smtp = SMTPSession.Configuration(
            host: environment["SMTP_HOST"] ?? "127.0.0.1", port: Int(environment["SMTP_PORT"] ?? "") ?? 25)
        smtp.tls = environment["SMTP_TLS"] == "none" ? .none : .startTLS(required: true)
        self.smtp = smtp
        self.httpHost = environment["HTTP_HOST"] ?? "127.0.0.1"
        self.httpPort = Int(environment["HTTP_PORT"] ?? "") ?? 8080
        self.sender = environment["MAIL_FROM"] ?? "welcome@example.org"
    }
}
