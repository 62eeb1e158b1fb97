import Testing

@testable import SMTPTestServer

@Suite("State machine: message content")
struct StateMachineDataTests {
    /// Runs one transaction with `content` (already dot-stuffed, with the final `.` line) fed
    /// as one read, and returns the harness.
    private func transaction(
        _ content: String, configuration: SMTPTestServer.Configuration = .init()
    ) -> StateMachineHarness {
        var harness = StateMachineHarness(configuration)
        harness.ehlo()
        harness.feed("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        harness.feed(content)
        return harness
    }

    @Test func dotStuffingIsRemovedAndBytesKept() throws {
        let harness = transaction("..leading dot\r\nmiddle . dot\r\n...\r\n..\r\nend.\r\n.\r\n")
        let message = try #require(harness.delivered.first)
        #expect(message.text == ".leading dot\r\nmiddle . dot\r\n..\r\n.\r\nend.\r\n")
        #expect(!message.hadBareLineEndings)
        #expect(harness.transcript.contains(.messageContent(octets: 44, complete: true)))
    }

    @Test func onlyALoneDotLineEndsTheContent() throws {
        var harness = transaction(". \r\n.x\r\n")
        #expect(harness.delivered.isEmpty)
        #expect(harness.machine.isReceivingData)
        harness.feed(".\r\n")
        #expect(try #require(harness.delivered.first).text == " \r\nx\r\n")
    }

    @Test func contentSplitAcrossReadsAndPieces() throws {
        var harness = transaction("")
        harness.feed(InboundLine(".abc", isComplete: false))
        harness.feed(InboundLine(".def", isComplete: false))
        harness.feed(InboundLine("\r\n"))
        harness.feed(InboundLine(".", isComplete: false))
        harness.feed(InboundLine("\r\n"))
        harness.feed(InboundLine(".\r\n"))
        // Only a dot at the start of a line is stuffing; a piece that continues a line is kept.
        #expect(try #require(harness.delivered.first).text == "abc.def\r\n\r\n")
    }

    @Test func bareLineEndingsAreNoted() throws {
        let bareLF = try #require(transaction("one\ntwo\r\n.\r\n").delivered.first)
        #expect(bareLF.hadBareLineEndings)
        #expect(bareLF.text == "one\ntwo\r\n")

        let bareCR = try #require(transaction("one\rtwo\r\n.\r\n").delivered.first)
        #expect(bareCR.hadBareLineEndings)

        let clean = try #require(transaction("one\r\n\r\ntwo\r\n.\r\n").delivered.first)
        #expect(!clean.hadBareLineEndings)
    }

    @Test func crlfSplitByAPieceBoundaryIsNotBare() throws {
        var harness = transaction("")
        harness.feed(InboundLine("abc", isComplete: false))
        harness.feed(InboundLine("\n"))
        harness.feed(InboundLine(".\r\n"))
        #expect(try #require(harness.delivered.first).hadBareLineEndings)

        var crlf = transaction("")
        crlf.feed(InboundLine("abc", isComplete: false))
        crlf.feed(InboundLine("\r\n"))
        crlf.feed(InboundLine(".\r\n"))
        #expect(try #require(crlf.delivered.first).hadBareLineEndings == false)
    }

    @Test func overlongLinesAreNotedNotRejected() throws {
        let longest = String(repeating: "a", count: 998)
        let fine = try #require(transaction(longest + "\r\n.\r\n").delivered.first)
        #expect(!fine.hadOverlongLines)

        var harness = transaction("")
        harness.feed(InboundLine(String(repeating: "b", count: 600), isComplete: false))
        harness.feed(InboundLine(String(repeating: "b", count: 399) + "\r\n"))
        harness.feed(".\r\n")
        let long = try #require(harness.delivered.first)
        #expect(long.hadOverlongLines)
        #expect(long.data.count == 1001)
    }

    @Test func eightBitContentIsNoted() throws {
        #expect(try #require(transaction("Grüße\r\n.\r\n").delivered.first).containsEightBitData)
        #expect(try #require(transaction("Hello\r\n.\r\n").delivered.first).containsEightBitData == false)
    }

    @Test func declaredSizeAboveTheLimitIsRefusedAtMail() {
        var harness = StateMachineHarness(.init(maximumMessageSize: 100))
        harness.ehlo()
        #expect(
            harness.command("MAIL FROM:<a@example.org> SIZE=101") == [
                "552 5.3.4 Message size exceeds fixed maximum message size"
            ])
        #expect(harness.command("MAIL FROM:<a@example.org> SIZE=100") == ["250 2.1.0 Sender <a@example.org> OK"])
    }

    @Test func contentAboveTheLimitIsRefusedAfterTheDot() throws {
        let configuration = SMTPTestServer.Configuration(maximumMessageSize: 10)
        var harness = transaction("1234\r\n", configuration: configuration)
        harness.feed("56\r\n")  // 10 octets: still fits
        #expect(harness.replies("x\r\n.\r\n") == ["552 5.3.4 Message size exceeds fixed maximum message size"])
        #expect(harness.delivered.isEmpty)
        // The transaction is over; the session goes on.
        #expect(harness.command("MAIL FROM:<a@example.org>") == ["250 2.1.0 Sender <a@example.org> OK"])

        var exact = transaction("1234\r\n56\r\n.\r\n", configuration: configuration)
        #expect(try #require(exact.delivered.first).data.count == 10)
        #expect(exact.command("NOOP") == ["250 2.0.0 OK"])
    }
}
