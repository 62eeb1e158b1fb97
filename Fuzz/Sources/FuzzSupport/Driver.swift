import CFuzzerDriver
import Foundation

/// The body the running fuzz target tests each input with. Set once by ``runFuzzer(seeds:_:)``
/// before libFuzzer starts; libFuzzer calls the callback on one thread.
nonisolated(unsafe) private var fuzzBody: (([UInt8]) -> Void)?

/// The entry point of every fuzz target.
///
/// `FuzzTarget --print-fixture-keys` prints new fixture keys as Swift source (for
/// `FixtureKeys.swift`). `FuzzTarget --write-seeds DIR` writes the target's generated seed inputs (`seeds()`) into
/// `DIR` and exits. Any other command line goes to libFuzzer, which calls `body` for every
/// input it generates (or for every file named on the command line), and the process exits
/// with libFuzzer's status.
///
/// A thrown Swift error is an expected outcome for malformed input: bodies catch and ignore
/// errors. Only traps, sanitizer reports, timeouts and running out of memory are findings.
public func runFuzzer(seeds: () throws -> [String: [UInt8]] = { [:] }, _ body: @escaping ([UInt8]) -> Void) -> Never {
    let arguments = CommandLine.arguments
    if arguments.count == 3, arguments[1] == "--write-seeds" {
        do {
            let written = try writeSeeds(try seeds(), into: arguments[2])
            print("wrote \(written) seeds into \(arguments[2])")
            fflush(nil)
            exit(0)
        } catch {
            print("writing seeds failed: \(error)")
            exit(1)
        }
    }
    if arguments.count == 2, arguments[1] == "--print-fixture-keys" {
        do {
            print(try Fixtures.generatedSource(), terminator: "")
            fflush(nil)
            exit(0)
        } catch {
            print("generating keys failed: \(error)")
            exit(1)
        }
    }
    fuzzBody = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        fuzzBody?(bytes)
        return 0
    }
    exit(status)
}

/// A seed generator's complaint, for `--write-seeds`.
public struct SeedError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

private func writeSeeds(_ seeds: [String: [UInt8]], into directory: String) throws -> Int {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in seeds {
        try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }
    return seeds.count
}

/// Splits a fuzz input into a selector byte and the rest, so one target can exercise
/// several entry points (or option sets) with inputs libFuzzer evolves per entry point.
public func split(_ bytes: [UInt8]) -> (selector: UInt8, rest: [UInt8]) {
    guard let first = bytes.first else { return (0, []) }
    return (first, Array(bytes.dropFirst()))
}

/// Bytes as a String the way a caller holding text would get them (invalid UTF-8 repaired).
public func text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}
