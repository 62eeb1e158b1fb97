extension SMTPTestServer {
    /// A mailbox the server knows, used to answer `VRFY` and `EXPN`.
    public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
        /// The address, for example `alice@pgpmail.test`.
        public var address: String
        /// The full name, if any, for example `Alice Liddell`.
        public var name: String?

        /// Creates a mailbox.
        public init(_ address: String, name: String? = nil) {
            self.address = address
            self.name = name
        }

        /// The mailbox as `VRFY` and `EXPN` replies show it: `Name <address>` or `<address>`.
        public var description: String {
            name.map { "\($0) <\(address)>" } ?? "<\(address)>"
        }

        /// Whether `query` names this mailbox: its address, its local part or its full name,
        /// ignoring case.
        func matches(_ query: String) -> Bool {
            let localPart = address.split(separator: "@", maxSplits: 1).first ?? ""
            return address.caseInsensitiveEquals(query)
                || localPart.caseInsensitiveEquals(query)
                || (name?.caseInsensitiveEquals(query) ?? false)
        }
    }
}
