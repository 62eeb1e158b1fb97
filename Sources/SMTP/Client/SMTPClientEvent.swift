/// What happens in an ``SMTPClient``, from ``SMTPClient/events(bufferingNewest:)``.
public enum SMTPClientEvent: Sendable {
    /// A message was handed to the client (``SMTPClient/send(envelope:body:)`` was called).
    case queued(SMTPClient.DeliveryID)
    /// The server accepted the message.
    case sent(SMTPClient.DeliveryID, SMTPDeliveryResult, attempts: Int)
    /// An attempt failed transiently; the message is tried again after `delay`.
    case retrying(SMTPClient.DeliveryID, attempt: Int, delay: Duration, error: SMTPError)
    /// The message failed for good (the error holds the server's reply, if any).
    case failed(SMTPClient.DeliveryID, SMTPError, attempts: Int)
    /// A connection opened (greeted, past `EHLO`, TLS and `AUTH`).
    case connectionOpened(SMTPClient.ConnectionID)
    /// A connection could not be opened.
    case connectionFailed(SMTPClient.ConnectionID, SMTPError)
    /// A connection closed after carrying `messages` messages.
    case connectionClosed(SMTPClient.ConnectionID, messages: Int)
}

/// Running totals of an ``SMTPClient`` (``SMTPClient/statistics``).
public struct SMTPClientStatistics: Hashable, Sendable {
    /// Messages handed to the client.
    public var queued = 0
    /// Messages the server accepted.
    public var sent = 0
    /// Messages that failed for good.
    public var failed = 0
    /// Attempts that failed transiently and were retried.
    public var retried = 0
    /// Messages handed over and not yet sent or failed.
    public var inFlight = 0
    /// Connections opened so far.
    public var connectionsOpened = 0
    /// Connections open now.
    public var openConnections = 0
}
