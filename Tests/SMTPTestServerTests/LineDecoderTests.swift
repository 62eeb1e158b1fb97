import Testing

@testable import SMTPTestServer

@Suite("Line decoder")
struct LineDecoderTests {
    private func frames(_ reads: [String], maximumPieceLength: Int = 4096) throws -> [InboundLine] {
        try SMTPLineDecoder(maximumPieceLength: maximumPieceLength).frames(of: reads.map { Array($0.utf8) })
    }

    @Test func framesLinesKeepingTheirEndings() throws {
        let lines = try frames(["EHLO a\r\nMAIL FROM:<>\r\nbare\nRC", "PT TO:<b@c>\r\n"])
        #expect(
            lines.map { String(decoding: $0.octets, as: UTF8.self) } == [
                "EHLO a\r\n", "MAIL FROM:<>\r\n", "bare\n", "RCPT TO:<b@c>\r\n",
            ])
        #expect(lines.map(\.isComplete) == [true, true, true, true])
        // "RC" was buffered behind `bare\n`; the last line ended its read.
        #expect(lines.map(\.moreInputBuffered) == [true, true, true, false])
    }

    @Test func longLinesArriveInPiecesThatNeverEndWithCR() throws {
        let line = String(repeating: "a", count: 1200) + "\r\n"
        let lines = try frames([line], maximumPieceLength: 1001)
        #expect(lines.map(\.octets.count) == [1001, 201])
        #expect(lines.map(\.isComplete) == [false, true])

        let crAtBoundary = String(repeating: "b", count: 1000) + "\r\nnext\r\n"
        let split = try frames([crAtBoundary], maximumPieceLength: 1001)
        #expect(
            split.map { String(decoding: $0.octets, as: UTF8.self) } == [
                String(repeating: "b", count: 1000), "\r\n", "next\r\n",
            ])
    }

    @Test func remainderAtEndOfInputIsAnIncompletePiece() throws {
        let lines = try frames(["QUIT\r\npartial"])
        #expect(lines.count == 2)
        #expect(lines[1].octets == Array("partial".utf8))
        #expect(!lines[1].isComplete)
    }

    @Test func emptyInputFramesNothing() throws {
        #expect(try frames([]).isEmpty)
    }
}
