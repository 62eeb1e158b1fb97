/// Message-ID values (RFC 5322 §3.6.4), handled without the angle brackets.
public enum MessageID {
    /// A new identifier `random@domain`, with 130 bits from the system's cryptographically
    /// secure generator. A `domain` that is empty or not ASCII is replaced by `localhost`.
    ///
    /// PSMTP hashed its random value (MessageIdAlgorithm); the random part is used directly here.
    public static func generate(domain: String) -> String {
        let usable =
            !domain.isEmpty
            && domain.utf8.allSatisfy { ASCII.isVCHAR($0) && $0 != ASCII.lessThan && $0 != ASCII.greaterThan }
        return "\(RandomToken.base32(26))@\(usable ? domain : "localhost")"
    }

    /// Validates an identifier, with or without `<>`, and returns it without them.
    ///
    /// Throws `invalidHeaderValue` unless it is printable ASCII of the form `left@right`
    /// without whitespace or angle brackets, at most 900 octets.
    public static func validated(_ id: String) throws -> String {
        var bytes = Array(ASCII.trimmingWSP(id).utf8)
        if bytes.first == ASCII.lessThan && bytes.last == ASCII.greaterThan && bytes.count >= 2 {
            bytes = Array(bytes.dropFirst().dropLast())
        }
        let valid =
            bytes.count <= 900
            && bytes.allSatisfy { ASCII.isVCHAR($0) && $0 != ASCII.lessThan && $0 != ASCII.greaterThan }
            && bytes.firstIndex(of: ASCII.at).map { $0 > 0 && $0 < bytes.count - 1 } == true
        guard valid else {
            throw MailError(
                .invalidHeaderValue, "a Message-ID is printable ASCII 'left@right'", header: "Message-ID", input: id)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
