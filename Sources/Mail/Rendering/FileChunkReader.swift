import Foundation

/// Reads a file sequentially in chunks; the handle closes when the reader is released.
final class FileChunkReader {
    private let handle: FileHandle
    private let url: URL

    /// Opens `url`, throwing `unreadableAttachment` (PSMTP error 302) on failure.
    init(url: URL) throws {
        self.url = url
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw MailError(
                .unreadableAttachment, "cannot open attachment: \(error.localizedDescription)", input: url.path)
        }
    }

    /// Up to `count` bytes; empty at the end of the file.
    func read(upTo count: Int) throws -> Data {
        do {
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw MailError(
                .unreadableAttachment, "cannot read attachment: \(error.localizedDescription)", input: url.path)
        }
    }

    deinit {
        try? handle.close()
    }
}
