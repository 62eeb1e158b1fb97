import Foundation
import NIOConcurrencyHelpers
import NIOPosix

// The directory mail queue, in the manner of Postfix's queue manager: every entry is one immutable file, and its
// state is the directory it is in plus its file name. Every state transition is one rename(2) (or unlink(2)) of
// the exact name the caller expects; when several processes race for the same source name, exactly one rename
// succeeds and the others get ENOENT, which is how a loser knows it lost. No locks, no lock files, no daemon.
//
// Layout of DIR (all created by `init`):
//
//     DIR/.pgpmail-queue                         marker: this directory is a queue
//     DIR/tmp/<id>.entry, <id>.<n>.<random>.reason   files being written; removed by recover() after an hour
//     DIR/queued/<id>.<attempts>.<notBefore>     waiting; due when notBefore (ms since 1970) has passed
//     DIR/claimed/<id>.<attempts>.<leaseExpiry>.<owner token>   held by a worker until leaseExpiry (ms)
//     DIR/sent/<id>.<attempts>                   delivered, kept (complete with keep: true)
//     DIR/failed/<id>.<attempts>                 failed permanently
//     DIR/reasons/<id>.<n>                       the error of attempt n (0-based): fail's reason or retryLater's
//
// Transitions (a = attempts before the claim):
//
//     enqueue     write tmp/<id>.entry, fsync it, rename to queued/<id>.0.<now>, fsync queued/
//     claim       rename queued/<id>.a.<nb> → claimed/<id>.a.<expiry>.<owner>  (ENOENT: lost the race, skip)
//     renew       rename claimed/…<old expiry>… → claimed/…<new expiry>…     (ENOENT: .claimLost)
//     complete    unlink claimed/<name>, or rename it to sent/<id>.<a+1>      (ENOENT: .claimLost)
//     fail        rename claimed/<name> → failed/<id>.<a+1>, then write reasons/<id>.a
//     retryLater  rename claimed/<name> → queued/<id>.<a+1>.<notBefore>, then write reasons/<id>.a
//     recover     rename claimed/<name> with an expired lease → queued/<id>.<a+1>.<now>
//
// The attempt count and next-attempt time of a queued entry, and the owner and lease of a claim, live in the
// file name, so they survive restarts, and finding due entries or expired leases reads no file: claim lists
// queued/ and sorts the names (the ID prefix sorts by enqueue time). A stale owner can never disturb a new
// claim: its rename names the old claimed file, which is gone, so it gets ENOENT → .claimLost, and reasons are
// written only after the rename that made the writer the entry's only holder. recover() counts the lost claim as
// an attempt, so a message that crashes its worker every time still reaches a retry limit.
//
// Durability (with fileSystemSync): the entry file is fsynced before it is renamed into queued/, and the
// directories a transition changes are fsynced before it returns, except renew and claim's claimed/ (a claim or
// renewal lost in a crash only makes the entry due again, which a crash does anyway). claim fsyncs queued/ so
// that an entry taken out of it and later completed cannot reappear there after a crash.
//
// This needs a local file system with atomic rename(2) (not NFS).

/// A ``MailQueue`` in a directory shared by any number of processes and tasks: crash-safe, lock-free, one file
/// per entry (see the comment at the top of `DirectoryMailQueue.swift` for the layout).
///
/// All file I/O runs on `NIOThreadPool`, never on Swift's cooperative pool; only `init` and the synchronous
/// inspection methods (``entries(in:)``, ``mail(of:)``, ``failureReason(of:)``) block the caller.
public final class DirectoryMailQueue: MailQueue {
    /// The queue directory.
    public let directory: String
    /// Whether transitions `fsync` files and directories (turn off only for tests and throw-away queues).
    public let fileSystemSync: Bool
    /// Temporary files older than this are removed by ``recover()``.
    public let staleTemporaryFileAge: TimeInterval
    /// Entry files larger than this are reported as corrupt instead of being read.
    public let maximumEntrySize: Int

    let threadPool: NIOThreadPool
    /// Due names from the last listing of queued/, so that draining n entries lists the directory O(1) times
    /// per `scanCapacity` claims, not once per claim.
    private let dueScan = NIOLockedValueBox(DueScan())
    /// The claimed file names of the claims this instance made, so `complete` and friends need not list
    /// claimed/.
    private let heldClaims = NIOLockedValueBox([MailQueueEntryID: QueueFileName.Claimed]())

    /// How many times `claim` listed queued/ (for tests).
    var dueListings: Int { self.dueScan.withLockedValue { $0.listings } }

    private struct DueScan {
        /// Queued names that were due at `scannedAt`, newest first (taken from the end).
        var names: [String] = []
        var scannedAt: Date = .distantPast
        var listings = 0
    }

    /// How many due names one listing keeps.
    static let scanCapacity = 65_536
    /// How long a listing is used before entries that became due since (retries, recoveries by other processes)
    /// are looked for again.
    static let scanLifetime: TimeInterval = 2

    static let markerName = ".pgpmail-queue"

    /// Opens the queue in `directory`, creating the directory and its layout if missing.
    ///
    /// - Parameters:
    ///   - directory: The queue directory; its parent must exist.
    ///   - fileSystemSync: Whether to `fsync` files and directories so that a crash of the machine loses nothing.
    /// - Throws: ``MailQueueError/Code/invalidQueue`` if `directory` is not a directory, not accessible, or a
    ///   non-empty directory that is not a queue.
    public convenience init(directory: String, fileSystemSync: Bool = true) throws {
        try self.init(directory: directory, fileSystemSync: fileSystemSync, threadPool: .singleton)
    }

    /// Opens the queue in `directory` with explicit limits and thread pool.
    ///
    /// - Parameters:
    ///   - directory: The queue directory; its parent must exist.
    ///   - fileSystemSync: Whether to `fsync` files and directories.
    ///   - threadPool: Where the blocking file I/O runs.
    ///   - staleTemporaryFileAge: Age after which ``recover()`` removes temporary files.
    ///   - maximumEntrySize: The largest entry file that is read (content plus envelope).
    public init(
        directory: String, fileSystemSync: Bool = true, threadPool: NIOThreadPool,
        staleTemporaryFileAge: TimeInterval = 3600, maximumEntrySize: Int = 1 << 32
    ) throws {
        self.directory = directory
        self.fileSystemSync = fileSystemSync
        self.threadPool = threadPool
        self.staleTemporaryFileAge = staleTemporaryFileAge
        self.maximumEntrySize = maximumEntrySize
        try self.prepareLayout()
    }

    private func prepareLayout() throws(MailQueueError) {
        func invalid(_ reason: String, _ underlying: MailQueueError? = nil) -> MailQueueError {
            MailQueueError(
                .invalidQueue, "\(self.directory) cannot be used as a mail queue: \(reason)", path: self.directory,
                underlyingError: underlying)
        }
        do throws(MailQueueError) {
            switch try QueueFileSystem.kind(self.directory) {
            case .missing:
                try QueueFileSystem.makeDirectory(self.directory)
            case .other:
                throw invalid("not a directory")
            case .directory:
                break
            }
            guard QueueFileSystem.isAccessible(self.directory) else {
                throw invalid("no read, write and search permission")
            }
            let marker = self.path(Self.markerName)
            if try QueueFileSystem.kind(marker) == .missing {
                // The marker comes first, so that a process opening the queue at the same time sees either an
                // empty directory or a marked one.
                if try QueueFileSystem.list(self.directory).allSatisfy({ $0 == Self.markerName }) {
                    // Fails with EEXIST if another process is creating the queue too, which is fine.
                    try? QueueFileSystem.createFile(marker, parts: [Array("pgpmail-queue 1\n".utf8)], sync: false)
                }
                // Still missing: a directory with other files in it that nobody made a queue.
                guard try QueueFileSystem.kind(marker) != .missing else {
                    throw invalid("it is not empty and not a queue (no \(Self.markerName))")
                }
            }
            for state in ["tmp", "queued", "claimed", "sent", "failed", "reasons"] {
                try QueueFileSystem.makeDirectory(self.path(state))
                guard try QueueFileSystem.kind(self.path(state)) == .directory else {
                    throw invalid("\(self.path(state)) is not a directory")
                }
            }
            if self.fileSystemSync {
                try QueueFileSystem.syncDirectory(self.directory)
            }
        } catch {
            throw error.code == .invalidQueue ? error : invalid(error.message, error)
        }
    }

    // MARK: Paths

    func path(_ name: String) -> String {
        self.directory + "/" + name
    }

    func path(_ state: MailQueueEntryState, _ name: String) -> String {
        self.directory + "/" + state.rawValue + "/" + name
    }

    func directoryPath(_ state: MailQueueEntryState) -> String {
        self.directory + "/" + state.rawValue
    }

    var temporaryDirectory: String { self.path("tmp") }
    var reasonsDirectory: String { self.path("reasons") }

    private func sync(_ directories: String...) throws(MailQueueError) {
        guard self.fileSystemSync else {
            return
        }
        for directory in directories {
            try QueueFileSystem.syncDirectory(directory)
        }
    }

    /// Runs blocking `work` on the thread pool.
    private func offload<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await self.threadPool.runIfActive(work)
    }

    // MARK: MailQueue

    /// Stores `mail` durably and returns its ID; after this returns, a crash loses nothing.
    public func enqueue(_ mail: QueuedMail) async throws -> MailQueueEntryID {
        try await self.offload { try self.enqueueNow(mail) }
    }

    func enqueueNow(_ mail: QueuedMail) throws(MailQueueError) -> MailQueueEntryID {
        let now = Date()
        let id = MailQueueEntryID.generate(at: now)
        let temporary = self.temporaryDirectory + "/" + id.rawValue + ".entry"
        try QueueFileSystem.createFile(temporary, parts: QueueEntryFormat.encode(mail), sync: self.fileSystemSync)
        let name = QueueFileName.name(
            QueueFileName.Queued(id: id, attempts: 0, notBefore: QueueFileName.milliseconds(now)))
        do throws(MailQueueError) {
            guard try QueueFileSystem.rename(temporary, self.path(.queued, name)) else {
                throw MailQueueError(.io, "\(temporary) vanished before it was queued", path: temporary)
            }
        } catch {
            _ = try? QueueFileSystem.remove(temporary)
            throw error
        }
        try self.sync(self.directoryPath(.queued))
        return id
    }

    /// Claims up to `limit` due entries, oldest first, for `owner` until now + `lease`.
    ///
    /// Entries are found from a listing of queued/ that is reused for up to two seconds (or until used up),
    /// so an entry that another process made due again may wait that long. An entry whose file is corrupt is
    /// moved to failed with the decoding error as its reason and is not returned.
    public func claim(owner: String, lease: Duration, limit: Int) async throws -> [MailQueueClaim] {
        guard limit > 0 else {
            return []
        }
        return try await self.offload { try self.claimNow(owner: owner, lease: lease, limit: limit) }
    }

    func claimNow(owner: String, lease: Duration, limit: Int) throws(MailQueueError) -> [MailQueueClaim] {
        let token = QueueFileName.ownerToken(owner)
        var claims: [MailQueueClaim] = []
        var listed = false
        var firstError: MailQueueError?
        while claims.count < limit {
            guard let name = self.nextDueName(mayList: !listed) else {
                if listed {
                    break
                }
                try self.listDueEntries()
                listed = true
                continue
            }
            guard let queued = QueueFileName.parseQueued(name) else {
                continue
            }
            let now = Date()
            guard queued.notBefore <= QueueFileName.milliseconds(now) else {
                continue
            }
            let expiry = QueueFileName.milliseconds(now) + lease.clampedMilliseconds
            let claimed = QueueFileName.Claimed(
                id: queued.id, attempts: queued.attempts, leaseExpiry: expiry, ownerToken: token)
            let claimedPath = self.path(.claimed, QueueFileName.name(claimed))
            guard try QueueFileSystem.rename(self.path(.queued, name), claimedPath) else {
                continue  // Another worker claimed it first.
            }
            do throws(MailQueueError) {
                guard let bytes = try QueueFileSystem.readFile(claimedPath, maximumSize: self.maximumEntrySize) else {
                    continue  // Recovered by someone else already: the lease was shorter than this took.
                }
                let mail = try QueueEntryFormat.decode(bytes, path: claimedPath)
                self.heldClaims.withLockedValue { $0[queued.id] = claimed }
                claims.append(
                    MailQueueClaim(
                        id: queued.id, mail: mail, attempts: queued.attempts, enqueuedAt: queued.id.enqueuedAt,
                        owner: owner, leaseExpiry: QueueFileName.date(milliseconds: expiry)))
            } catch let error where error.code == .corruptEntry {
                try? self.finishFailed(claimed, reason: error.description)
            } catch {
                // Could not read it: give it back and report the error unless others were claimed.
                _ = try? QueueFileSystem.rename(claimedPath, self.path(.queued, name))
                firstError = firstError ?? error
            }
        }
        if !claims.isEmpty {
            try self.sync(self.directoryPath(.queued))
        } else if let firstError {
            throw firstError
        }
        return claims
    }

    /// The next name from the current listing, nil if it is used up or (when `mayList`) too old.
    private func nextDueName(mayList: Bool) -> String? {
        self.dueScan.withLockedValue { scan in
            if mayList, Date().timeIntervalSince(scan.scannedAt) > Self.scanLifetime {
                scan.names = []
            }
            return scan.names.popLast()
        }
    }

    /// Lists queued/ and keeps the oldest due names.
    private func listDueEntries() throws(MailQueueError) {
        let now = QueueFileName.milliseconds(Date())
        var due = try QueueFileSystem.list(self.directoryPath(.queued)).filter { name in
            QueueFileName.parseQueued(name).map { $0.notBefore <= now } ?? false
        }
        due.sort(by: >)
        if due.count > Self.scanCapacity {
            due.removeFirst(due.count - Self.scanCapacity)
        }
        self.dueScan.withLockedValue { scan in
            scan.names = due
            scan.scannedAt = Date()
            scan.listings += 1
        }
    }

    /// Forgets the listing, so that the next claim sees entries that just became due.
    private func invalidateListing() {
        self.dueScan.withLockedValue { scan in
            scan.names = []
            scan.scannedAt = .distantPast
        }
    }

    /// Extends the lease of a claim still held by `owner` to now + `lease`.
    public func renew(_ id: MailQueueEntryID, owner: String, lease: Duration) async throws {
        try await self.offload { try self.renewNow(id, owner: owner, lease: lease) }
    }

    func renewNow(_ id: MailQueueEntryID, owner: String, lease: Duration) throws(MailQueueError) {
        let held = try self.heldClaim(id, owner: owner)
        var renewed = held
        renewed.leaseExpiry = QueueFileName.milliseconds(Date()) + lease.clampedMilliseconds
        try self.move(held, to: self.path(.claimed, QueueFileName.name(renewed)))
        self.heldClaims.withLockedValue { $0[id] = renewed }
    }

    /// Delivered: deletes the entry, or with `keep` (KeepQueue) moves it to the sent state.
    public func complete(_ id: MailQueueEntryID, owner: String, keep: Bool) async throws {
        try await self.offload { try self.completeNow(id, owner: owner, keep: keep) }
    }

    func completeNow(_ id: MailQueueEntryID, owner: String, keep: Bool) throws(MailQueueError) {
        let held = try self.heldClaim(id, owner: owner)
        if keep {
            let finished = QueueFileName.Finished(id: id, attempts: QueueFileName.attempt(after: held.attempts))
            try self.move(held, to: self.path(.sent, QueueFileName.name(finished)))
            try self.sync(self.directoryPath(.sent), self.directoryPath(.claimed))
        } else {
            guard try QueueFileSystem.remove(self.path(.claimed, QueueFileName.name(held))) else {
                throw self.lost(held)
            }
            self.forget(held)
            try self.sync(self.directoryPath(.claimed))
            // The errors of earlier attempts go with the entry (best effort: leftovers are harmless).
            for attempt in 0..<held.attempts {
                _ = try? QueueFileSystem.remove(
                    self.reasonsDirectory + "/" + QueueFileName.reason(id, attempt: attempt))
            }
        }
    }

    /// Permanent failure: moves to failed with `reason` (e.g. the server's reply) stored beside it.
    public func fail(_ id: MailQueueEntryID, owner: String, reason: String) async throws {
        try await self.offload { try self.failNow(id, owner: owner, reason: reason) }
    }

    func failNow(_ id: MailQueueEntryID, owner: String, reason: String) throws(MailQueueError) {
        try self.finishFailed(try self.heldClaim(id, owner: owner), reason: reason)
    }

    private func finishFailed(_ held: QueueFileName.Claimed, reason: String) throws(MailQueueError) {
        let finished = QueueFileName.Finished(id: held.id, attempts: QueueFileName.attempt(after: held.attempts))
        try self.move(held, to: self.path(.failed, QueueFileName.name(finished)))
        try self.sync(self.directoryPath(.failed), self.directoryPath(.claimed))
        try self.writeReason(reason, id: held.id, attempt: held.attempts)
    }

    /// Transient failure: back to queued, due at `notBefore`, attempts + 1, `reason` recorded as the last error.
    public func retryLater(_ id: MailQueueEntryID, owner: String, reason: String, notBefore: Date) async throws {
        try await self.offload { try self.retryLaterNow(id, owner: owner, reason: reason, notBefore: notBefore) }
    }

    func retryLaterNow(_ id: MailQueueEntryID, owner: String, reason: String, notBefore: Date) throws(MailQueueError) {
        let held = try self.heldClaim(id, owner: owner)
        let queued = QueueFileName.Queued(
            id: id, attempts: QueueFileName.attempt(after: held.attempts),
            notBefore: QueueFileName.milliseconds(notBefore))
        try self.move(held, to: self.path(.queued, QueueFileName.name(queued)))
        try self.sync(self.directoryPath(.queued), self.directoryPath(.claimed))
        try self.writeReason(reason, id: id, attempt: held.attempts)
        if notBefore <= Date() {
            self.invalidateListing()
        }
    }

    /// Returns entries whose lease expired (their owner died or stalled) to queued; returns how many. The
    /// interrupted claim counts as an attempt (so a message that kills its worker reaches a retry limit). Also
    /// removes temporary files older than ``staleTemporaryFileAge`` (left by crashes during `enqueue`).
    public func recover() async throws -> Int {
        try await self.offload { try self.recoverNow() }
    }

    func recoverNow() throws(MailQueueError) -> Int {
        let now = Date()
        let nowMilliseconds = QueueFileName.milliseconds(now)
        var recovered = 0
        for name in try QueueFileSystem.list(self.directoryPath(.claimed)) {
            guard let claimed = QueueFileName.parseClaimed(name), claimed.leaseExpiry < nowMilliseconds else {
                continue
            }
            let queued = QueueFileName.Queued(
                id: claimed.id, attempts: QueueFileName.attempt(after: claimed.attempts), notBefore: nowMilliseconds)
            // Only one of several recovering processes (or the owner completing it just in time) wins.
            if try QueueFileSystem.rename(self.path(.claimed, name), self.path(.queued, QueueFileName.name(queued))) {
                recovered += 1
            }
        }
        if recovered > 0 {
            try self.sync(self.directoryPath(.queued), self.directoryPath(.claimed))
            self.invalidateListing()
        }
        for name in try QueueFileSystem.list(self.temporaryDirectory) {
            let path = self.temporaryDirectory + "/" + name
            if let modified = try QueueFileSystem.modificationTime(path),
                now.timeIntervalSince(modified) > self.staleTemporaryFileAge
            {
                try QueueFileSystem.remove(path)
            }
        }
        return recovered
    }

    /// Counts the entries in each state, with the oldest pending entry and the next retry time, from the
    /// directory listings alone.
    public func status() async throws -> MailQueueStatus {
        try await self.offload { try self.statusNow() }
    }

    func statusNow() throws(MailQueueError) -> MailQueueStatus {
        var counts: [MailQueueEntryState: Int] = [:]
        var oldest: MailQueueEntryID?
        var nextAttempt: Int64?
        for state in MailQueueEntryState.allCases {
            var count = 0
            for name in try QueueFileSystem.list(self.directoryPath(state)) {
                switch state {
                case .queued:
                    guard let queued = QueueFileName.parseQueued(name) else { continue }
                    oldest = min(oldest ?? queued.id, queued.id)
                    nextAttempt = min(nextAttempt ?? queued.notBefore, queued.notBefore)
                case .claimed:
                    guard let claimed = QueueFileName.parseClaimed(name) else { continue }
                    oldest = min(oldest ?? claimed.id, claimed.id)
                case .sent, .failed:
                    guard QueueFileName.parseFinished(name) != nil else { continue }
                }
                count += 1
            }
            counts[state] = count
        }
        return MailQueueStatus(
            counts: counts, oldestQueued: oldest?.enqueuedAt,
            nextAttempt: nextAttempt.map { QueueFileName.date(milliseconds: $0) })
    }

    // MARK: Inspection (blocking)

    /// The failure reason stored for a failed entry; nil if the entry failed without one (a crash between the
    /// move to failed and writing the reason).
    ///
    /// - Throws: ``MailQueueError/Code/notFound`` if no failed entry has this ID.
    public func failureReason(of id: MailQueueEntryID) throws -> String? {
        guard let name = try self.find(id, in: .failed), let failed = QueueFileName.parseFinished(name) else {
            throw MailQueueError(.notFound, "no failed entry \(id)")
        }
        return try self.reason(of: id, attempt: failed.attempts - 1)
    }

    /// The error recorded by the last delivery attempt of an entry (`retryLater`'s or `fail`'s reason); nil if
    /// the entry is unknown, new, or its last attempt recorded none (its worker died).
    public func lastError(of id: MailQueueEntryID) throws -> String? {
        for state in MailQueueEntryState.allCases {
            guard let name = try self.find(id, in: state) else {
                continue
            }
            let attempts =
                switch state {
                case .queued: QueueFileName.parseQueued(name)?.attempts
                case .claimed: QueueFileName.parseClaimed(name)?.attempts
                case .sent, .failed: QueueFileName.parseFinished(name)?.attempts
                }
            guard let attempts, attempts > 0 else {
                return nil
            }
            return try self.reason(of: id, attempt: attempts - 1)
        }
        return nil
    }

    /// IDs in a state (for tests/tools), oldest first. Lists the state's directory.
    public func entries(in state: MailQueueEntryState) throws -> [MailQueueEntryID] {
        try QueueFileSystem.list(self.directoryPath(state)).compactMap { QueueFileName.id(of: $0, in: state) }.sorted()
    }

    /// The envelope and content of an entry in any state; nil if there is no such entry. Lists the state
    /// directories to find it.
    ///
    /// - Throws: ``MailQueueError/Code/corruptEntry`` if its file is truncated or garbled.
    public func mail(of id: MailQueueEntryID) throws -> QueuedMail? {
        for state in MailQueueEntryState.allCases {
            guard let name = try self.find(id, in: state) else {
                continue
            }
            let path = self.path(state, name)
            guard let bytes = try QueueFileSystem.readFile(path, maximumSize: self.maximumEntrySize) else {
                continue  // Moved on while we looked: look again in the later states.
            }
            return try QueueEntryFormat.decode(bytes, path: path)
        }
        return nil
    }

    /// The state of an entry, nil if there is none (for tests/tools). Lists the state directories.
    public func state(of id: MailQueueEntryID) throws -> MailQueueEntryState? {
        for state in MailQueueEntryState.allCases where try self.find(id, in: state) != nil {
            return state
        }
        return nil
    }

    // MARK: Helpers

    /// The file name of `id` in `state`, if any.
    private func find(_ id: MailQueueEntryID, in state: MailQueueEntryState) throws(MailQueueError) -> String? {
        try QueueFileSystem.list(self.directoryPath(state)).first { QueueFileName.id(of: $0, in: state) == id }
    }

    /// The claim of `id` held by `owner`: remembered from `claim`, or (made by another instance) found in
    /// claimed/.
    private func heldClaim(_ id: MailQueueEntryID, owner: String) throws(MailQueueError) -> QueueFileName.Claimed {
        let token = QueueFileName.ownerToken(owner)
        if let held = self.heldClaims.withLockedValue({ $0[id] }), held.ownerToken == token {
            return held
        }
        for name in try QueueFileSystem.list(self.directoryPath(.claimed)) {
            if let claimed = QueueFileName.parseClaimed(name), claimed.id == id, claimed.ownerToken == token {
                return claimed
            }
        }
        throw MailQueueError(.claimLost, "entry \(id) is not claimed by \(owner)")
    }

    /// Renames the claimed file `held` to `destination`; `.claimLost` if it is gone.
    private func move(_ held: QueueFileName.Claimed, to destination: String) throws(MailQueueError) {
        guard try QueueFileSystem.rename(self.path(.claimed, QueueFileName.name(held)), destination) else {
            throw self.lost(held)
        }
        self.forget(held)
    }

    private func lost(_ held: QueueFileName.Claimed) -> MailQueueError {
        self.forget(held)
        return MailQueueError(
            .claimLost, "the claim of entry \(held.id) was lost (its lease expired and the entry was recovered)",
            path: self.path(.claimed, QueueFileName.name(held)))
    }

    /// Forgets `held` unless a newer claim of the entry replaced it.
    private func forget(_ held: QueueFileName.Claimed) {
        self.heldClaims.withLockedValue { claims in
            if claims[held.id] == held {
                claims[held.id] = nil
            }
        }
    }

    /// The longest reason stored; longer ones are cut (at a character boundary).
    static let maximumReasonSize = 65_536

    private func writeReason(_ reason: String, id: MailQueueEntryID, attempt: Int) throws(MailQueueError) {
        let bytes = QueueReason.utf8Prefix(reason, maximumBytes: Self.maximumReasonSize)
        let name = QueueFileName.reason(id, attempt: attempt)
        let temporary =
            self.temporaryDirectory + "/" + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            + ".reason"
        try QueueFileSystem.createFile(temporary, parts: [bytes], sync: self.fileSystemSync)
        do throws(MailQueueError) {
            _ = try QueueFileSystem.rename(temporary, self.reasonsDirectory + "/" + name)
        } catch {
            _ = try? QueueFileSystem.remove(temporary)
            throw error
        }
        try self.sync(self.reasonsDirectory)
    }

    private func reason(of id: MailQueueEntryID, attempt: Int) throws(MailQueueError) -> String? {
        let path = self.reasonsDirectory + "/" + QueueFileName.reason(id, attempt: attempt)
        return try QueueFileSystem.readFile(path, maximumSize: Self.maximumReasonSize).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}
