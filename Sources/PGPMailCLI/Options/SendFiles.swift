import Foundation

/// Reads the files named on the command line, with errors that name the file and the
/// option but never the content.
enum SendFiles {
    /// A file that could not be read.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The whole file; `-` is standard input.
    static func bytes(of path: String, what: String) throws -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ReadError(description: "cannot read \(what) \(path): \(reason(error))")
        }
    }

    /// The file as UTF-8 text.
    static func text(of path: String, what: String) throws -> String {
        guard let text = String(validating: try bytes(of: path, what: what), as: UTF8.self) else {
            throw ReadError(description: "\(what) \(path) is not UTF-8 text")
        }
        return text
    }

    /// The first line of a secret file (password, passphrase), without its line ending.
    static func firstLine(of path: String, what: String) throws -> String {
        let text = try text(of: path, what: what)
        return String(text.prefix { !$0.isNewline })
    }

    /// Fails unless `path` is a readable regular file (for attachments, read only later).
    static func checkReadable(_ path: String, what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(description: "cannot read \(what) \(path): no such file")
        }
        guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: path) else {
            throw ReadError(description: "cannot read \(what) \(path): not a readable file")
        }
    }

    /// The reason in a few words, without Foundation's long wrapping.
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileReadNoSuchFile?: "no such file"
        case .fileReadNoPermission?: "permission denied"
        case .fileReadInvalidFileName?: "invalid file name"
        default:
            if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
                posix.domain == NSPOSIXErrorDomain
            {
                String(cString: strerror(Int32(posix.code)))
            } else {
                "not a readable file"
            }
        }
    }
}
