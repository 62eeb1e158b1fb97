import NIOConcurrencyHelpers

extension SMTPClient {
    /// Sends a message through the pool: waits for a connection, sends, retries transient
    /// failures with the same bytes (see ``Configuration/retryPolicy``), within
    /// ``Configuration/messageDeadline`` if one is set. Safe to call from any number of tasks
    /// at once; waits until ``run()`` is running.
    ///
    /// - Parameters:
    ///   - envelope: The sender and recipients.
    ///   - body: The complete rendered message (headers and body).
    /// - Returns: The accepted and refused recipients and the server's final reply.
    /// - Throws: ``SMTPError``: the last attempt's error when retries are exhausted or the
    ///   failure is permanent (a `5yz` reply, an invalid message);
    ///   ``SMTPError/Code/timeout`` past the deadline; ``SMTPError/Code/sessionShutDown`` once the
    ///   client is shutting down.
    @discardableResult
    public func send(envelope: SMTPEnvelope, body: [UInt8]) async throws(SMTPError) -> SMTPDeliveryResult {
        let id = try self.admit()
        self.broadcaster.publish(.queued(id))
        let start = ContinuousClock.now
        let attempts = NIOLockedValueBox(0)
        let outcome: Result<SMTPDeliveryResult, SMTPError>
        if let deadline = self.configuration.messageDeadline {
            outcome = await self.withDeadline(deadline) {
                await self.deliver(id, envelope: envelope, body: body, attempts: attempts)
            }
        } else {
            outcome = await self.deliver(id, envelope: envelope, body: body, attempts: attempts)
        }
        self.finish(id, outcome, attempts: attempts.withLockedValue { $0 }, elapsed: ContinuousClock.now - start)
        return try outcome.get()
    }

    /// Counts a new message in, unless the client is shutting down.
    private func admit() throws(SMTPError) -> DeliveryID {
        let id = self.state.withLockedValue { state -> DeliveryID? in
            guard state.phase == .notStarted || state.phase == .running else { return nil }
            defer { state.nextDeliveryID += 1 }
            state.statistics.queued += 1
            state.statistics.inFlight += 1
            return DeliveryID(rawValue: state.nextDeliveryID)
        }
        guard let id else {
            throw SMTPError(.sessionShutDown, "the client is shutting down and takes no new messages")
        }
        return id
    }

    /// Counts a message out; the last one out of a draining client shuts the pool down.
    private func finish(
        _ id: DeliveryID, _ outcome: Result<SMTPDeliveryResult, SMTPError>, attempts: Int, elapsed: Duration
    ) {
        let actions = self.state.withLockedValue { state -> [PoolStateMachine.Action] in
            state.statistics.inFlight -= 1
            switch outcome {
            case .success: state.statistics.sent += 1
            case .failure: state.statistics.failed += 1
            }
            return state.phase == .draining && state.statistics.inFlight == 0 ? state.pool.shutdown() : []
        }
        switch outcome {
        case .success(let result):
            self.metrics.sent.increment()
            self.metrics.latency.recordNanoseconds(elapsed.nanoseconds)
            self.broadcaster.publish(.sent(id, result, attempts: attempts))
        case .failure(let error):
            self.metrics.failed.increment()
            self.logger.debug("SMTP delivery failed", metadata: ["delivery": "\(id)", "error": "\(error)"])
            self.broadcaster.publish(.failed(id, error, attempts: attempts))
        }
        self.execute(actions)
    }

    /// Attempts until success, a permanent failure or the last allowed attempt.
    private func deliver(
        _ id: DeliveryID, envelope: SMTPEnvelope, body: [UInt8], attempts: NIOLockedValueBox<Int>
    ) async -> Result<SMTPDeliveryResult, SMTPError> {
        let policy = self.configuration.retryPolicy
        var attempt = 1
        // An attempt lost after the end of data may have delivered: every later outcome says so.
        var earlierMayHaveDelivered = false
        while true {
            do throws(SMTPError) {
                try await self.waitForRateLimit()
                attempts.withLockedValue { $0 = attempt }
                var result = try await self.attempt(envelope: envelope, body: body)
                result.mayBeDuplicate = earlierMayHaveDelivered
                return .success(result)
            } catch {
                var error = error
                earlierMayHaveDelivered = earlierMayHaveDelivered || error.mayHaveBeenDelivered
                error.mayHaveBeenDelivered = earlierMayHaveDelivered
                guard attempt < policy.maximumAttempts, SMTPRetryPolicy.isTransient(error), !Task.isCancelled else {
                    return .failure(error)
                }
                let delay = policy.backoff(afterAttempt: attempt)
                self.state.withLockedValue { $0.statistics.retried += 1 }
                self.metrics.retried.increment()
                self.broadcaster.publish(.retrying(id, attempt: attempt, delay: delay, error: error))
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    var cancelled = SMTPError(.cancelled, "the send was cancelled while waiting to retry")
                    cancelled.mayHaveBeenDelivered = earlierMayHaveDelivered
                    return .failure(cancelled)
                }
                attempt += 1
            }
        }
    }

    /// One attempt on a leased connection. A connection the server closed while it was idle
    /// is reopened in place (nothing had been sent on it).
    private func attempt(envelope: SMTPEnvelope, body: [UInt8]) async throws(SMTPError) -> SMTPDeliveryResult {
        let lease = try await self.lease()
        do {
            let result: SMTPDeliveryResult
            do {
                result = try await lease.session.send(envelope: envelope, body: body)
            } catch  where error.code == .notConnected {
                try await lease.session.connect()
                result = try await lease.session.send(envelope: envelope, body: body)
            }
            self.release(lease, reusable: true)
            return result
        } catch {
            self.release(lease, reusable: await lease.session.isConnected)
            throw error
        }
    }

    private func waitForRateLimit() async throws(SMTPError) {
        let wait = self.state.withLockedValue { state in state.pacer?.reserve(now: self.now) } ?? .zero
        guard wait > .zero else { return }
        do {
            try await Task.sleep(for: wait)
        } catch {
            throw SMTPError(.cancelled, "the send was cancelled while waiting for the rate limit")
        }
    }

    /// Runs `operation`, failing with ``SMTPError/Code/timeout`` once `deadline` has passed
    /// (the operation is cancelled: a send in progress closes its connection).
    private func withDeadline<Value: Sendable>(
        _ deadline: Duration, _ operation: @escaping @Sendable () async -> Result<Value, SMTPError>
    ) async -> Result<Value, SMTPError> {
        await withTaskGroup(of: Result<Value, SMTPError>?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first {
                return first
            }
            if Task.isCancelled {
                return .failure(SMTPError(.cancelled, "the send was cancelled"))
            }
            return .failure(SMTPError(.timeout, "the message was not delivered within its deadline of \(deadline)"))
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ attoseconds / 1_000_000_000
    }
}
