import Foundation
import Testing

@testable import Mail

/// A sink that keeps only statistics and a running check of the base64 body.
private struct MeasuringSink: MIMEOutput {
    var totalBytes = 0
    var writes = 0
    var largestWrite = 0
    var tail: [UInt8] = []

    mutating func write(_ bytes: some Collection<UInt8>) throws {
        totalBytes += bytes.count
        writes += 1
        largestWrite = max(largestWrite, bytes.count)
        tail = Array((tail + bytes).suffix(200))
    }
}

/// A generated body: `count` lines of armored-looking text.
private struct LineSource: MIMEByteSource {
    var remaining: Int
    let line: [UInt8]

    mutating func nextChunk() throws -> [UInt8]? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        return line
    }
}

@Suite("Streaming")
struct StreamingTests {
    @Test func fiftyMebibyteFileStreamsInBoundedChunks() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("big.bin")
        let size = 50 * 1024 * 1024
        // Write the file in pieces so the test itself never holds 50 MiB either.
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        let block = Support.pattern(count: 1024 * 1024)
        for _ in 0..<50 { try handle.write(contentsOf: block) }
        try handle.close()

        let message = try MailMessage(from: "a@example.com", to: "b@example.com", subject: "big", body: "see file\n")
            .addingAttachment(Attachment(fileURL: url))
        // The attachment is referenced, not loaded.
        let part = try message.attachments[0].mimePart()
        guard case .file(let referenced) = part.body else {
            Issue.record("expected a file body")
            return
        }
        #expect(referenced == url)

        var sink = MeasuringSink()
        try message.render(to: &sink)
        let base64Size = (size + 2) / 3 * 4
        let base64Lines = (base64Size + 75) / 76
        #expect(sink.totalBytes > base64Size + base64Lines * 2)
        #expect(sink.totalBytes < base64Size + base64Lines * 2 + 4096)
        #expect(sink.writes > 500)
        #expect(sink.largestWrite <= 256 * 1024)
        #expect(Support.string(sink.tail).hasSuffix("--\r\n"))
    }

    @Test func fileBodyDecodesToFileContent() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("data.bin")
        let content = Support.pattern(count: 200_003)
        try Data(content).write(to: url)
        let part = try MIMEPart.file(url, contentType: .octetStream)
        let wire = try part.renderedBytes(options: MIMERenderingOptions(chunkSize: 1))
        Support.expectWellFormedLines(wire, limit: 76)
        #expect(try MIMEEntity.parse(wire).decodedBody() == content)
        #expect(throws: MailError.self) {
            try MIMEPart.file(URL(string: "https://example.com/x")!, contentType: .octetStream)
        }
    }

    @Test func generatedBodiesStreamAndAreChecked() throws {
        let line = Array("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n".utf8)
        let stream = MIMEBodyStream { LineSource(remaining: 1000, line: line) }
        let part = try MIMEPart.stream(stream, contentType: .octetStream, transferEncoding: .sevenBit)
        let wrapped = try MIMEPart.multipart("mixed", parts: [part])
        let wire = try wrapped.renderedBytes()
        let entity = try MIMEEntity.parse(wire)
        #expect(entity.children[0].rawBody.count == line.count * 1000)

        let bad: [(String, MailError.Code)] = [
            ("bare\nLF", .invalidBody), ("bare\rCR", .invalidBody), ("nul\u{0}\r\n", .invalidBody),
            ("8bit ü\r\n", .invalidBody), (String(repeating: "x", count: 999) + "\r\n", .invalidBody),
            ("ok\r\n--\(try #require(wrapped.boundary))\r\n", .invalidBoundary), ("ends with CR\r", .invalidBody),
        ]
        for (content, code) in bad {
            let source = MIMEBodyStream { LineSource(remaining: 1, line: Array(content.utf8)) }
            let badPart = try MIMEPart.stream(source, contentType: .octetStream, transferEncoding: .sevenBit)
            let tree = try MIMEPart.multipart("mixed", parts: [badPart], boundary: wrapped.boundary)
            do {
                _ = try tree.renderedBytes()
                Issue.record("expected \(code) for \(content.debugDescription)")
            } catch let error as MailError {
                #expect(error.code == code, "\(content.debugDescription)")
            }
        }
    }
}
