import Foundation
import Testing

@testable import PGPMail

@Suite("Directory queue: concurrent workers, leases, recovery, corrupt files")
struct ConcurrencyAndRecoveryTests {
    @Test("many tasks on several queue instances drain one directory, every entry claimed exactly once")
    func concurrentClaimers() async throws {
        try await withQueueDirectory { path in
            let writer = try makeQueue(path)
            var mails: [MailQueueEntryID: QueuedMail] = [:]
            for index in 0..<300 {
                mails[try await writer.enqueue(sampleMail("c\(index)"))] = sampleMail("c\(index)")
            }
            let enqueued = mails
            // Four instances stand for four processes: they share nothing but the directory.
            let queues = try (0..<4).map { _ in try makeQueue(path) }
            let claimed = try await withThrowingTaskGroup(of: [MailQueueEntryID].self) { group in
                for worker in 0..<24 {
                    let queue = queues[worker % queues.count]
                    let owner = "worker-\(worker)"
                    group.addTask {
                        var mine: [MailQueueEntryID] = []
                        while true {
                            let claims = try await queue.claim(owner: owner, lease: .seconds(60), limit: 3)
                            if claims.isEmpty {
                                return mine
                            }
                            for claim in claims {
                                #expect(claim.mail == enqueued[claim.id])
                                try await queue.complete(claim.id, owner: owner, keep: claim.id.rawValue.hasSuffix("0"))
                                mine.append(claim.id)
                            }
                        }
                    }
                }
                var all: [MailQueueEntryID] = []
                for try await ids in group {
                    all += ids
                }
                return all
            }
            #expect(claimed.count == enqueued.count)
            #expect(Set(claimed) == Set(enqueued.keys))
            let status = try await writer.status()
            #expect(status.counts[.queued] == 0)
            #expect(status.counts[.claimed] == 0)
        }
    }

    @Test("an expired lease is recovered; the stale owner gets claimLost and cannot disturb the new claim")
    func leaseExpiryAndStaleOwner() async throws {
        try await withQueueDirectory { path in
            // No check depends on the machine's speed: `held` is claimed for an hour, `id` for a
            // millisecond.
            let stale = try makeQueue(path)
            let both = [try await stale.enqueue(sampleMail("one")), try await stale.enqueue(sampleMail("two"))]
            let held = try #require(try await stale.claim(owner: "stale", lease: .seconds(3600), limit: 1).first?.id)
            let id = try #require(both.first { $0 != held })
            // Not expired: nothing to recover.
            #expect(try await makeQueue(path).recover() == 0)
            let first = try await stale.claim(owner: "stale", lease: .milliseconds(1), limit: 1)
            #expect(first.map(\.id) == [id])
            try await Task.sleep(for: .milliseconds(20))

            let other = try makeQueue(path)
            #expect(try await other.recover() == 1)
            let second = try await other.claim(owner: "fresh", lease: .seconds(60), limit: 1)
            #expect(second.map(\.id) == [id])
            #expect(second.first?.attempts == 1)

            for report in [
                { try await stale.complete(id, owner: "stale", keep: false) },
                { try await stale.complete(id, owner: "stale", keep: true) },
                { try await stale.fail(id, owner: "stale", reason: "late") },
                { try await stale.retryLater(id, owner: "stale", reason: "late", notBefore: Date()) },
                { try await stale.renew(id, owner: "stale", lease: .seconds(60)) },
            ] as [() async throws -> Void] {
                #expect(await queueError(report)?.code == .claimLost)
            }
            #expect(Set(try other.entries(in: .claimed)) == [held, id])
            #expect(try other.lastError(of: id) == nil)
            try await other.complete(id, owner: "fresh", keep: true)
            #expect(try other.entries(in: .sent) == [id])
        }
    }

    @Test("the stale owner gets claimLost even when the entry is claimed again by the same instance")
    func staleOwnerSameInstance() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let id = try await queue.enqueue(sampleMail())
            _ = try await queue.claim(owner: "a", lease: .milliseconds(100), limit: 1)
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await queue.recover() == 1)
            #expect(try await queue.claim(owner: "b", lease: .seconds(60), limit: 1).map(\.id) == [id])
            #expect(await queueError { try await queue.fail(id, owner: "a", reason: "late") }?.code == .claimLost)
            try await queue.retryLater(id, owner: "b", reason: "421 busy", notBefore: Date())
            #expect(try queue.entries(in: .queued) == [id])
            #expect(try queue.lastError(of: id) == "421 busy")
        }
    }

    @Test("renew keeps a claim past its first lease")
    func renew() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let id = try await queue.enqueue(sampleMail())
            _ = try await queue.claim(owner: "w", lease: .milliseconds(100), limit: 1)
            try await queue.renew(id, owner: "w", lease: .seconds(60))
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await makeQueue(path).recover() == 0)
            #expect(
                await queueError { try await queue.renew(id, owner: "someone else", lease: .seconds(1)) }?.code
                    == .claimLost)
            // A worker may report through another instance (for example after reopening the queue).
            try await makeQueue(path).complete(id, owner: "w", keep: false)
            #expect(try queue.state(of: id) == nil)
        }
    }

    @Test("several instances recovering at once return each expired claim exactly once")
    func concurrentRecover() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            for index in 0..<60 {
                _ = try await queue.enqueue(sampleMail("r\(index)"))
            }
            #expect(try await queue.claim(owner: "dead", lease: .milliseconds(100), limit: 100).count == 60)
            try await Task.sleep(for: .milliseconds(250))
            let queues = try (0..<6).map { _ in try makeQueue(path) }
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for recoverer in queues {
                    group.addTask { try await recoverer.recover() }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 60)
            let again = try await queue.claim(owner: "alive", lease: .seconds(60), limit: 100)
            #expect(again.count == 60)
            #expect(Set(again.map(\.attempts)) == [1])
        }
    }

    @Test("truncated and garbled entry files give corruptEntry with the path; claim moves them to failed")
    func corruptFiles() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let truncated = try await queue.enqueue(sampleMail("truncated"))
            let garbled = try await queue.enqueue(sampleMail("garbled"))
            let good = try await queue.enqueue(sampleMail("good"))
            let names = try fileNames(path, "queued")
            let truncatedPath = path + "/queued/" + names[0]
            let garbledPath = path + "/queued/" + names[1]
            var bytes = try Data(contentsOf: URL(fileURLWithPath: truncatedPath))
            try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: truncatedPath))
            bytes = try Data(contentsOf: URL(fileURLWithPath: garbledPath))
            bytes[bytes.count - 20] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: garbledPath))

            for (id, file) in [(truncated, truncatedPath), (garbled, garbledPath)] {
                do {
                    _ = try queue.mail(of: id)
                    Issue.record("corrupt entry \(id) was read")
                } catch let error as MailQueueError {
                    #expect(error.code == .corruptEntry)
                    #expect(error.path == file)
                    #expect(error.description.contains(file))
                }
            }

            let claims = try await queue.claim(owner: "w", lease: .seconds(60), limit: 10)
            #expect(claims.map(\.id) == [good])
            #expect(try queue.entries(in: .failed) == [truncated, garbled])
            #expect(try queue.failureReason(of: truncated)?.contains("corrupt") == true)
        }
    }

    @Test("recover removes temporary files older than the limit and keeps fresh ones")
    func staleTemporaryFiles() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let old = path + "/tmp/0000000000abcdefghijklmnop.entry"
            let fresh = path + "/tmp/0000000001abcdefghijklmnop.entry"
            #expect(FileManager.default.createFile(atPath: old, contents: Data("partial".utf8)))
            #expect(FileManager.default.createFile(atPath: fresh, contents: Data("partial".utf8)))
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: old)
            #expect(try await queue.recover() == 0)
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(FileManager.default.fileExists(atPath: fresh))
            // Temporary files are never entries.
            #expect(try await queue.claim(owner: "w", lease: .seconds(1), limit: 10).isEmpty)
            #expect(try await queue.status().counts.values.reduce(0, +) == 0)
        }
    }

    @Test("draining many entries in small batches lists the directory rarely")
    func manySmallClaims() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            var enqueued: [MailQueueEntryID] = []
            for index in 0..<2000 {
                enqueued.append(try await queue.enqueue(sampleMail("p\(index)")))
            }
            var claimed: [MailQueueEntryID] = []
            var calls = 0
            while true {
                calls += 1
                let claims = try await queue.claim(owner: "w", lease: .seconds(60), limit: 7)
                if claims.isEmpty {
                    break
                }
                claimed += claims.map(\.id)
                for claim in claims {
                    try await queue.complete(claim.id, owner: "w", keep: false)
                }
            }
            #expect(claimed == enqueued)
            // One listing serves many claims (it is renewed when used up, or every two seconds).
            #expect(calls > 280)
            #expect(queue.dueListings < calls / 4)
        }
    }
}
