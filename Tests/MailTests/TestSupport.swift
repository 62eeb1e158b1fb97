import Foundation
import Testing

@testable import Mail

/// Shared helpers for the Mail tests.
enum Support {
    /// The lines of CRLF-terminated output, failing the test on a bare CR or LF.
    static func crlfLines(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D {
                #expect(
                    index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)",
                    sourceLocation: sourceLocation)
                lines.append(bytes[start..<index])
                index += 2
                start = index
                continue
            }
            #expect(bytes[index] != 0x0A, "bare LF at \(index)", sourceLocation: sourceLocation)
            index += 1
        }
        if start < bytes.count { lines.append(bytes[start..<bytes.count]) }
        return lines
    }

    /// Expects CRLF-only output whose lines are at most `limit` octets.
    static func expectWellFormedLines(
        _ bytes: [UInt8], limit: Int = 998, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for line in crlfLines(bytes, sourceLocation: sourceLocation) {
            #expect(
                line.count <= limit,
                "line of \(line.count) octets: \(String(decoding: line.prefix(80), as: UTF8.self))",
                sourceLocation: sourceLocation)
        }
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String { String(decoding: Array(bytes), as: UTF8.self) }

    static func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mailtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Whether `haystack` contains `needle`.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let bytes = Array(needle.utf8)
        guard !bytes.isEmpty, haystack.count >= bytes.count else { return bytes.isEmpty }
        return (0...(haystack.count - bytes.count)).contains { haystack[$0..<($0 + bytes.count)].elementsEqual(bytes) }
    }

    /// A deterministic pseudo-random byte pattern.
    static func pattern(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}
