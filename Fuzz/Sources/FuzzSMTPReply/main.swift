// The SMTP client's reply parser, fed the input in pieces as they might arrive from a
// server (the first byte sets the piece size), and the EHLO capabilities it reads.
import FuzzSupport
import NIOCore
import SMTP

runFuzzer(seeds: SMTPReplySeeds.make) { bytes in
    let (selector, rest) = split(bytes)
    let pieceSize = Int(selector % 64) + 1
    var parser = SMTPReplyParser(maximumLineLength: 512, maximumLineCount: 100)
    var buffer = ByteBuffer()
    var offset = 0
    do {
        while offset < rest.count {
            let end = min(offset + pieceSize, rest.count)
            buffer.writeBytes(rest[offset..<end])
            offset = end
            while let reply = try parser.parse(&buffer) {
                _ = reply.description
                _ = reply.enhancedStatusCode
                let capabilities = SMTPCapabilities(ehloReply: reply)
                _ = (capabilities.maximumMessageSize, capabilities.authenticationMechanisms, capabilities.supportsDSN)
            }
            buffer.discardReadBytes()
        }
    } catch {
        // A protocol violation: the client closes the connection.
    }
}
