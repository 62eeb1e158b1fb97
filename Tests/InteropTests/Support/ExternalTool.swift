import Foundation

/// Runs real OpenPGP peers (gpg, rnp, sqop…) for interop tests.
///
/// A missing peer disables a test on a developer machine, but in CI (`CI` set) the test runs
/// and fails: a missing peer must never pass silently.
enum ExternalTool {
    static let isCI =
        ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" }
        ?? false

    /// The full path of `name` on `PATH`, if installed.
    static func path(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether a test needing `name` should run: always in CI, else only if installed.
    static func shouldRun(_ name: String) -> Bool { isCI || path(name) != nil }

    /// Ignores SIGPIPE for the test process, once: a peer that exits without reading all its
    /// input (sqop refusing a key before it reads the message) must fail that write, not kill
    /// the whole test run. Evaluate before writing to a child's standard input.
    static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Writes `input` to a child's standard input and closes it; a child that stopped reading
    /// early just does not get the rest.
    static func feed(_ input: [UInt8], to pipe: Pipe) {
        brokenPipesIgnored
        try? pipe.fileHandleForWriting.write(contentsOf: Data(input))
        try? pipe.fileHandleForWriting.close()
    }

    struct Result {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `name` with `arguments`, feeding `input` to standard input.
    @discardableResult
    static func run(
        _ name: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
        expectSuccess: Bool = true
    ) throws -> Result {
        guard let executable = path(name) else {
            throw Failure(description: "\(name) is not installed; .ci/run installs it")
        }
        let result = try run(executable: executable, arguments, input: input, environment: environment)
        if expectSuccess && result.status != 0 {
            throw Failure(
                description: "\(name) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// Runs the program at `executable` (in `directory`, if given) and collects its outputs.
    static func run(
        executable: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Feed stdin and drain both outputs concurrently so no pipe fills up and blocks.
        let group = DispatchGroup()
        let collected = OutputBox()
        DispatchQueue.global().async(group: group) {
            feed(input, to: stdin)
        }
        DispatchQueue.global().async(group: group) {
            collected.setStdout(stdout.fileHandleForReading.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: group) {
            collected.setStderr(stderr.fileHandleForReading.readDataToEndOfFile())
        }
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: Array(collected.stdout),
            stderr: String(decoding: collected.stderr, as: UTF8.self))
    }
}

/// Collects a child's output from two reader threads.
private final class OutputBox: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func setStdout(_ data: Data) { lock.withLock { out = data } }
    func setStderr(_ data: Data) { lock.withLock { err = data } }
    var stdout: Data { lock.withLock { out } }
    var stderr: Data { lock.withLock { err } }
}

/// A throw-away directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init(prefix: String = "pgpmail") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try Data(bytes).write(to: target)
        return target
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
