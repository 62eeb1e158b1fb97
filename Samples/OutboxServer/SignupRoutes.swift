import Foundation
import Hummingbird
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO

/// `POST /signups` with `{"email": …, "name": …}`: stores the signup and queues its welcome
/// message in one transaction, so that there is never a signup without its message, nor a
/// message for a signup that was rolled back. The queue worker delivers it later.
struct SignupRoutes: Sendable {
    let postgres: PostgresClient
    let queue: PostgresMailQueue
    let sender: String
    let logger: Logger

    struct Signup: Decodable {
        var email: String
        var name: String
    }

    struct Accepted: ResponseEncodable {
        var signup: Int64
        var queueEntry: String
    }

    /// The application's own table.
    static let schema = """
        CREATE TABLE IF NOT EXISTS signups (
            id bigserial PRIMARY KEY,
            email text NOT NULL,
            name text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """

    func add(to router: Router<BasicRequestContext>) {
        router.post("signups") { request, context -> EditedResponse<Accepted> in
            let signup = try await request.decode(as: Signup.self, context: context)
            let accepted = try await self.store(signup)
            return EditedResponse(status: .accepted, response: accepted)
        }
    }

    private func store(_ signup: Signup) async throws -> Accepted {
        do {
            return try await self.postgres.withTransaction(logger: self.logger) { connection in
                let rows = try await connection.query(
                    "INSERT INTO signups (email, name) VALUES (\(signup.email), \(signup.name)) RETURNING id",
                    logger: self.logger)
                var id: Int64 = 0
                for try await value in rows.decode(Int64.self) { id = value }
                // An address the message cannot carry throws here and rolls the signup back.
                let message = try MailMessage(
                    from: self.sender, to: signup.email, subject: "Welcome, \(signup.name)",
                    body: "Hello \(signup.name),\n\nyour signup number is \(id).\n")
                let entry = try await self.queue.enqueue(
                    SMTPOutgoingMessage(try message.rendered()), idempotencyKey: "signup-\(id)", on: connection)
                return Accepted(signup: id, queueEntry: entry.rawValue)
            }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError as? MailError {
                throw HTTPError(.unprocessableContent, message: "the signup was not stored: \(closureError)")
            }
            throw error
        }
    }
}
