/// Why waiting on an `SMTPTestServer` failed.
public struct SMTPTestServerError: Error, Hashable, CustomStringConvertible {
    /// A stable identifier of the kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String

        /// The expected message(s) did not arrive in time.
        public static let timedOut = Code(name: "timedOut")
        /// The server was shut down while waiting, or before.
        public static let shutDown = Code(name: "shutDown")

        /// The name of the code.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What was being waited for, in words.
    public var detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The code and detail.
    public var description: String { "SMTPTestServerError(\(code)): \(detail)" }
}
