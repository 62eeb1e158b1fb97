import Mail
import NIOPosix
import SMTP

extension SMTPOutgoingMessage {
    /// Renders `message` to its final bytes once, signing and encrypting as it says, on NIO's
    /// blocking thread pool (never on Swift's cooperative pool), with the envelope
    /// `SMTPEnvelope(message)` unless one is given.
    ///
    /// The bytes are what every attempt sends: a retried message has the same Message-ID,
    /// the same ciphertext and signature, and `SIZE=` declares its exact size.
    public init(
        rendering message: MailMessage, envelope: SMTPEnvelope? = nil, threadPool: NIOThreadPool = .singleton
    ) async throws {
        let rendered = try await threadPool.runIfActive { try message.rendered() }
        self.init(rendered, envelope: envelope)
    }

    /// A message rendered once, with the envelope `SMTPEnvelope(rendered)` unless one is given.
    public init(_ rendered: RenderedMessage, envelope: SMTPEnvelope? = nil) {
        self.init(envelope: envelope ?? SMTPEnvelope(rendered), content: rendered.bytes)
    }
}

extension SMTPClient {
    /// Renders `message` once (see ``SMTP/SMTPOutgoingMessage/init(rendering:envelope:threadPool:)``)
    /// and sends it through the pool, retrying transient failures with the same bytes.
    ///
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: The `MailError` of a rendering problem (nothing is sent), or ``SMTP/SMTPError``.
    @discardableResult
    public func send(_ message: MailMessage, envelope: SMTPEnvelope? = nil) async throws -> SMTPDeliveryResult {
        let outgoing = try await SMTPOutgoingMessage(rendering: message, envelope: envelope)
        return try await self.send(envelope: outgoing.envelope, body: outgoing.content)
    }

    /// Sends a message rendered once (for example DKIM-signed after rendering), retrying
    /// transient failures with the same bytes.
    @discardableResult
    public func send(_ rendered: RenderedMessage, envelope: SMTPEnvelope? = nil) async throws -> SMTPDeliveryResult {
        try await self.send(envelope: envelope ?? SMTPEnvelope(rendered), body: rendered.bytes)
    }

    /// Renders and sends every message of `messages`, yielding one outcome per message in the
    /// order they finish. Rendering (signing, encryption) of the next messages runs on NIO's
    /// blocking thread pool, on every core, while the current ones are on the wire; at most
    /// `maximumInFlight` messages are rendered and not yet reported (see
    /// ``SMTP/SMTPClient/send(contentsOf:maximumInFlight:)``).
    public func send<Messages: AsyncSequence & Sendable>(
        contentsOf messages: Messages, maximumInFlight: Int? = nil
    ) -> SMTPBulkDeliveries where Messages.Element == MailMessage {
        self.send(contentsOf: messages, maximumInFlight: maximumInFlight) { message in
            try await SMTPOutgoingMessage(rendering: message)
        }
    }
}
