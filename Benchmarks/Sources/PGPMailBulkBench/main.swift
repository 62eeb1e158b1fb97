// pgpmail-bulk-bench: messages per second through SMTPClient, for scripts/compare-bulk.sh.
//
//   pgpmail-bulk-bench plain   --port P [--count N] [--connections C] [--size BYTES]
//   pgpmail-bulk-bench pgpmime --port P [--count N] [--connections C] [--recipients K]
//   pgpmail-bulk-bench enqueue --queue DIR [--count N] [--size BYTES]
//
// plain: N distinct messages of about BYTES each, rendered before the clock starts, sent over
// C pooled connections. pgpmime: N distinct messages, each composed, signed (Ed25519) and
// encrypted (X25519) as PGP/MIME to its own address with one of K generated recipient
// certificates, then sent; the clock covers composing, signing, encrypting, rendering and
// sending (keys are generated before). enqueue: fills a directory queue (no fsync) for the
// memory measurement of `pgpmail queue process`. Prints `messages N seconds S rate R msg/s`.
import Foundation
import PGPMail

struct Arguments {
    var mode = ""
    var port = 0
    var count = 20_000
    var connections = 8
    var size = 2048
    var recipients = 1000
    var queue = ""

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        self.mode = iterator.next() ?? ""
        while let name = iterator.next() {
            let value = iterator.next() ?? ""
            switch name {
            case "--port": self.port = Int(value) ?? 0
            case "--count": self.count = Int(value) ?? self.count
            case "--connections": self.connections = Int(value) ?? self.connections
            case "--size": self.size = Int(value) ?? self.size
            case "--recipients": self.recipients = Int(value) ?? self.recipients
            case "--queue": self.queue = value
            default: fatalError("unknown option \(name)")
            }
        }
    }
}

/// The elements of an array as an `AsyncSequence`.
struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]
    struct AsyncIterator: AsyncIteratorProtocol {
        var iterator: IndexingIterator<[Element]>
        mutating func next() async -> Element? { self.iterator.next() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(iterator: self.elements.makeIterator()) }
}

/// Numbers 0..<count as an `AsyncSequence`, mapped lazily.
struct AsyncCount: AsyncSequence, Sendable {
    let count: Int
    struct AsyncIterator: AsyncIteratorProtocol {
        var next = 0
        let count: Int
        mutating func next() async -> Int? {
            guard self.next < self.count else { return nil }
            defer { self.next += 1 }
            return self.next
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: self.count) }
}

func body(_ number: Int, size: Int, lineEnding: String = "\n") -> String {
    let line = "Message \(number): the quick brown fox jumps over the lazy dog 0123456789." + lineEnding
    return String(repeating: line, count: max(1, size / line.utf8.count))
}

func plainMessage(_ number: Int, size: Int) -> SMTPOutgoingMessage {
    let content =
        "From: sender@example.org\r\nTo: rcpt\(number)@example.org\r\nSubject: bulk \(number)\r\n"
        + "Message-ID: <bench-\(number)@example.org>\r\n\r\n"
        + body(number, size: size, lineEnding: "\r\n")
    return SMTPOutgoingMessage(
        envelope: SMTPEnvelope(
            reversePath: "sender@example.org", recipients: [SMTPEnvelope.Recipient("rcpt\(number)@example.org")]),
        content: Array(content.utf8))
}

func client(port: Int, connections: Int) -> SMTPClient {
    var session = SMTPSession.Configuration(host: "127.0.0.1", port: port)
    session.tls = .none
    session.localHostname = "bench.example.org"
    var configuration = SMTPClient.Configuration(session: session)
    configuration.maximumConnections = connections
    return SMTPClient(configuration: configuration)
}

/// Sends `messages` through `client` while it runs; returns the seconds taken and failures.
func deliver(_ client: SMTPClient, _ outcomes: SMTPBulkDeliveries) async throws -> (seconds: Double, failed: Int) {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        let start = ContinuousClock.now
        var failed = 0
        for try await outcome in outcomes {
            if case .failure(let error) = outcome.result {
                failed += 1
                if failed <= 3 { FileHandle.standardError.write(Data("failed: \(error)\n".utf8)) }
            }
        }
        let elapsed = ContinuousClock.now - start
        client.beginGracefulShutdown()
        try await group.waitForAll()
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) + Double(attoseconds) / 1e18, failed)
    }
}

func report(_ count: Int, _ seconds: Double, failed: Int) {
    print(
        "messages \(count) failed \(failed) seconds \(String(format: "%.3f", seconds)) rate \(String(format: "%.0f", Double(count) / seconds)) msg/s"
    )
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
switch arguments.mode {
case "plain":
    let messages = (0..<arguments.count).map { plainMessage($0, size: arguments.size) }
    let client = client(port: arguments.port, connections: arguments.connections)
    let (seconds, failed) = try await deliver(client, client.send(contentsOf: AsyncArray(elements: messages)))
    report(arguments.count, seconds, failed: failed)
case "pgpmime":
    let sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
    let recipients = try (0..<arguments.recipients).map {
        try SecretKey.generate(userID: "Recipient \($0) <rcpt\($0)@example.org>").certificate
    }
    let size = arguments.size
    let client = client(port: arguments.port, connections: arguments.connections)
    let outcomes = client.send(contentsOf: AsyncCount(count: arguments.count)) { number in
        try await SMTPOutgoingMessage(
            rendering: try MailMessage(
                from: MailAddress("sender@example.org"), to: [MailAddress("rcpt\(number)@example.org")],
                subject: "bulk \(number)", body: body(number, size: size)
            ).signedAndEncrypted(by: sender, for: [recipients[number % recipients.count]]))
    }
    let (seconds, failed) = try await deliver(client, outcomes)
    report(arguments.count, seconds, failed: failed)
case "enqueue":
    let queue = try DirectoryMailQueue(directory: arguments.queue, fileSystemSync: false)
    let start = ContinuousClock.now
    for number in 0..<arguments.count {
        let message = plainMessage(number, size: arguments.size)
        _ = try await queue.enqueue(QueuedMail(envelope: message.envelope, content: message.content))
    }
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    report(arguments.count, Double(seconds) + Double(attoseconds) / 1e18, failed: 0)
default:
    FileHandle.standardError.write(Data("usage: pgpmail-bulk-bench plain|pgpmime|enqueue [options]\n".utf8))
    exit(2)
}
