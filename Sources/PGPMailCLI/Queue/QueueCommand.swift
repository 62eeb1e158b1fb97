import ArgumentParser
import Foundation
import NIOPosix
import PGPMail
import PGPMailPostgres

extension PGPMailCommand {
    /// `pgpmail queue`: the crash-safe directory queue or a PostgreSQL queue (PSMTP `Queue`,
    /// `ProcessQueue`, `KeepQueue`).
    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue messages and deliver them, crash-safely, with any number of processes.",
            discussion: """
                QUEUE is a directory (created if missing) or a PostgreSQL URL \
                postgres://user:password@host:port/database[?sslmode=disable|prefer|require|verify-full&table=NAME] \
                (the table, pgpmail_queue by default, is created if missing). Without QUEUE the URL is read \
                from PGPMAIL_QUEUE_URL. Processes on any number of machines may drain one PostgreSQL queue.
                """,
            subcommands: [Add.self, Process.self, Status.self])
    }

    /// The `QUEUE` argument shared by the subcommands.
    struct QueueArgument: ParsableArguments {
        @Argument(
            help: ArgumentHelp(
                "A queue directory or a postgres:// URL (default: $PGPMAIL_QUEUE_URL).", valueName: "QUEUE"))
        var queue: String?

        func location() throws -> QueueLocation {
            try QueueLocation(argument: queue)
        }
    }
}

extension PGPMailCommand.Queue {
    /// `pgpmail queue add DIR`: renders one message (signed and/or encrypted) and stores it.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a message and store it in the queue directory; prints the entry ID of each copy.",
            discussion: """
                The message is rendered, signed and encrypted now, once: every delivery attempt sends \
                exactly these bytes. Encrypting for Bcc recipients stores one copy per Bcc recipient \
                more, so no reader sees another's key. QUEUE '*' prints the rendered message instead of \
                queueing it (the PSMTP Queue("*") form).
                """)

        @OptionGroup
        var queueArgument: PGPMailCommand.QueueArgument

        @OptionGroup(title: "Message")
        var message: MessageContentOptions

        @OptionGroup
        var recipients: ToOptions

        @OptionGroup(title: "OpenPGP")
        var openPGP: OpenPGPOptions

        @OptionGroup(title: "DKIM")
        var dkim: DKIMOptions

        @Option(
            help: ArgumentHelp(
                "Ask for delivery status notifications (RFC 3461): success,failure,delay or never.", valueName: "list"))
        var dsnNotify: SendDSNNotify?

        @Option(
            help: ArgumentHelp(
                "PostgreSQL queues: a key that makes a repeated add queue nothing new (prints the existing entry).",
                valueName: "key"))
        var idempotencyKey: String?

        func validate() throws {
            if idempotencyKey != nil, queueArgument.queue != "*", try !queueArgument.location().isPostgres {
                throw ValidationError("--idempotency-key needs a PostgreSQL queue")
            }
        }

        func run() async throws {
            do {
                let preparation = try MessagePreparation(content: message, openPGP: openPGP, dkim: dkim)
                let to = recipients.to
                if queueArgument.queue == "*" {
                    let rendered = try await NIOThreadPool.singleton.runIfActive {
                        try preparation.rendered(to: to)
                    }
                    FileHandle.standardOutput.write(Data(rendered.bytes))
                    return
                }
                // One entry per copy: with Bcc recipients and encryption, one per Bcc recipient more.
                let copies = try await NIOThreadPool.singleton.runIfActive {
                    try preparation.deliveries(to: to).map { try preparation.finish($0) }
                }
                let outgoing = copies.map { rendered in
                    var outgoing = SMTPOutgoingMessage(rendered)
                    if let dsnNotify {
                        for index in outgoing.envelope.recipients.indices {
                            outgoing.envelope.recipients[index].notify = dsnNotify.notify
                        }
                    }
                    return outgoing
                }
                let key = idempotencyKey
                let ids = try await queueArgument.location().withQueue { queue in
                    var ids: [MailQueueEntryID] = []
                    for (number, mail) in outgoing.enumerated() {
                        if let postgres = queue as? PostgresMailQueue, let key {
                            // One key per copy: the first copy's is the key as given.
                            let copyKey = number == 0 ? key : "\(key)#\(number)"
                            ids.append(try await postgres.enqueue(mail, idempotencyKey: copyKey))
                        } else {
                            ids.append(try await queue.enqueue(mail))
                        }
                    }
                    return ids
                }
                for id in ids {
                    print(id)
                }
            } catch {
                SendFailure(error, phase: .preparation).report(command: "queue add")
                throw ExitCode.failure
            }
        }
    }

    /// `pgpmail queue process DIR`: delivers the queue through a pool of connections.
    struct Process: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver the queued messages through a pool of SMTP connections.",
            discussion: """
                Exits when no entry is left queued or claimed (waiting for retry times and for \
                other processes' leases); with --watch keeps waiting for new entries. Several \
                processes, on one machine or (PostgreSQL) many, may drain one queue at once. Ends \
                with the line \
                'sent N failed N seconds S rate R msg/s'. Exit status: 0 none failed, 1 some \
                failed or the queue could not be read, 2 usage error.
                """)

        @OptionGroup
        var queueArgument: PGPMailCommand.QueueArgument

        @OptionGroup(title: "Server")
        var server: ServerOptions

        @OptionGroup(title: "Pool")
        var pool: PoolOptions

        @Flag(help: "Keep delivered messages (in DIR/sent) instead of deleting them (KeepQueue).")
        var keep = false

        @Option(
            help: ArgumentHelp(
                "How long a claim lasts without renewal before another process may take the entry over.",
                valueName: "seconds"))
        var lease: Double = 60

        @Flag(help: "Keep running and deliver new entries as they arrive.")
        var watch = false

        func validate() throws {
            guard lease >= 1 && lease <= 86400 else {
                throw ValidationError("--lease must be between 1 and 86400 seconds")
            }
        }

        func run() async throws {
            let location: QueueLocation
            let configuration: SMTPClient.Configuration
            do {
                location = try queueArgument.location()
                configuration = pool.clientConfiguration(session: try server.sessionConfiguration())
            } catch {
                SendFailure(error, phase: .preparation).report(command: "queue process")
                throw ExitCode(PGPMailCommand.usageExitCode)
            }
            var workerConfiguration = MailQueueWorker.Configuration()
            workerConfiguration.lease = .milliseconds(Int64(lease * 1000))
            workerConfiguration.keepSentMessages = keep
            workerConfiguration.maximumInFlight = 2 * pool.connections
            if location.isPostgres {
                // New entries wake the worker (LISTEN/NOTIFY); the poll only finds retries coming due
                // and other processes' expired leases.
                workerConfiguration.pollInterval = .seconds(2)
            }
            let watch = self.watch
            let trail = server.trail
            let outcome: (progress: ProgressReporter, failure: (any Error)?)
            do {
                outcome = try await location.withQueue { queue in
                    await Self.drain(
                        queue, configuration: configuration, worker: workerConfiguration, watch: watch, trail: trail)
                }
            } catch {
                SendFailure(error, phase: .preparation).report(command: "queue process")
                throw ExitCode.failure
            }
            print(outcome.progress.summary)
            if let failure = outcome.failure {
                SendFailure(failure, phase: .preparation).report(command: "queue process")
                throw ExitCode.failure
            }
            if outcome.progress.failed > 0 {
                throw ExitCode.failure
            }
        }

        /// Runs a client and a worker on `queue` until it is drained (or, with `watch`, until
        /// interrupted); returns the progress and the queue's error, if any.
        static func drain(
            _ queue: any MailQueue, configuration: SMTPClient.Configuration,
            worker workerConfiguration: MailQueueWorker.Configuration, watch: Bool, trail: Bool
        ) async -> (progress: ProgressReporter, failure: (any Error)?) {
            let pending = try? await queue.status()
            let progress = ProgressReporter(
                total: watch ? nil : pending.map { ($0.counts[.queued] ?? 0) + ($0.counts[.claimed] ?? 0) })
            let client = SMTPClient(configuration: configuration, logger: PGPMailCommand.Bulk.logger(trail: trail))
            let worker = MailQueueWorker(queue: queue, client: client, configuration: workerConfiguration)
            let failure: (any Error)? = await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await client.run() }
                let reporter = Task { await progress.run() }
                var failure: (any Error)?
                do {
                    try await worker.run(until: watch ? .cancelled : .drained) { outcome in
                        switch outcome {
                        case .sent: progress.recordSent()
                        case .failed(let id, let reason):
                            progress.recordFailed()
                            Self.report("failed: \(id): \(reason)")
                        case .deferred(let id, let reason, _):
                            Self.report("deferred: \(id): \(reason)")
                        case .claimLost(let id):
                            Self.report("claim lost (lease expired while sending): \(id)")
                        }
                    }
                } catch {
                    failure = error
                }
                reporter.cancel()
                await reporter.value
                client.beginGracefulShutdown()
                await group.waitForAll()
                return failure
            }
            return (progress, failure)
        }

        static func report(_ text: String) {
            FileHandle.standardError.write(Data("pgpmail queue process: \(text)\n".utf8))
        }
    }

    /// `pgpmail queue status DIR`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the number of entries in each state and the oldest pending entry.")

        @OptionGroup
        var queueArgument: PGPMailCommand.QueueArgument

        func run() async throws {
            do {
                let status = try await queueArgument.location().withQueue { try await $0.status() }
                for state in MailQueueEntryState.allCases {
                    print("\(state.rawValue) \(status.counts[state] ?? 0)")
                }
                let formatter = ISO8601DateFormatter()
                print("oldest \(status.oldestQueued.map(formatter.string(from:)) ?? "-")")
                print("next-attempt \(status.nextAttempt.map(formatter.string(from:)) ?? "-")")
            } catch {
                SendFailure(error, phase: .preparation).report(command: "queue status")
                throw ExitCode.failure
            }
        }
    }
}
