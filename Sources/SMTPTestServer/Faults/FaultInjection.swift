import NIOConcurrencyHelpers

extension SMTPTestServer {
    /// A seeded, reproducible plan of random faults, turned into a `Responder` for
    /// `Configuration.responder`: dropped connections, `421`, transient `451`/`452`/`454` and
    /// permanent `550` replies, messages taken without a reply, and stalls.
    ///
    /// Each probability is per command the fault applies to (see the properties); at most one
    /// fault is chosen per command, and a stall may come on top of it. Every probability is
    /// `0` unless set, so `FaultInjection(seed:)` injects nothing; `mixed(seed:)` is a ready mix.
    ///
    /// ```swift
    /// var faults = SMTPTestServer.FaultInjection(seed: 42)
    /// faults.transientFailure = 0.05
    /// faults.stall = 0.01
    /// let configuration = SMTPTestServer.Configuration(responder: faults.responder())
    /// ```
    ///
    /// Every connection draws from its own stream of the seed, chosen by its connection number,
    /// so the faults on a connection depend only on the seed, the connection number and the
    /// commands before on that connection, not on how connections interleave.
    public struct FaultInjection: Sendable, Hashable {
        /// The seed all random decisions follow from.
        public var seed: UInt64
        /// Closing the connection without a reply, at any command (the greeting and the end of
        /// the content included; a message dropped there is not recorded).
        public var disconnect: Double
        /// At `DATA`: replying `354`, then closing the connection part way through the content,
        /// after a number of octets drawn from `dropAfterOctets`.
        public var dropDuringData: Double
        /// The range the octets before a `dropDuringData` are drawn from. Content shorter than
        /// the octets drawn arrives whole, and the message is accepted as usual.
        public var dropAfterOctets: ClosedRange<Int>
        /// At the end of the content: recording the message, then closing the connection
        /// without the final reply (`Response.acceptThenDisconnect`), so a client may send it twice.
        public var acceptThenDisconnect: Double
        /// Replying `421` and closing the connection, at any command.
        public var serviceUnavailable: Double
        /// Replying `451`, `452` or `454` (equally often) at `MAIL`, `RCPT`, `DATA` or the end
        /// of the content; a message rejected at its end is not recorded.
        public var transientFailure: Double
        /// Replying `550` at `RCPT` or at the end of the content.
        public var permanentFailure: Double
        /// Waiting before the answer (whichever fault, or none, was chosen), at any command.
        public var stall: Double
        /// The range the length of a stall is drawn from.
        public var stallDuration: ClosedRange<Duration>

        /// Creates a plan; every probability is in `0...1` and `0` unless given.
        public init(
            seed: UInt64,
            disconnect: Double = 0,
            dropDuringData: Double = 0,
            dropAfterOctets: ClosedRange<Int> = 0...100,
            acceptThenDisconnect: Double = 0,
            serviceUnavailable: Double = 0,
            transientFailure: Double = 0,
            permanentFailure: Double = 0,
            stall: Double = 0,
            stallDuration: ClosedRange<Duration> = .zero ... .milliseconds(200)
        ) {
            precondition(dropAfterOctets.lowerBound >= 0, "dropAfterOctets must not be negative")
            precondition(stallDuration.lowerBound >= .zero, "stallDuration must not be negative")
            self.seed = seed
            self.disconnect = disconnect
            self.dropDuringData = dropDuringData
            self.dropAfterOctets = dropAfterOctets
            self.acceptThenDisconnect = acceptThenDisconnect
            self.serviceUnavailable = serviceUnavailable
            self.transientFailure = transientFailure
            self.permanentFailure = permanentFailure
            self.stall = stall
            self.stallDuration = stallDuration
        }

        /// A mix of every fault, at rates that fault roughly one message transaction in seven,
        /// with `acceptThenDisconnect` rarer than the rest: `0.005` for `disconnect` and
        /// `serviceUnavailable`, `0.01` for `dropDuringData`, `0.02` for `transientFailure`,
        /// `0.005` for `permanentFailure`, `0.002` for `acceptThenDisconnect`, and `0.02` for
        /// stalls of up to 200 ms.
        public static func mixed(seed: UInt64) -> FaultInjection {
            FaultInjection(
                seed: seed, disconnect: 0.005, dropDuringData: 0.01, acceptThenDisconnect: 0.002,
                serviceUnavailable: 0.005, transientFailure: 0.02, permanentFailure: 0.005, stall: 0.02)
        }

        /// A responder that injects the planned faults. When `base` is given it is asked first
        /// and its answer wins; the plan decides only where it returns `nil` (its random draws
        /// are made either way, so `base` does not shift them). Each call starts the streams
        /// afresh: two responders of the same plan make the same decisions.
        public func responder(composedWith base: Responder? = nil) -> Responder {
            let plan = self
            // Connections run on several event loop threads; each has its own generator.
            let generators = NIOLockedValueBox([Int: SeededGenerator]())
            return { command, context in
                let planned = generators.withLockedValue { generators in
                    let number = context.connectionNumber
                    var generator =
                        generators[number]
                        ?? SeededGenerator(seed: plan.seed, stream: UInt64(truncatingIfNeeded: number))
                    defer { generators[number] = generator }
                    return plan.response(to: command, using: &generator)
                }
                return base?(command, context) ?? planned
            }
        }
    }
}
