import Foundation
import OpenPGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SOP's indirect inputs and outputs: a file name, `@ENV:NAME` or `@FD:N`.
enum IndirectData {
    /// Reads the data `designator` names.
    static func read(_ designator: String) throws -> [UInt8] {
        if designator.hasPrefix("@ENV:") {
            guard let value = ProcessInfo.processInfo.environment[String(designator.dropFirst(5))] else {
                throw SOPFailure(.missingInput, "environment variable \(designator.dropFirst(5)) is not set")
            }
            return Array(value.utf8)
        }
        if designator.hasPrefix("@FD:") {
            guard let descriptor = Int32(designator.dropFirst(4)) else {
                throw SOPFailure(.unsupportedSpecialPrefix, "\(designator) is not a file descriptor")
            }
            return try FileByteSource(fileDescriptor: descriptor).readToEnd()
        }
        if designator.hasPrefix("@") {
            throw SOPFailure(.unsupportedSpecialPrefix, "unsupported special designator \(designator)")
        }
        guard let data = FileManager.default.contents(atPath: designator) else {
            throw SOPFailure(.missingInput, "cannot read \(designator)")
        }
        return Array(data)
    }

    /// Opens the output `designator` names; an existing file is never overwritten.
    static func createOutput(_ designator: String) throws -> FileByteSink {
        if designator.hasPrefix("@FD:") {
            guard let descriptor = Int32(designator.dropFirst(4)) else {
                throw SOPFailure(.unsupportedSpecialPrefix, "\(designator) is not a file descriptor")
            }
            return FileByteSink(fileDescriptor: descriptor)
        }
        if designator.hasPrefix("@") {
            throw SOPFailure(.unsupportedSpecialPrefix, "unsupported special designator \(designator) for output")
        }
        guard !FileManager.default.fileExists(atPath: designator) else {
            throw SOPFailure(.outputExists, "\(designator) already exists")
        }
        return try FileByteSink(url: URL(fileURLWithPath: designator))
    }

    /// A password from `designator`: UTF-8, with trailing whitespace removed.
    static func password(_ designator: String) throws -> String {
        let bytes = try read(designator)
        guard let text = String(validatingUTF8CString: bytes) else {
            throw SOPFailure(.passwordNotHumanReadable, "the password in \(designator) is not UTF-8 text")
        }
        var trimmed = text
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        return trimmed
    }
}

extension String {
    /// Decodes UTF-8 without repairing it; nil if the bytes are not valid UTF-8 or hold NUL.
    init?(validatingUTF8CString bytes: [UInt8]) {
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}
