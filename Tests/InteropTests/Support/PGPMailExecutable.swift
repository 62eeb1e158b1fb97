import Foundation
import TestSupport
import Testing

/// Runs the built `pgpmail` executable for the `bulk` and `queue` tests.
enum PGPMailExecutable {
    /// The path of the built `pgpmail`.
    static func path() throws -> String {
        try #require(
            DemoInteropTests.builtExecutable("pgpmail"), "the pgpmail executable was not built next to the tests"
        ).path
    }

    /// Runs `pgpmail arguments` to the end on a dispatch thread, in `directory` if given.
    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> ExternalProcess.Result {
        let executable = try path()
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try ExternalProcess.run(
                            executable: executable, arguments, environment: ["PGPMAIL_PASSWORD": ""], in: directory)
                    })
            }
        }
    }

    /// Starts `pgpmail arguments` in the background, to be killed or waited for.
    static func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(executable: try path(), arguments, environment: ["PGPMAIL_PASSWORD": ""])
    }

    /// The options of a clear-text connection to the test server on 127.0.0.1:`port`.
    static func serverArguments(port: Int) -> [String] {
        ["--server", "127.0.0.1", "--port", "\(port)", "--tls", "none", "--hello", "client.test", "--timeout", "20"]
    }
}

/// The summary line `sent N failed N seconds S rate R msg/s` of `bulk` and `queue process`.
struct DeliverySummary: Equatable {
    var sent: Int
    var failed: Int

    init(sent: Int, failed: Int) {
        self.sent = sent
        self.failed = failed
    }

    /// The summary in `output`'s last line, nil if that line is not one.
    init?(_ output: String) {
        guard let line = output.split(separator: "\n").last else { return nil }
        let words = line.split(separator: " ")
        guard words.count == 9, words[0] == "sent", words[2] == "failed", words[4] == "seconds",
            words[6] == "rate", words[8] == "msg/s", Double(words[5]) != nil, Double(words[7]) != nil,
            let sent = Int(words[1]), let failed = Int(words[3])
        else { return nil }
        self.sent = sent
        self.failed = failed
    }
}

/// A value shared between tasks and event loop threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.withLock { body(&value) }
    }

    var current: Value { withLock { $0 } }
}

/// A seeded random number generator (SplitMix64), so that random test choices repeat.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
