/// Checks for the text that goes into command lines. Every check rejects CR, LF and NUL
/// (which could end the command line early and smuggle in another command) and the other
/// C0 control characters and DEL.
enum SMTPInputValidation {
    /// Whether `byte` is a C0 control character or DEL.
    static func isControl(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F
    }

    /// Rejects control characters anywhere in `text`.
    static func checkNoControlCharacters(_ text: String, what: String) throws(SMTPError) {
        if text.utf8.contains(where: isControl) {
            throw SMTPError(.invalidInput, "\(what) contains a control character (CR, LF, NUL, …)")
        }
    }

    /// Checks a mailbox for use inside angle brackets in `MAIL FROM` / `RCPT TO`:
    /// no control characters and no angle brackets (which would end the path early and
    /// let the rest of the text be read as ESMTP parameters).
    static func checkMailbox(_ address: String, what: String) throws(SMTPError) {
        try checkNoControlCharacters(address, what: what)
        if address.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            throw SMTPError(.invalidInput, "\(what) contains an angle bracket")
        }
    }

    /// Checks the `EHLO`/`HELO` argument: a non-empty domain or address literal without
    /// spaces or control characters.
    static func checkHostname(_ hostname: String) throws(SMTPError) {
        try checkNoControlCharacters(hostname, what: "host name")
        if hostname.isEmpty || hostname.utf8.contains(UInt8(ascii: " ")) {
            throw SMTPError(.invalidInput, "host name is empty or contains a space")
        }
    }

    /// Whether `text` contains a byte outside US-ASCII.
    static func containsNonASCII(_ text: String) -> Bool {
        text.utf8.contains { $0 >= 0x80 }
    }
}
