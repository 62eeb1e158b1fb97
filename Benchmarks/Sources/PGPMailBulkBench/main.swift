// pgpmail-bulk-bench: messages per second through SMTPClient, for scripts/compare-bulk.sh.
//
//   pgpmail-bulk-bench plain   --port P [--count N] [--connections C] [--size BYTES]
//   pgpmail-bulk-bench pgpmime --port P [--count N] [--connections C] [--recipients K]
//   pgpmail-bulk-bench enqueue --queue DIR|postgres://… [--count N] [--size BYTES] [--pgpmime --recipients K]
//
// plain: N distinct messages of about BYTES each, rendered before the clock starts, sent over
// C pooled connections. pgpmime: N distinct messages, each composed, signed (Ed25519) and
// encrypted (X25519) as PGP/MIME to its own address with one of K generated recipient
// certificates, then sent; the clock covers composing, signing, encrypting, rendering and
// sending (keys are generated before). enqueue: fills a directory queue (no fsync) or a
// PostgreSQL queue (committed rows, batches of 500 per transaction) with plain messages, or with
// PGP/MIME ones signed and encrypted as above, for the `pgpmail queue process` measurements.
// Prints `messages N seconds S rate R msg/s`.
import Foundation
import Logging
import PGPMail
import PGPMailPostgres
import PostgresNIO

struct Arguments {
    var mode = ""
    var port = 0
    var count = 20_000
    var connections = 8
    var size = 2048
    var recipients = 1000
    var queue = ""
    var pgpmime = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        self.mode = iterator.next() ?? ""
        while let name = iterator.next() {
            if name == "--pgpmime" {
                self.pgpmime = true
                continue
            }
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
    // The messages are made first: the clock measures the queue only.
    let messages = try await queueMessages(arguments)
    let start = ContinuousClock.now
    if PostgresQueueURL.isPostgresURL(arguments.queue) {
        try await enqueuePostgres(messages, url: try PostgresQueueURL(arguments.queue))
    } else {
        let queue = try DirectoryMailQueue(directory: arguments.queue, fileSystemSync: false)
        for message in messages {
            _ = try await queue.enqueue(message)
        }
    }
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    report(arguments.count, Double(seconds) + Double(attoseconds) / 1e18, failed: 0)
default:
    FileHandle.standardError.write(Data("usage: pgpmail-bulk-bench plain|pgpmime|enqueue [options]\n".utf8))
    exit(2)
}

/// The messages `enqueue` stores: plain, or PGP/MIME signed and encrypted.
func queueMessages(_ arguments: Arguments) async throws -> [QueuedMail] {
    guard arguments.pgpmime else {
        return (0..<arguments.count).map { plainMessage($0, size: arguments.size) }
    }
    let sender = try SecretKey.generate(userID: "Sender <sender@example.org>")
    let recipients = try (0..<max(1, arguments.recipients)).map {
        try SecretKey.generate(userID: "Recipient \($0) <rcpt\($0)@example.org>").certificate
    }
    var messages: [QueuedMail] = []
    for number in 0..<arguments.count {
        messages.append(
            try await SMTPOutgoingMessage(
                rendering: try MailMessage(
                    from: MailAddress("sender@example.org"), to: [MailAddress("rcpt\(number)@example.org")],
                    subject: "bulk \(number)", body: body(number, size: arguments.size)
                ).signedAndEncrypted(by: sender, for: [recipients[number % recipients.count]])))
    }
    return messages
}

/// Stores `messages` in a PostgreSQL queue, 500 per transaction.
func enqueuePostgres(_ messages: [QueuedMail], url: PostgresQueueURL) async throws {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
    let queue = try PostgresMailQueue(client: client, table: url.table, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        try await queue.migrate()
        for batch in stride(from: 0, to: messages.count, by: 500) {
            try await client.withTransaction(logger: logger) { connection in
                for message in messages[batch..<min(batch + 500, messages.count)] {
                    _ = try await queue.enqueue(message, on: connection)
                }
            }
        }
        group.cancelAll()
    }
}
