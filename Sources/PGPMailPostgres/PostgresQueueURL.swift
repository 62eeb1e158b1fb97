import Foundation
import Logging
import NIOSSL
import PGPMail
import PostgresNIO

/// Where a ``PostgresMailQueue`` lives, parsed from a URL:
/// `postgres://user:password@host:port/database?sslmode=…&table=…`.
///
/// - `postgres://` or `postgresql://`; the port defaults to 5432, the database to the user name.
/// - User and password are percent-decoded; the password may be left out (trust or peer authentication).
/// - `sslmode`: `disable`, `prefer` (the default: TLS if the server offers it, unverified), `require` (TLS,
///   unverified, as libpq's `require`) or `verify-full` (TLS with the system's trust roots and the host name).
/// - `table`: the queue table (default `pgpmail_queue`), optionally schema-qualified.
public struct PostgresQueueURL: Sendable {
    /// The client configuration (host, port, user, password, database, TLS).
    public var configuration: PostgresClient.Configuration
    /// The queue table.
    public var table: String
    /// The same server as a single connection's configuration (``checkConnection(logger:)``).
    var connectionConfiguration: PostgresConnection.Configuration

    /// Whether `text` looks like a PostgreSQL URL (and not a directory).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`.
    ///
    /// - Throws: ``PGPMail/MailQueueError/Code/invalidQueue`` naming what is wrong (the password is never
    ///   repeated in the message).
    public init(_ text: String) throws(MailQueueError) {
        func invalid(_ reason: String) -> MailQueueError {
            MailQueueError(.invalidQueue, "the queue URL cannot be used: \(reason)")
        }
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw invalid("no host")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw invalid("no user name")
        }
        let password = components.password.flatMap { $0.removingPercentEncoding }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw invalid("port \(port) is out of range")
        }
        var database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        if database.isEmpty {
            database = user
        }
        var table = "pgpmail_queue"
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        var tls: PostgresClient.Configuration.TLS = .prefer(unverified)
        var connectionTLS: TLSConfiguration? = unverified
        var requireTLS = false
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("table", let value):
                guard PostgresMailQueue.quotedIdentifier(value) != nil else {
                    throw invalid("\(value) is not a usable table name")
                }
                table = value
            case ("sslmode", "disable"):
                (tls, connectionTLS) = (.disable, nil)
            case ("sslmode", "prefer"), ("sslmode", "allow"):
                (tls, connectionTLS, requireTLS) = (.prefer(unverified), unverified, false)
            case ("sslmode", "require"):
                (tls, connectionTLS, requireTLS) = (.require(unverified), unverified, true)
            case ("sslmode", "verify-full"):
                (tls, connectionTLS, requireTLS) = (
                    .require(.makeClientConfiguration()), .makeClientConfiguration(), true
                )
            case ("sslmode", let value):
                throw invalid("sslmode \(value) is not one of disable, prefer, require, verify-full")
            case (let name, _):
                throw invalid("unknown parameter \(name)")
            }
        }
        self.configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        self.table = table
        let connectionTLSMode: PostgresConnection.Configuration.TLS
        do {
            connectionTLSMode =
                try connectionTLS.map {
                    requireTLS
                        ? .require(try NIOSSLContext(configuration: $0)) : .prefer(try NIOSSLContext(configuration: $0))
                } ?? .disable
        } catch {
            throw MailQueueError(
                .invalidQueue, "the queue URL's TLS settings cannot be used: \(error)", underlyingError: error)
        }
        self.connectionConfiguration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: connectionTLSMode)
    }

    /// Opens and closes one connection, so that a wrong address, password or database is
    /// reported at once with the server's reason, not after a connection pool gives up.
    public func checkConnection(logger: Logger) async throws(MailQueueError) {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: self.connectionConfiguration, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError {
            let reason = error.serverInfo?[.message] ?? "\(error.code)"
            throw MailQueueError(
                .database, "cannot connect to the queue database at \(self.configuration.host ?? "?"): \(reason)",
                underlyingError: error)
        } catch {
            throw MailQueueError(
                .database, "cannot connect to the queue database at \(self.configuration.host ?? "?"): \(error)",
                underlyingError: error)
        }
    }
}
