import Foundation
import Testing

@testable import PGPMail

@Suite("Directory queue: claim, complete, fail, retry, status")
struct LifecycleTests {
    @Test("claim hands out due entries oldest first, with attempts 0 and the enqueue time")
    func claimOldestFirst() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            var ids: [MailQueueEntryID] = []
            for index in 0..<5 {
                ids.append(try await queue.enqueue(sampleMail("m\(index)")))
            }
            #expect(ids == ids.sorted())
            let first = try await queue.claim(owner: "w1", lease: .seconds(60), limit: 2)
            #expect(first.map(\.id) == Array(ids[0..<2]))
            #expect(first.map(\.attempts) == [0, 0])
            #expect(first.map(\.owner) == ["w1", "w1"])
            #expect(first[0].mail == sampleMail("m0"))
            #expect(first[0].enqueuedAt == ids[0].enqueuedAt)
            #expect(first[0].leaseExpiry > Date().addingTimeInterval(50))
            let rest = try await queue.claim(owner: "w2", lease: .seconds(60), limit: 10)
            #expect(rest.map(\.id) == Array(ids[2...]))
            #expect(try await queue.claim(owner: "w3", lease: .seconds(60), limit: 10).isEmpty)
            #expect(try queue.entries(in: .claimed) == ids)
        }
    }

    @Test("complete deletes the entry; with keep it moves to sent")
    func complete() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let deleted = try await queue.enqueue(sampleMail("a"))
            let kept = try await queue.enqueue(sampleMail("b"))
            _ = try await queue.claim(owner: "w", lease: .seconds(60), limit: 2)
            try await queue.complete(deleted, owner: "w", keep: false)
            try await queue.complete(kept, owner: "w", keep: true)
            #expect(try queue.mail(of: deleted) == nil)
            #expect(try queue.state(of: deleted) == nil)
            #expect(try queue.entries(in: .sent) == [kept])
            #expect(try queue.mail(of: kept) == sampleMail("b"))
            #expect(try queue.entries(in: .claimed).isEmpty)
            // A second report of the same claim finds nothing to report on.
            #expect(await queueError { try await queue.complete(kept, owner: "w", keep: true) }?.code == .claimLost)
        }
    }

    @Test("fail moves the entry to failed with its reason stored beside it")
    func fail() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let id = try await queue.enqueue(sampleMail())
            let other = try await queue.enqueue(sampleMail("other"))
            _ = try await queue.claim(owner: "w", lease: .seconds(60), limit: 1)
            let reason = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
            try await queue.fail(id, owner: "w", reason: reason)
            #expect(try queue.entries(in: .failed) == [id])
            #expect(try queue.failureReason(of: id) == reason)
            #expect(try queue.lastError(of: id) == reason)
            #expect(try queue.mail(of: id) == sampleMail())
            #expect(throws: MailQueueError.self) { try queue.failureReason(of: other) }
            #expect(try await queue.claim(owner: "w", lease: .seconds(60), limit: 5).map(\.id) == [other])
        }
    }

    @Test("retryLater: not due before notBefore, then claimed again with attempts counted")
    func retryLater() async throws {
        // No test here depends on how fast the machine is: the deferred entry is due in an
        // hour, the retried one at once.
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let later = try await queue.enqueue(sampleMail("later"))
            #expect(try await queue.claim(owner: "w", lease: .seconds(60), limit: 5).map(\.id) == [later])
            let notBefore = Date().addingTimeInterval(3600)
            try await queue.retryLater(later, owner: "w", reason: "451 later", notBefore: notBefore)
            #expect(try queue.lastError(of: later) == "451 later")
            #expect(try await queue.claim(owner: "w", lease: .seconds(60), limit: 5).isEmpty)
            // Another instance (another process) sees the same schedule.
            #expect(try await makeQueue(path).claim(owner: "x", lease: .seconds(60), limit: 5).isEmpty)
            let status = try await queue.status()
            #expect(status.counts[.queued] == 1)
            #expect(abs((status.nextAttempt ?? .distantPast).timeIntervalSince(notBefore)) < 0.002)

            let soon = try await queue.enqueue(sampleMail("soon"))
            for attempt in 0..<3 {
                let claims = try await queue.claim(owner: "w", lease: .seconds(60), limit: 5)
                #expect(claims.map(\.id) == [soon])
                #expect(claims.first?.attempts == attempt)
                try await queue.retryLater(soon, owner: "w", reason: "451 try \(attempt)", notBefore: Date())
                #expect(try queue.lastError(of: soon) == "451 try \(attempt)")
            }
            let last = try await makeQueue(path).claim(owner: "w2", lease: .seconds(60), limit: 5)
            #expect(last.map(\.id) == [soon])
            #expect(last.map(\.attempts) == [3])
            try await makeQueue(path).complete(soon, owner: "w2", keep: false)
            // Only the deferred entry keeps its last error.
            #expect(try fileNames(path, "reasons").allSatisfy { $0.hasPrefix(later.description) })
            #expect(try queue.entries(in: .queued) == [later])
        }
    }

    @Test("with fsync on (the default) every transition works the same")
    func synchronised() async throws {
        try await withQueueDirectory { path in
            let queue = try DirectoryMailQueue(directory: path)
            #expect(queue.fileSystemSync)
            var ids: [MailQueueEntryID] = []
            for index in 0..<4 {
                ids.append(try await queue.enqueue(sampleMail("f\(index)")))
            }
            let claims = try await queue.claim(owner: "w", lease: .seconds(60), limit: 4)
            #expect(claims.map(\.id) == ids)
            try await queue.renew(ids[0], owner: "w", lease: .seconds(120))
            try await queue.complete(ids[0], owner: "w", keep: false)
            try await queue.complete(ids[1], owner: "w", keep: true)
            try await queue.fail(ids[2], owner: "w", reason: "554 no")
            try await queue.retryLater(ids[3], owner: "w", reason: "451 later", notBefore: Date())
            let status = try await queue.status()
            #expect(status.counts == [.queued: 1, .claimed: 0, .sent: 1, .failed: 1])
            #expect(try queue.failureReason(of: ids[2]) == "554 no")
        }
    }

    @Test("status counts every state and reports the oldest pending entry")
    func status() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let empty = try await queue.status()
            #expect(empty.counts == [.queued: 0, .claimed: 0, .sent: 0, .failed: 0])
            #expect(empty.oldestQueued == nil)
            #expect(empty.nextAttempt == nil)

            var ids: [MailQueueEntryID] = []
            for index in 0..<6 {
                ids.append(try await queue.enqueue(sampleMail("s\(index)")))
            }
            _ = try await queue.claim(owner: "w", lease: .seconds(60), limit: 4)
            try await queue.complete(ids[0], owner: "w", keep: true)
            try await queue.fail(ids[1], owner: "w", reason: "no")
            // ids[2] and ids[3] stay claimed; ids[4] and ids[5] are queued.
            let status = try await queue.status()
            #expect(status.counts == [.queued: 2, .claimed: 2, .sent: 1, .failed: 1])
            #expect(status.oldestQueued == ids[2].enqueuedAt)
            #expect(status.nextAttempt.map { $0 <= Date() } == true)
            #expect(try queue.entries(in: .queued) == [ids[4], ids[5]])
        }
    }

    @Test("the queue directory is created, reopened, and refused when unusable")
    func openingTheDirectory() async throws {
        try await withQueueDirectory { path in
            let id = try await makeQueue(path).enqueue(sampleMail())
            #expect(try makeQueue(path).entries(in: .queued) == [id])
            for state in ["tmp", "queued", "claimed", "sent", "failed", "reasons"] {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: path + "/" + state, isDirectory: &isDirectory))
                #expect(isDirectory.boolValue)
            }

            let file = path + "/tmp/not-a-directory"
            #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
            #expect(await queueError { _ = try makeQueue(file) }?.code == .invalidQueue)

            let foreign = path + "/foreign"
            try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
            #expect(FileManager.default.createFile(atPath: foreign + "/notes.txt", contents: Data("x".utf8)))
            #expect(await queueError { _ = try makeQueue(foreign) }?.code == .invalidQueue)
            #expect(await queueError { _ = try makeQueue(path + "/missing/parent") }?.code == .invalidQueue)
        }
    }
}
