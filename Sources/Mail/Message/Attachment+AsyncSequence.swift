import Foundation

extension Attachment {
    /// Attachments read from async sequences keep up to this many bytes in memory; larger
    /// content is spooled to a temporary file (1 MiB).
    public static let defaultSpoolThreshold = 1 << 20

    /// An attachment whose content is read from an async sequence of byte chunks, e.g. a
    /// network download or `FileHandle.bytes` batched into arrays.
    ///
    /// Content up to `spoolThreshold` bytes is kept in memory; beyond that it is written to
    /// a private temporary file (mode 0600) and rendered from there in chunks, so memory
    /// stays bounded. The file belongs to the attachment: it is removed when the attachment
    /// and every message holding a copy of it are gone, so keep the message alive until it
    /// has been rendered or sent. Throws what the sequence throws, `unreadableAttachment` if
    /// the temporary file cannot be written, and the errors of `init(filename:data:…)`.
    public init<Bytes: AsyncSequence>(
        filename: String?, contentType: ContentType? = nil, disposition: ContentDisposition.Kind = .attachment,
        contentID: String? = nil, description: String? = nil, contentsOf bytes: Bytes,
        spoolThreshold: Int = Attachment.defaultSpoolThreshold
    ) async throws where Bytes.Element == [UInt8] {
        var spooler = Spooler(threshold: spoolThreshold)
        for try await chunk in bytes { try spooler.append(chunk) }
        self = try spooler.finish(
            filename: filename, contentType: contentType, disposition: disposition, contentID: contentID,
            description: description)
    }

    /// An attachment whose content is read from an async sequence of single bytes (such as
    /// `URL.resourceBytes`); see the `[UInt8]` chunk variant for memory and file lifetime.
    public init<Bytes: AsyncSequence>(
        filename: String?, contentType: ContentType? = nil, disposition: ContentDisposition.Kind = .attachment,
        contentID: String? = nil, description: String? = nil, contentsOf bytes: Bytes,
        spoolThreshold: Int = Attachment.defaultSpoolThreshold
    ) async throws where Bytes.Element == UInt8 {
        var spooler = Spooler(threshold: spoolThreshold)
        var batch: [UInt8] = []
        batch.reserveCapacity(Spooler.batchSize)
        for try await byte in bytes {
            batch.append(byte)
            if batch.count == Spooler.batchSize {
                try spooler.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try spooler.append(batch)
        self = try spooler.finish(
            filename: filename, contentType: contentType, disposition: disposition, contentID: contentID,
            description: description)
    }
}

/// A temporary file owned by the attachments that render from it; deleted on deinit.
///
/// Sendable without `@unchecked`: its only state is an immutable URL.
final class SpooledFile: Sendable {
    let url: URL

    /// Creates an empty private file (mode 0600) in the temporary directory.
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pgpmail-spool-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw MailError(.unreadableAttachment, "cannot create a spool file", input: url.path)
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Collects bytes in memory up to a threshold, then in a `SpooledFile`.
private struct Spooler {
    static let batchSize = 64 * 1024
    let threshold: Int
    var buffer: [UInt8] = []
    var file: SpooledFile?
    var handle: FileHandle?

    init(threshold: Int) { self.threshold = max(0, threshold) }

    mutating func append(_ chunk: [UInt8]) throws {
        if chunk.isEmpty { return }
        if handle == nil && buffer.count + chunk.count <= threshold {
            buffer += chunk
            return
        }
        do {
            if handle == nil {
                let spooled = try SpooledFile()
                file = spooled
                handle = try FileHandle(forWritingTo: spooled.url)
                try handle?.write(contentsOf: buffer)
                buffer = []
            }
            try handle?.write(contentsOf: chunk)
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError(.unreadableAttachment, "cannot write the spool file: \(error)", input: file?.url.path)
        }
    }

    mutating func finish(
        filename: String?, contentType: ContentType?, disposition: ContentDisposition.Kind, contentID: String?,
        description: String?
    ) throws -> Attachment {
        guard let file, let handle else {
            return try Attachment(
                filename: filename, data: buffer, contentType: contentType, disposition: disposition,
                contentID: contentID, description: description)
        }
        do {
            try handle.close()
        } catch {
            throw MailError(.unreadableAttachment, "cannot write the spool file: \(error)", input: file.url.path)
        }
        self.handle = nil
        return try Attachment(
            filename: filename, spooledFile: file, contentType: contentType, disposition: disposition,
            contentID: contentID, description: description)
    }
}
