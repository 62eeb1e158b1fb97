import Logging
import PostgresNIO
import ServiceLifecycle

extension PostgresMailQueue: Service {
    /// Listens on the queue's `NOTIFY` channel and wakes idle workers (``waitForWork(since:timeout:)``) whenever
    /// an entry is enqueued, until graceful shutdown or cancellation. Holds one connection of the client; after a
    /// lost connection it listens again after a second and wakes the workers once, since notifications sent in
    /// between were missed.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.client.withConnection { connection in
                        try await connection.listen(on: self.channel) { notifications in
                            // Entries enqueued before LISTEN took effect sent their notifications to nobody.
                            self.wakeUps.signal()
                            for try await _ in notifications {
                                self.wakeUps.signal()
                            }
                        }
                    }
                } catch  where Task.isCancelled {
                    return
                } catch {
                    self.logger.warning(
                        "listening for new queue entries failed; idle workers poll until it works again",
                        metadata: ["error": "\(error)"])
                }
                // Cancelled (the notifications end quietly then), or listen again after a pause.
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
            }
        }
    }
}
