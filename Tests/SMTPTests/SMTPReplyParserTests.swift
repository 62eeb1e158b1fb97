import NIOCore
import Testing

@testable import SMTP

@Suite("Reply parser")
struct SMTPReplyParserTests {
    private func parseAll(_ text: String, parser: SMTPReplyParser = SMTPReplyParser()) throws(SMTPError) -> [SMTPReply]
    {
        var parser = parser
        var buffer = ByteBuffer(string: text)
        var replies: [SMTPReply] = []
        while let reply = try parser.parse(&buffer) {
            replies.append(reply)
        }
        return replies
    }

    @Test func singleLineReply() throws {
        let replies = try parseAll("220 mx.example ESMTP ready\r\n")
        #expect(replies == [SMTPReply(code: 220, text: "mx.example ESMTP ready")])
        #expect(replies[0].isPositiveCompletion)
    }

    @Test func multiLineReply() throws {
        let replies = try parseAll("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100\r\n")
        #expect(replies.count == 1)
        #expect(replies[0].code == 250)
        #expect(replies[0].lines == ["mx.example", "PIPELINING", "SIZE 100"])
        #expect(replies[0].text == "mx.example\nPIPELINING\nSIZE 100")
        #expect(replies[0].wireLines == ["250-mx.example", "250-PIPELINING", "250 SIZE 100"])
    }

    @Test func severalRepliesInOneBufferAndBareLF() throws {
        let replies = try parseAll("250 a\n550 5.1.1 b\r\n354 c\r\n")
        #expect(replies.map(\.code) == [250, 550, 354])
        #expect(replies[1].enhancedStatusCode == EnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(replies[1].isPermanentFailure)
        #expect(replies[2].isPositiveIntermediate)
    }

    @Test func codeWithoutText() throws {
        #expect(try parseAll("250\r\n") == [SMTPReply(code: 250, text: "")])
    }

    @Test func byteByByteFeeding() throws {
        let wire = Array("250-first\r\n250-second\r\n250 third\r\n421 bye\r\n".utf8)
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer()
        var replies: [SMTPReply] = []
        for byte in wire {
            buffer.writeInteger(byte)
            while let reply = try parser.parse(&buffer) {
                replies.append(reply)
            }
        }
        #expect(replies.map(\.code) == [250, 421])
        #expect(replies[0].lines == ["first", "second", "third"])
        #expect(replies[1].isServiceClosing)
        #expect(buffer.readableBytes == 0)
        #expect(!parser.isInsideReply)
    }

    @Test func incompleteLineWaitsForMore() throws {
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer(string: "250-one\r\n250 tw")
        #expect(try parser.parse(&buffer) == nil)
        #expect(parser.isInsideReply)
        buffer.writeString("o\r\n")
        #expect(try parser.parse(&buffer)?.lines == ["one", "two"])
    }

    @Test(arguments: [
        "25\r\n", "abc hello\r\n", "2x0 hello\r\n", "250_hello\r\n", "150 hello\r\n", "650 hello\r\n",
        "260 hello\r\n", "250-a\r\n251 b\r\n", "\r\n", "250 nul\u{0}byte\r\n",
    ])
    func malformedLinesAreRejected(wire: String) {
        #expect(throws: SMTPError.self) {
            try parseAll(wire)
        }
        do {
            _ = try parseAll(wire)
        } catch {
            #expect(error.code == .protocolViolation)
        }
    }

    @Test func overlongLineIsRejectedEvenWithoutNewline() {
        let parser = SMTPReplyParser(maximumLineLength: 16)
        #expect(throws: SMTPError.self) {
            try parseAll("250 " + String(repeating: "x", count: 13) + "\r\n", parser: parser)
        }
        #expect(throws: Never.self) {
            try parseAll("250 " + String(repeating: "x", count: 12) + "\r\n", parser: parser)
        }
        // A hostile server that never sends a newline is stopped once the limit is passed.
        var limited = parser
        var buffer = ByteBuffer(string: String(repeating: "9", count: 18))
        #expect(throws: SMTPError.self) { try limited.parse(&buffer) }
    }

    @Test func tooManyLinesAreRejected() {
        let parser = SMTPReplyParser(maximumLineCount: 3)
        #expect(throws: Never.self) { try parseAll("250-a\r\n250-b\r\n250 c\r\n", parser: parser) }
        #expect(throws: SMTPError.self) { try parseAll("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", parser: parser) }
    }

    @Test func enhancedStatusCodeMustMatchTheReplyClass() {
        #expect(SMTPReply(code: 250, text: "2.1.0 ok").enhancedStatusCode == EnhancedStatusCode("2.1.0"))
        #expect(SMTPReply(code: 250, text: "5.1.0 odd").enhancedStatusCode == nil)
        #expect(SMTPReply(code: 250, text: "2.1.0ok").enhancedStatusCode == nil)
        #expect(SMTPReply(code: 451, text: "4.7.1000 x").enhancedStatusCode == nil)
        #expect(EnhancedStatusCode("4.7.100")?.description == "4.7.100")
        #expect(EnhancedStatusCode("3.1.1") == nil)
        #expect(EnhancedStatusCode("5..1") == nil)
    }

    @Test func linesWithoutEnhancedStatusCode() {
        let reply = SMTPReply(code: 250, lines: ["2.1.5 Bob <bob@example.org>", "2.1.5 <carol@example.net>"])
        #expect(reply.linesWithoutEnhancedStatusCode == ["Bob <bob@example.org>", "<carol@example.net>"])
        #expect(SMTPReply(code: 250, text: "plain").linesWithoutEnhancedStatusCode == ["plain"])
    }
}
