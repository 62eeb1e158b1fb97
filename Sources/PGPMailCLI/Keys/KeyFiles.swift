import Foundation
import PGPMail

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The key files of `pgpmail keys`: keyrings read from files or directories, and secret keys
/// written so that only their owner can read them.
enum KeyFiles {
    /// The keys in `path`: a key file (binary or armored, public or secret, one key or many), a
    /// GnuPG keybox, a GnuPG home directory, or `-` for standard input.
    static func keyring(at path: String) throws -> Keyring {
        let ring: Keyring
        do {
            ring =
                path == "-"
                ? try Keyring(bytes: try SendFiles.bytes(of: path, what: "key file")) : try Keyring(path: path)
        } catch let error as SendFiles.ReadError {
            throw error
        } catch {
            throw SendFiles.ReadError(description: "cannot read keys from \(path): \(error)")
        }
        for skipped in ring.skippedKeys {
            SendFailure.warn("\(path): skipped a key this engine cannot read: \(skipped)")
        }
        guard !ring.isEmpty else {
            throw SendFiles.ReadError(description: "\(path) holds no OpenPGP key")
        }
        return ring
    }

    /// Writes `bytes` to a new file at `path` readable by its owner only (mode 0600). An
    /// existing file is replaced only when `overwrite` is set (and then made 0600 as well); a
    /// symbolic link is never followed. A new file that cannot be written whole is removed.
    static func writePrivate(_ bytes: [UInt8], to path: String, overwrite: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL)
        let descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists (use --force to replace it)" : String(cString: strerror(errno))
            throw SendFiles.ReadError(description: "cannot write \(path): \(reason)")
        }
        do {
            try writeAll(bytes, to: descriptor, path: path)
            close(descriptor)
        } catch {
            close(descriptor)
            if !overwrite { unlink(path) }
            throw error
        }
    }

    /// Restricts the open file to mode 0600 and writes every byte of `bytes` to it.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        guard fchmod(descriptor, 0o600) == 0 else {
            throw SendFiles.ReadError(
                description: "cannot restrict \(path) to mode 0600: \(String(cString: strerror(errno)))")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw SendFiles.ReadError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Writes `bytes` to standard output.
    static func writeStandardOutput(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
