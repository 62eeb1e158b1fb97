/// An error of a ``MailQueue``.
///
/// Match on ``code``; ``message`` says what happened and where, ``path`` names the file involved.
public struct MailQueueError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case io
            case corruptEntry
            case claimLost
            case notFound
            case invalidQueue
            case database
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A file system call failed (the errno text is in the message, the `POSIXError` in
        /// ``MailQueueError/underlyingError``).
        public static let io = Code(.io)
        /// An entry file is truncated, garbled or of an unknown format version.
        public static let corruptEntry = Code(.corruptEntry)
        /// The caller no longer holds the claim: its lease expired and the entry was recovered (and maybe claimed
        /// by another worker), or it was already completed, failed or retried.
        public static let claimLost = Code(.claimLost)
        /// No entry with this ID is in the state the operation needs.
        public static let notFound = Code(.notFound)
        /// The queue directory cannot be used: not a directory, not accessible, or a non-empty directory that is
        /// not a mail queue.
        public static let invalidQueue = Code(.invalidQueue)
        /// The queue's database failed a query or could not be reached (the driver's error is
        /// in ``MailQueueError/underlyingError``).
        public static let database = Code(.database)

        /// The name of the code, for example `claimLost`.
        public var description: String {
            self.base.rawValue
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The error that caused this one (for example a `POSIXError`).
    public var underlyingError: (any Error)?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A human-readable explanation.
    ///   - path: The file or directory involved.
    ///   - underlyingError: The error that caused this one.
    public init(_ code: Code, _ message: String, path: String? = nil, underlyingError: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.underlyingError = underlyingError
    }

    /// The code, the message and the path.
    public var description: String {
        var text = "MailQueueError.\(self.code): \(self.message)"
        if let path = self.path, !self.message.contains(path) {
            text += " (\(path))"
        }
        return text
    }
}
