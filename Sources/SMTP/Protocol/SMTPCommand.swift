import NIOCore

/// A command the client sends to an SMTP server (RFC 5321 section 4.1).
///
/// Commands are plain values; ``validate()`` checks them and ``encode(into:)`` writes the
/// command line including its CRLF. Addresses are always written inside angle brackets.
/// Validation rejects CR, LF, NUL and other control characters in every argument, so a
/// value taken from user input can never end the command line early and inject another
/// command.
public enum SMTPCommand: Hashable, Sendable {
    /// `EHLO domain`: open an extended session (RFC 5321 section 4.1.1.1).
    case ehlo(String)
    /// `HELO domain`: open a basic session.
    case helo(String)
    /// `MAIL FROM:<reverse-path> [parameters]`: start a transaction. An empty reverse path
    /// is the null sender `<>` used for bounces.
    case mailFrom(reversePath: String, parameters: [SMTPParameter])
    /// `RCPT TO:<forward-path> [parameters]`: add a recipient.
    case rcptTo(forwardPath: String, parameters: [SMTPParameter])
    /// `DATA`: ask to send the message content.
    case data
    /// `BDAT size [LAST]` (RFC 3030): the next `size` octets are message content; `LAST`
    /// marks the final chunk. The session sends these itself when the server offers
    /// `CHUNKING`.
    case bdat(size: Int, last: Bool)
    /// `RSET`: abort the current transaction.
    case rset
    /// `NOOP`: do nothing (keeps the connection alive, checks it works).
    case noop
    /// `VRFY string`: ask the server to verify a user or mailbox.
    case vrfy(String)
    /// `EXPN string`: ask the server to expand a mailing list.
    case expn(String)
    /// `HELP [string]`: ask for help text.
    case help(String?)
    /// `QUIT`: end the session.
    case quit
    /// `STARTTLS`: ask to start TLS (RFC 3207). The session sends it on its own when its
    /// ``SMTPTLSMode`` says so.
    case startTLS
    /// A command line sent exactly as given (without the CRLF, which is appended).
    case raw(String)
    /// `AUTH mechanism [initial-response]`: start a SASL exchange (RFC 4954 section 4). The
    /// initial response is written base64-encoded, an empty one as `=`.
    case auth(mechanism: SMTPAuthMechanism, initialResponse: [UInt8]?)
    /// The answer to a `334` challenge of an `AUTH` exchange, written base64-encoded on a
    /// line of its own (an empty answer is an empty line).
    case authContinuation([UInt8])
    /// `*`: abandon an `AUTH` exchange in answer to a `334` challenge.
    case authCancel

    /// The command line without its CRLF, as it goes on the wire. It is not validated;
    /// see ``validate()``.
    public var line: String {
        switch self {
        case .ehlo(let domain):
            return "EHLO \(domain)"
        case .helo(let domain):
            return "HELO \(domain)"
        case .mailFrom(let reversePath, let parameters):
            return "MAIL FROM:<\(reversePath)>" + Self.render(parameters)
        case .rcptTo(let forwardPath, let parameters):
            return "RCPT TO:<\(forwardPath)>" + Self.render(parameters)
        case .data:
            return "DATA"
        case .bdat(let size, let last):
            return last ? "BDAT \(size) LAST" : "BDAT \(size)"
        case .rset:
            return "RSET"
        case .noop:
            return "NOOP"
        case .vrfy(let argument):
            return "VRFY \(argument)"
        case .expn(let argument):
            return "EXPN \(argument)"
        case .help(let argument):
            return argument.map { "HELP \($0)" } ?? "HELP"
        case .quit:
            return "QUIT"
        case .startTLS:
            return "STARTTLS"
        case .raw(let line):
            return line
        case .auth(let mechanism, let initialResponse):
            guard let initialResponse else {
                return "AUTH \(mechanism.name)"
            }
            return "AUTH \(mechanism.name) " + (initialResponse.isEmpty ? "=" : SASLBase64.encode(initialResponse))
        case .authContinuation(let response):
            return SASLBase64.encode(response)
        case .authCancel:
            return "*"
        }
    }

    /// The line shown in the protocol trail and in logs.
    ///
    /// This is the single place where sensitive commands are masked before they are
    /// traced: `AUTH` initial responses and continuation lines are shown as `****` (the
    /// mechanism name stays visible), also in raw lines that start with `AUTH`.
    var trailLine: String {
        switch self {
        case .auth(let mechanism, let initialResponse):
            return initialResponse == nil ? "AUTH \(mechanism.name)" : "AUTH \(mechanism.name) ****"
        case .authContinuation:
            return "****"
        case .raw(let line):
            let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard words.count == 3, words[0].uppercased() == "AUTH" else {
                return line
            }
            return "\(words[0]) \(words[1]) ****"
        default:
            return self.line
        }
    }

    /// Throws ``SMTPError/Code/invalidInput`` if an argument contains a control character
    /// (CR, LF, NUL, …), an address contains an angle bracket, an ESMTP parameter is
    /// malformed or a required argument is empty.
    public func validate() throws(SMTPError) {
        switch self {
        case .ehlo(let domain), .helo(let domain):
            try SMTPInputValidation.checkHostname(domain)
        case .mailFrom(let reversePath, let parameters):
            try SMTPInputValidation.checkMailbox(reversePath, what: "reverse path")
            for parameter in parameters {
                try parameter.validate()
            }
        case .rcptTo(let forwardPath, let parameters):
            try SMTPInputValidation.checkMailbox(forwardPath, what: "recipient address")
            if forwardPath.isEmpty {
                throw SMTPError(.invalidInput, "recipient address is empty")
            }
            for parameter in parameters {
                try parameter.validate()
            }
        case .vrfy(let argument), .expn(let argument):
            try SMTPInputValidation.checkNoControlCharacters(argument, what: "argument")
            if argument.isEmpty {
                throw SMTPError(.invalidInput, "argument is empty")
            }
        case .help(let argument):
            if let argument {
                try SMTPInputValidation.checkNoControlCharacters(argument, what: "argument")
            }
        case .raw(let line):
            try SMTPInputValidation.checkNoControlCharacters(line, what: "command")
            if line.isEmpty {
                throw SMTPError(.invalidInput, "command is empty")
            }
        case .bdat(let size, _):
            if size < 0 {
                throw SMTPError(.invalidInput, "BDAT size is negative")
            }
        case .data, .rset, .noop, .quit, .startTLS, .auth, .authContinuation, .authCancel:
            // Fixed text, mechanism names and base64 only.
            break
        }
    }

    /// Validates the command and appends its line and CRLF to `buffer`.
    ///
    /// - Parameter buffer: The buffer to append to; unchanged if validation fails.
    /// - Throws: ``SMTPError/Code/invalidInput`` (see ``validate()``).
    public func encode(into buffer: inout ByteBuffer) throws(SMTPError) {
        try self.validate()
        buffer.writeString(self.line)
        buffer.writeStaticString("\r\n")
    }

    private static func render(_ parameters: [SMTPParameter]) -> String {
        parameters.map { " \($0)" }.joined()
    }
}
