import NIOCore
import Testing

@testable import SMTP

@Suite("DATA encoder")
struct SMTPDataEncoderTests {
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let dot = UInt8(ascii: ".")

    /// Encodes `chunks` one after the other.
    private func encode(_ chunks: [[UInt8]], maximumLineLength: Int = 998) throws(SMTPError) -> String {
        var encoder = SMTPDataEncoder(maximumLineLength: maximumLineLength)
        var output = ByteBuffer()
        for chunk in chunks {
            try encoder.encode(chunk, into: &output)
        }
        encoder.finish(into: &output)
        return String(buffer: output)
    }

    private func encode(_ chunks: String...) throws(SMTPError) -> String {
        try self.encode(chunks.map { Array($0.utf8) })
    }

    /// A straightforward line-based model of the encoding; `nil` if a line is too long.
    private static func reference(_ input: [UInt8], maximumLineLength: Int = 998) -> [UInt8]? {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == cr {
                lines.append(current)
                current = []
                if index + 1 < input.count, input[index + 1] == lf {
                    index += 1
                }
            } else if byte == lf {
                lines.append(current)
                current = []
            } else {
                current.append(byte)
            }
            index += 1
        }
        if !current.isEmpty {
            lines.append(current)
        }
        guard lines.allSatisfy({ $0.count <= maximumLineLength }) else {
            return nil
        }
        var output: [UInt8] = []
        for line in lines {
            if line.first == dot {
                output.append(dot)
            }
            output += line + [cr, lf]
        }
        return output + [dot, cr, lf]
    }

    // MARK: - Edge cases

    @Test func emptyBodyIsJustTheTerminator() throws {
        #expect(try encode() == ".\r\n")
        #expect(try encode("") == ".\r\n")
        #expect(try encode("", "", "") == ".\r\n")
    }

    @Test func missingFinalNewlineIsAdded() throws {
        #expect(try encode("Subject: x\r\n\r\nbody") == "Subject: x\r\n\r\nbody\r\n.\r\n")
        #expect(try encode("body\r\n") == "body\r\n.\r\n")
    }

    @Test func loneDotAndDotLinesAreStuffed() throws {
        #expect(try encode(".") == "..\r\n.\r\n")
        #expect(try encode(".\r\n") == "..\r\n.\r\n")
        #expect(try encode("..\r\n") == "...\r\n.\r\n")
        #expect(try encode("a\r\n.\r\nb") == "a\r\n..\r\nb\r\n.\r\n")
        #expect(try encode("a.\r\n.b.\r\n") == "a.\r\n..b.\r\n.\r\n")
        #expect(try encode("\r\n.") == "\r\n..\r\n.\r\n")
    }

    @Test func bareCRAndLFBecomeCRLF() throws {
        #expect(try encode("a\rb\nc\r\nd") == "a\r\nb\r\nc\r\nd\r\n.\r\n")
        #expect(try encode("\r\r\n") == "\r\n\r\n.\r\n")
        #expect(try encode("\n\n") == "\r\n\r\n.\r\n")
        #expect(try encode("\n.\r.") == "\r\n..\r\n..\r\n.\r\n")
    }

    @Test func crAtTheEndOfAChunk() throws {
        #expect(try encode("a\r", "\nb") == "a\r\nb\r\n.\r\n")
        #expect(try encode("a\r", "b") == "a\r\nb\r\n.\r\n")
        #expect(try encode("a\r", "", "\nb") == "a\r\nb\r\n.\r\n")
        #expect(try encode("a\r", "\r", "\n") == "a\r\n\r\n.\r\n")
        #expect(try encode("a\r") == "a\r\n.\r\n")
        #expect(try encode("a\r", ".b") == "a\r\n..b\r\n.\r\n")
        #expect(try encode("a\n", ".b") == "a\r\n..b\r\n.\r\n")
        #expect(try encode("a\r", "\n.") == "a\r\n..\r\n.\r\n")
    }

    @Test func lineLengthLimit() throws {
        let limit = String(repeating: "x", count: 998)
        #expect(try encode(limit) == limit + "\r\n.\r\n")
        #expect(try encode(limit + "\r\n" + limit + "\n") == limit + "\r\n" + limit + "\r\n.\r\n")
        // The stuffed dot does not count (RFC 5321 section 4.5.3.1.6).
        let dotted = "." + String(repeating: "x", count: 997)
        #expect(try encode(dotted) == "." + dotted + "\r\n.\r\n")

        for chunks in [
            [limit + "x"], [String(repeating: "x", count: 500), String(repeating: "x", count: 499)],
            ["ok\r\n", limit + "x\r\n"],
        ] {
            do {
                _ = try self.encode(chunks.map { Array($0.utf8) })
                Issue.record("a 999-octet line was accepted")
            } catch {
                #expect(error.code == .lineTooLong)
            }
        }
        #expect(throws: SMTPError.self) { try SMTPDataEncoder.encodeMessage(Array((limit + "y").utf8)) }
    }

    @Test func encoderIsReusableAfterFinish() throws {
        var encoder = SMTPDataEncoder()
        var first = ByteBuffer()
        try encoder.encode(Array("one\r".utf8), into: &first)
        encoder.finish(into: &first)
        var second = ByteBuffer()
        try encoder.encode(Array(".two".utf8), into: &second)
        encoder.finish(into: &second)
        #expect(String(buffer: first) == "one\r\n.\r\n")
        #expect(String(buffer: second) == "..two\r\n.\r\n")
    }

    @Test func byteBufferAndNonContiguousInput() throws {
        var encoder = SMTPDataEncoder()
        var output = ByteBuffer()
        var input = ByteBuffer(string: "xx.a\nb")
        input.moveReaderIndex(forwardBy: 2)
        try encoder.encode(input, into: &output)
        try encoder.encode("\n.c".utf8.lazy.map { $0 }, into: &output)
        encoder.finish(into: &output)
        #expect(String(buffer: output) == "..a\r\nb\r\n..c\r\n.\r\n")
    }

    @Test func encodeMessageMatchesIncrementalEncoding() throws {
        let body = Array("From: a\nTo: b\n\n.hidden\r\nend".utf8)
        let whole = try SMTPDataEncoder.encodeMessage(body)
        #expect(String(buffer: whole) == (try encode([body])))
    }

    // MARK: - Properties over random content and chunkings

    private static func randomContent(_ generator: inout SplitMix64, maximumLength: Int) -> [UInt8] {
        let alphabet: [UInt8] = Array("ab.. \r\r\n\n".utf8) + [0xC3, 0xA9, 0x00, 0xFF]
        let length = Int.random(in: 0...maximumLength, using: &generator)
        return (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
    }

    private static func randomChunks(_ content: [UInt8], _ generator: inout SplitMix64) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < content.count {
            let size = Int.random(in: 0...min(7, content.count - index + 1), using: &generator)
            chunks.append(Array(content[index..<min(content.count, index + size)]))
            index += size
        }
        return chunks
    }

    @Test(arguments: 0..<40)
    func outputMatchesTheLineModelWhateverTheChunking(batch: Int) throws {
        var generator = SplitMix64(seed: UInt64(batch))
        for _ in 0..<25 {
            let content = Self.randomContent(&generator, maximumLength: 300)
            let expected = try #require(Self.reference(content))
            let whole = try SMTPDataEncoder.encodeMessage(content)
            #expect(whole.readableBytesView.elementsEqual(expected), "content \(content)")
            for _ in 0..<4 {
                let chunks = Self.randomChunks(content, &generator)
                var encoder = SMTPDataEncoder()
                var output = ByteBuffer()
                for chunk in chunks {
                    try encoder.encode(chunk, into: &output)
                }
                encoder.finish(into: &output)
                #expect(output.readableBytesView.elementsEqual(expected), "chunks \(chunks)")
            }
        }
    }

    @Test(arguments: 0..<20)
    func lineLimitIsEnforcedWhateverTheChunking(batch: Int) {
        var generator = SplitMix64(seed: 1000 + UInt64(batch))
        for _ in 0..<25 {
            let content = Self.randomContent(&generator, maximumLength: 120)
            let expected = Self.reference(content, maximumLineLength: 12)
            for _ in 0..<4 {
                let chunks = Self.randomChunks(content, &generator)
                var encoder = SMTPDataEncoder(maximumLineLength: 12)
                var output = ByteBuffer()
                do {
                    for chunk in chunks {
                        try encoder.encode(chunk, into: &output)
                    }
                    encoder.finish(into: &output)
                    #expect(expected != nil, "accepted a long line in \(content)")
                    if let expected {
                        #expect(output.readableBytesView.elementsEqual(expected))
                    }
                } catch {
                    #expect(expected == nil, "rejected \(content)")
                    #expect(error.code == .lineTooLong)
                }
            }
        }
    }

    @Test(arguments: 0..<10)
    func outputIsWellFormedAndUnstuffsToTheNormalisedContent(batch: Int) throws {
        var generator = SplitMix64(seed: 5000 + UInt64(batch))
        for _ in 0..<20 {
            let content = Self.randomContent(&generator, maximumLength: 400)
            let output = Array(try SMTPDataEncoder.encodeMessage(content).readableBytesView)
            // Every CR is followed by LF and every LF preceded by CR.
            for (index, byte) in output.enumerated() {
                if byte == Self.cr {
                    #expect(index + 1 < output.count && output[index + 1] == Self.lf)
                }
                if byte == Self.lf {
                    #expect(index > 0 && output[index - 1] == Self.cr)
                }
            }
            #expect(output.suffix(3) == [Self.dot, Self.cr, Self.lf])
            #expect(output.count == 3 || output.suffix(5) == [Self.cr, Self.lf, Self.dot, Self.cr, Self.lf])
            // What a server reads back: lines up to the lone dot, one leading dot removed.
            var lines = output.split(separator: Self.lf, omittingEmptySubsequences: false).map { Array($0.dropLast()) }
            lines.removeLast()  // after the final LF
            #expect(lines.removeLast() == [Self.dot])
            #expect(!lines.contains([Self.dot]))
            let unstuffed = lines.map { $0.first == Self.dot ? Array($0.dropFirst()) : $0 }
            let rebuilt = Array(unstuffed.map { $0 + [Self.cr, Self.lf] }.joined())
            let expectedLines = Self.linesOfNormalised(content)
            #expect(rebuilt == expectedLines)
        }
    }

    /// The content with every line break as CRLF and a final CRLF, without stuffing.
    private static func linesOfNormalised(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        var lineOpen = false
        while index < content.count {
            let byte = content[index]
            if byte == cr || byte == lf {
                output += [cr, lf]
                lineOpen = false
                if byte == cr, index + 1 < content.count, content[index + 1] == lf {
                    index += 1
                }
            } else {
                output.append(byte)
                lineOpen = true
            }
            index += 1
        }
        if lineOpen {
            output += [cr, lf]
        }
        return output
    }
}
