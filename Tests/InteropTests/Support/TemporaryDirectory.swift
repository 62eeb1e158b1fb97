import Foundation

/// A throw-away directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init(prefix: String = "pgpmail") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try Data(bytes).write(to: target)
        return target
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
