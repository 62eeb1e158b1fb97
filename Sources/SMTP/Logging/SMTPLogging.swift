import Logging
import NIOConcurrencyHelpers

/// The metadata keys an ``SMTPSession`` logs with, so that log pipelines can rely on them.
public enum SMTPLoggingMetadataKey {
    /// The server as `host:port`.
    public static let server = "smtp.server"
    /// A number that identifies one connection of this process in the logs.
    public static let connectionID = "smtp.connection_id"
    /// The error that ended an operation.
    public static let error = "smtp.error"
    /// Why a connection was closed.
    public static let reason = "smtp.reason"
    /// Whether the server accepted `EHLO` (`true`) or only `HELO`.
    public static let extended = "smtp.extended"
    /// The extension keywords the server announced.
    public static let extensions = "smtp.extensions"
    /// The negotiated TLS version and cipher suite.
    public static let tls = "smtp.tls"
}

extension Logger {
    /// A logger that discards everything: the default of ``SMTPSession``, so that a library
    /// never logs unless its user passes a logger in.
    public static var smtpNoOp: Logger {
        Logger(label: SMTPSession.defaultLoggerLabel, factory: { _ in SwiftLogNoOpLogHandler() })
    }
}

/// Hands out connection IDs, unique within the process.
enum SMTPConnectionID {
    private static let counter = NIOLockedValueBox<UInt64>(0)

    /// The next ID.
    static func next() -> UInt64 {
        self.counter.withLockedValue { value in
            value &+= 1
            return value
        }
    }
}
