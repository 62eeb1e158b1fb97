import Foundation
import PGPMail

/// A fresh queue directory for one test, removed afterwards.
func withQueueDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mailqueue-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A queue without fsync (the tests do not crash the machine).
func makeQueue(_ path: String) throws -> DirectoryMailQueue {
    try DirectoryMailQueue(directory: path, fileSystemSync: false)
}

/// A small mail with `tag` in its content.
func sampleMail(_ tag: String = "hello") -> QueuedMail {
    QueuedMail(
        envelope: SMTPEnvelope(from: "alice@example.org", to: ["bob@example.org"]),
        content: Array("Subject: \(tag)\r\n\r\n\(tag)\r\n".utf8))
}

/// The file names in a state directory of the queue at `path`.
func fileNames(_ path: String, _ state: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path + "/" + state).sorted()
}

/// Runs `body` and returns the `MailQueueError` it throws, nil if it throws nothing.
func queueError(_ body: () async throws -> Void) async -> MailQueueError? {
    do {
        try await body()
        return nil
    } catch let error as MailQueueError {
        return error
    } catch {
        return MailQueueError(.io, "unexpected error \(error)")
    }
}
