import NIOCore
import Testing

@testable import SMTP

@Suite("Commands")
struct SMTPCommandTests {
    private func wire(_ command: SMTPCommand) throws(SMTPError) -> String {
        var buffer = ByteBuffer()
        try command.encode(into: &buffer)
        return String(buffer: buffer)
    }

    @Test func rendering() throws {
        #expect(try wire(.ehlo("client.example")) == "EHLO client.example\r\n")
        #expect(try wire(.helo("[192.0.2.1]")) == "HELO [192.0.2.1]\r\n")
        #expect(try wire(.mailFrom(reversePath: "a@example.com", parameters: [])) == "MAIL FROM:<a@example.com>\r\n")
        #expect(try wire(.mailFrom(reversePath: "", parameters: [.size(10)])) == "MAIL FROM:<> SIZE=10\r\n")
        #expect(
            try wire(.rcptTo(forwardPath: "b@example.org", parameters: [SMTPParameter("NOTIFY", "SUCCESS,FAILURE")]))
                == "RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE\r\n")
        #expect(try wire(.data) == "DATA\r\n")
        #expect(try wire(.rset) == "RSET\r\n")
        #expect(try wire(.noop) == "NOOP\r\n")
        #expect(try wire(.vrfy("bob")) == "VRFY bob\r\n")
        #expect(try wire(.expn("staff")) == "EXPN staff\r\n")
        #expect(try wire(.help(nil)) == "HELP\r\n")
        #expect(try wire(.help("MAIL")) == "HELP MAIL\r\n")
        #expect(try wire(.quit) == "QUIT\r\n")
        #expect(try wire(.raw("XCLIENT NAME=x")) == "XCLIENT NAME=x\r\n")
        #expect(
            try wire(.mailFrom(reversePath: "a@example.com", parameters: [.smtpUTF8]))
                == "MAIL FROM:<a@example.com> SMTPUTF8\r\n")
    }

    static let injections = ["\r", "\n", "\r\n", "\u{0}", "\u{7F}", "\u{1B}"]

    static let commandsWithInjection: [SMTPCommand] = injections.flatMap { bad in
        [
            SMTPCommand.ehlo("host\(bad)x"), .helo("host\(bad)"),
            .mailFrom(reversePath: "a\(bad)@example.com", parameters: []),
            .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("SIZE", "1\(bad)")]),
            .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("X\(bad)Y")]),
            .rcptTo(forwardPath: "b@example.org\(bad)RSET", parameters: []),
            .rcptTo(forwardPath: "b@example.org", parameters: [SMTPParameter("NOTIFY", "\(bad)NEVER")]),
            .vrfy("bob\(bad)"), .expn("\(bad)staff"), .help("x\(bad)"), .raw("NOOP\(bad)QUIT"),
        ]
    }

    @Test(arguments: commandsWithInjection)
    func controlCharactersAreRejected(command: SMTPCommand) {
        var buffer = ByteBuffer(string: "untouched")
        #expect(throws: SMTPError.self) { try command.encode(into: &buffer) }
        #expect(String(buffer: buffer) == "untouched")
        do {
            try command.validate()
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.psmtpErrorCode == 211)
        }
    }

    @Test(arguments: [
        SMTPCommand.mailFrom(reversePath: "a@example.com> SIZE=1", parameters: []),
        .rcptTo(forwardPath: "<b@example.org", parameters: []),
        .rcptTo(forwardPath: "", parameters: []),
        .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("-X")]),
        .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("")]),
        .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("X", "")]),
        .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("X", "a=b")]),
        .mailFrom(reversePath: "a@example.com", parameters: [SMTPParameter("X", "a b")]),
        .ehlo(""), .ehlo("two words"), .vrfy(""), .expn(""), .raw(""),
    ])
    func malformedArgumentsAreRejected(command: SMTPCommand) {
        #expect(throws: SMTPError.self) { try command.validate() }
    }

    @Test func quotedLocalPartWithSpaceIsAllowed() throws {
        #expect(
            try wire(.rcptTo(forwardPath: "\"john doe\"@example.org", parameters: []))
                == "RCPT TO:<\"john doe\"@example.org>\r\n")
    }
}
