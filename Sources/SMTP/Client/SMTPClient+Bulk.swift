import AsyncAlgorithms

/// A message ready to send: its envelope and its complete rendered bytes.
public struct SMTPOutgoingMessage: Hashable, Sendable {
    /// MAIL FROM, RCPT TO and their parameters.
    public var envelope: SMTPEnvelope
    /// The complete message (headers and body), exactly as it is to be delivered.
    public var content: [UInt8]

    /// Creates a message from its envelope and rendered bytes.
    public init(envelope: SMTPEnvelope, content: [UInt8]) {
        self.envelope = envelope
        self.content = content
    }
}

/// The outcome of one message of ``SMTPClient/send(contentsOf:maximumInFlight:)``.
public struct SMTPBulkOutcome: Sendable {
    /// The message's position in the input sequence, counted from 0.
    public let index: Int
    /// The delivery result, or why the message was not delivered (an ``SMTPError``, or the
    /// error of preparing the message).
    public let result: Result<SMTPDeliveryResult, any Error>
}

extension SMTPClient {
    /// Sends every message of `messages` through the pool and yields one outcome per message,
    /// in the order they finish.
    ///
    /// At most `maximumInFlight` messages are taken from `messages` and not yet reported
    /// (by default twice ``Configuration/maximumConnections``): the input is read only as
    /// fast as messages are delivered and their outcomes consumed, so a producer of a
    /// million messages never has more than that many in memory. The work starts when the
    /// returned sequence is iterated and stops (in-flight sends cancelled) when its iterator
    /// is dropped. An error thrown by `messages` ends the sequence with that error after the
    /// messages already taken have been reported.
    public func send<Messages: AsyncSequence & Sendable>(
        contentsOf messages: Messages, maximumInFlight: Int? = nil
    ) -> SMTPBulkDeliveries where Messages.Element == SMTPOutgoingMessage {
        self.send(contentsOf: messages, maximumInFlight: maximumInFlight) { $0 }
    }

    /// Sends every element of `messages` after turning it into an ``SMTPOutgoingMessage``
    /// with `prepare` (for example rendering and encrypting it), as
    /// ``send(contentsOf:maximumInFlight:)`` does. Preparing the next messages overlaps
    /// the delivery of the current ones; a message whose preparation throws is reported with
    /// that error and not sent.
    public func send<Messages: AsyncSequence & Sendable>(
        contentsOf messages: Messages, maximumInFlight: Int? = nil,
        preparing prepare: @escaping @Sendable (Messages.Element) async throws -> SMTPOutgoingMessage
    ) -> SMTPBulkDeliveries where Messages.Element: Sendable {
        let window = max(1, maximumInFlight ?? 2 * self.configuration.maximumConnections)
        return SMTPBulkDeliveries { channel in
            var inputError: (any Error)?
            await withTaskGroup(of: SMTPBulkOutcome.self) { group in
                var inFlight = 0
                var index = 0
                do {
                    for try await element in messages {
                        if inFlight >= window, let outcome = await group.next() {
                            inFlight -= 1
                            await channel.send(outcome)
                        }
                        let position = index
                        group.addTask {
                            do {
                                let message = try await prepare(element)
                                let result = try await self.send(envelope: message.envelope, body: message.content)
                                return SMTPBulkOutcome(index: position, result: .success(result))
                            } catch {
                                return SMTPBulkOutcome(index: position, result: .failure(error))
                            }
                        }
                        inFlight += 1
                        index += 1
                    }
                } catch {
                    inputError = error
                }
                while let outcome = await group.next() {
                    await channel.send(outcome)
                }
            }
            if let inputError {
                channel.fail(inputError)
            } else {
                channel.finish()
            }
        }
    }
}

/// The outcomes of a bulk send, one per message, in the order the messages finish; see
/// ``SMTPClient/send(contentsOf:maximumInFlight:)``.
public struct SMTPBulkDeliveries: AsyncSequence, Sendable {
    public typealias Element = SMTPBulkOutcome

    let produce: @Sendable (AsyncThrowingChannel<SMTPBulkOutcome, any Error>) async -> Void

    init(_ produce: @escaping @Sendable (AsyncThrowingChannel<SMTPBulkOutcome, any Error>) async -> Void) {
        self.produce = produce
    }

    /// Starts the deliveries.
    public func makeAsyncIterator() -> AsyncIterator {
        let channel = AsyncThrowingChannel<SMTPBulkOutcome, any Error>()
        let produce = self.produce
        return AsyncIterator(
            channel: channel.makeAsyncIterator(), producer: ProducerHandle(Task { await produce(channel) }))
    }

    /// Yields the outcomes; dropping it cancels the deliveries still running.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var channel: AsyncThrowingChannel<SMTPBulkOutcome, any Error>.Iterator
        let producer: ProducerHandle

        /// The next outcome, or `nil` when every message has been reported.
        public mutating func next() async throws -> SMTPBulkOutcome? {
            try await self.channel.next()
        }
    }

    /// Cancels the producing task when the last iterator copy goes away.
    final class ProducerHandle: Sendable {
        let task: Task<Void, Never>

        init(_ task: Task<Void, Never>) {
            self.task = task
        }

        deinit {
            self.task.cancel()
        }
    }
}
