import Foundation
import OpenPGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds decrypted output until the message passed its integrity checks, then copies it to
/// standard output.
///
/// The spool is a temporary file without a name: opened with `O_TMPFILE` where Linux offers
/// it, else created and unlinked at once. Nothing of it survives the process, even one that
/// is killed. It holds at most ``limit`` bytes.
final class PlaintextSpool: PlaintextSink {
    /// The variable that sets ``limit`` in bytes.
    static let limitVariable = "PGPMAIL_SOP_MAX_PLAINTEXT"
    /// The default ``limit``: 1 GiB. `$TMPDIR` is often memory (tmpfs), and a message that
    /// decompresses further is far more likely a bomb than mail.
    static let defaultLimit = 1 << 30

    /// The most plaintext one `decrypt` spools: `PGPMAIL_SOP_MAX_PLAINTEXT` bytes, if set.
    static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment[limitVariable] else { return defaultLimit }
        guard let value = Int(text), value > 0 else {
            throw SOPFailure(.unsupportedOption, "\(limitVariable) must be a positive number of bytes, not \(text)")
        }
        return value
    }

    let limit: Int
    private let descriptor: Int32
    /// Buffers writes to `descriptor`; nil once discarded.
    private var file: FileByteSink?
    private var written = 0

    /// An empty spool in `directory` (the system's temporary directory by default).
    init(limit: Int, directory: String = FileManager.default.temporaryDirectory.path) throws {
        self.limit = limit
        do {
            descriptor = try Self.anonymousFile(in: directory)
        } catch let error as StreamError {
            throw SOPFailure(.badData, "cannot create a temporary file for the plaintext: \(error)")
        }
        file = FileByteSink(fileDescriptor: descriptor)
    }

    deinit {
        file = nil  // flushes while the descriptor is still open
        close(descriptor)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= limit - written else {
            throw SOPFailure(
                .badData, "the plaintext is larger than the limit of \(limit) bytes (set by \(Self.limitVariable))")
        }
        guard let file else { throw SOPFailure(.badData, "the plaintext spool was discarded") }
        written += bytes.count
        try file.write(bytes)
    }

    func commit() throws {
        try file?.flush()
    }

    /// Writes the committed plaintext to standard output; text literal data (stored with
    /// CRLF line endings) gets LF line endings, as text on this system has.
    func copyToStandardOutput(convertingLineEndings: Bool) throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw StreamError.readFailed(errno) }
        let source = FileByteSource(fileDescriptor: descriptor)
        let output = FileByteSink(fileDescriptor: STDOUT_FILENO)
        var converter = LineEndingConverter()
        try source.forEachChunk { chunk in
            guard convertingLineEndings else { return try output.write(chunk) }
            try converter.convert(chunk).withUnsafeBytes { try output.write($0) }
        }
        let rest = converter.finish()
        try rest.withUnsafeBytes { try output.write($0) }
        try output.flush()
    }

    /// Drops the plaintext: the file shrinks to nothing (it is gone for good once closed).
    func discard() {
        file = nil
        _ = ftruncate(descriptor, 0)
    }

    /// A new file in `directory` that has no name, open for reading and writing.
    private static func anonymousFile(in directory: String) throws -> Int32 {
        #if canImport(Glibc)
            // O_TMPFILE is `__O_TMPFILE | O_DIRECTORY`; Swift does not import the compound macro.
            let anonymous = open(directory, O_RDWR | O_CLOEXEC | __O_TMPFILE | O_DIRECTORY, 0o600)
            if anonymous >= 0 { return anonymous }
        // Kernels or file systems without O_TMPFILE (EOPNOTSUPP, EISDIR, EINVAL): name and unlink.
        #endif
        var template = Array("\(directory)/pgpmail-sop-XXXXXX".utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw StreamError.cannotOpen(directory, errno) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard unlink(path) == 0 else {
            let code = errno
            close(named)
            throw StreamError.cannotOpen(path, code)
        }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        return named
    }
}
