extension SMTPProxy {
    /// An extra header line for the HTTP `CONNECT` request, such as `Proxy-Agent: PGPMail`.
    public struct Header: Hashable, Sendable {
        /// The field name: one or more RFC 9110 token characters (letters, digits and
        /// ``!#$%&'*+-.^_`|~``). `Host` is refused, and so is `Proxy-Authorization` when the
        /// proxy has a user name (the client writes those itself).
        public var name: String
        /// The field value, written as given: no control characters other than tab.
        public var value: String

        /// Creates a header line; it is checked when connecting.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// Checks the name and value (not the names the client writes itself).
        ///
        /// - Throws: ``SMTPError/Code/invalidInput`` for an empty name, a name with a
        ///   character outside the token set, or a value with CR, LF, NUL or another control
        ///   character except tab.
        public func validate() throws(SMTPError) {
            guard !self.name.isEmpty, self.name.utf8.allSatisfy(Self.isTokenCharacter) else {
                let quoted = proxyQuoted(Array(self.name.utf8))
                throw SMTPError(.invalidInput, "the HTTP proxy header name \"\(quoted)\" is not a token")
            }
            guard !self.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                throw SMTPError(
                    .invalidInput, "the value of the HTTP proxy header \(self.name) contains a control character")
            }
        }

        /// Whether `byte` is an RFC 9110 `tchar`.
        static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}
