import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls the directory queue makes, each turning `errno` into a ``MailQueueError/Code/io`` error with
/// the call, the path and the errno text. Everything here blocks; callers run it on a thread pool.
enum QueueFileSystem {
    /// An I/O error for `operation` on `path` with the current `errno`.
    static func error(_ operation: String, _ path: String, errno code: CInt = errno) -> MailQueueError {
        let text = String(cString: strerror(code))
        return MailQueueError(
            .io, "\(operation) \(path): \(text)", path: path,
            underlyingError: POSIXErrorCode(rawValue: code).map { POSIXError($0) })
    }

    /// Writes `parts` to a new file at `path` (which must not exist), optionally `fsync`ing it before closing.
    /// On failure the partial file is removed.
    static func createFile(_ path: String, parts: [[UInt8]], sync: Bool) throws(MailQueueError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw self.error("open", path)
        }
        do throws(MailQueueError) {
            for part in parts {
                try self.writeAll(fd, part, path: path)
            }
            if sync, fsync(fd) != 0 {
                throw self.error("fsync", path)
            }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        if close(fd) != 0 {
            let failure = self.error("close", path)
            unlink(path)
            throw failure
        }
    }

    private static func writeAll(_ fd: CInt, _ bytes: [UInt8], path: String) throws(MailQueueError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR {
                    continue
                }
                throw self.error("write", path)
            }
            offset += written
        }
    }

    /// The whole content of the file at `path`, nil if it does not exist. Throws ``MailQueueError/Code/corruptEntry``
    /// when the file is larger than `maximumSize`.
    static func readFile(_ path: String, maximumSize: Int) throws(MailQueueError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                return nil
            }
            throw self.error("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw self.error("fstat", path)
        }
        guard let size = Int(exactly: info.st_size), size >= 0, size <= maximumSize else {
            throw MailQueueError(
                .corruptEntry, "\(path) is \(info.st_size) bytes, more than the limit of \(maximumSize)", path: path)
        }
        var failure: MailQueueError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = 0
            while initialized < size {
                let count = read(fd, buffer.baseAddress! + initialized, size - initialized)
                if count < 0 {
                    if errno == EINTR {
                        continue
                    }
                    failure = self.error("read", path)
                    return
                }
                if count == 0 {
                    return  // The file shrank: the decoder reports the truncation.
                }
                initialized += count
            }
        }
        if let failure {
            throw failure
        }
        return bytes
    }

    /// Renames `source` to `destination`; false if `source` does not exist (another process moved it first).
    static func rename(_ source: String, _ destination: String) throws(MailQueueError) -> Bool {
        #if canImport(Glibc)
            let result = Glibc.rename(source, destination)
        #else
            let result = Darwin.rename(source, destination)
        #endif
        if result == 0 {
            return true
        }
        if errno == ENOENT {
            return false
        }
        let code = errno
        var failure = self.error("rename", "\(source) to \(destination)", errno: code)
        failure.path = source
        throw failure
    }

    /// Removes the file at `path`; false if it did not exist.
    @discardableResult
    static func remove(_ path: String) throws(MailQueueError) -> Bool {
        if unlink(path) == 0 {
            return true
        }
        if errno == ENOENT {
            return false
        }
        throw self.error("unlink", path)
    }

    /// Makes the entries of the directory at `path` (created, renamed, removed files) durable.
    static func syncDirectory(_ path: String) throws(MailQueueError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw self.error("open", path)
        }
        defer { close(fd) }
        if fsync(fd) != 0 {
            throw self.error("fsync", path)
        }
    }

    /// The names in the directory at `path`, without `.` and `..`, unsorted.
    static func list(_ path: String) throws(MailQueueError) -> [String] {
        guard let directory = opendir(path) else {
            throw self.error("opendir", path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 {
                    throw self.error("readdir", path)
                }
                return names
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: pointer.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
    }

    /// The modification time of the file at `path`, nil if it does not exist.
    static func modificationTime(_ path: String) throws(MailQueueError) -> Date? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT {
                return nil
            }
            throw self.error("stat", path)
        }
        #if canImport(Darwin)
            let time = info.st_mtimespec
        #else
            let time = info.st_mtim
        #endif
        return Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000)
    }

    /// What is at `path`.
    enum Kind {
        case missing
        case directory
        case other
    }

    /// Whether `path` is a directory, something else, or missing.
    static func kind(_ path: String) throws(MailQueueError) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT {
                return .missing
            }
            throw self.error("stat", path)
        }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }

    /// Creates the directory at `path` unless it exists.
    static func makeDirectory(_ path: String) throws(MailQueueError) {
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw self.error("mkdir", path)
        }
    }

    /// Whether the process may read, write and search the directory at `path`.
    static func isAccessible(_ path: String) -> Bool {
        access(path, R_OK | W_OK | X_OK) == 0
    }
}
