import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds and runs external programs (swaks, openssl, postfix…) for tests.
///
/// A missing program disables a test on a developer machine, but in CI (`CI` set) the test
/// runs and fails: a missing peer must never pass silently.
public enum ExternalProcess {
    /// Whether CI is set (to anything but empty, `0` or `false`).
    public static let isCI: Bool =
        ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" }
        ?? false

    /// The full path of `name` on `PATH` (plus the sbin directories), if installed.
    public static func path(_ name: String) -> String? {
        if name.hasPrefix("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether a test needing all of `names` should run: always in CI, else only if installed.
    public static func shouldRun(_ names: String...) -> Bool {
        isCI || names.allSatisfy { path($0) != nil }
    }

    /// Ignores SIGPIPE for the test process, once: a child that exits without reading all its
    /// input must fail that write, not kill the whole test run.
    private static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// What a finished child printed and how it exited.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: String
        public var stdoutText: String { String(decoding: self.stdout, as: UTF8.self) }
    }

    /// Runs `name` (looked up with `path(_:)`) with `arguments`, feeding `input` to its
    /// standard input; throws if it is missing or, with `expectSuccess`, exits non-zero.
    @discardableResult
    public static func run(
        _ name: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
        expectSuccess: Bool = true
    ) throws -> Result {
        guard let executable = path(name) else {
            throw TestSupportError("\(name) is not installed; .ci/run installs it")
        }
        let result = try run(executable: executable, arguments, input: input, environment: environment)
        if expectSuccess && result.status != 0 {
            throw TestSupportError(
                "\(name) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)"
                    + result.stdoutText)
        }
        return result
    }

    /// Runs the program at `executable` (in `directory`, if given) and collects its outputs.
    public static func run(
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
            brokenPipesIgnored
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
            try? stdin.fileHandleForWriting.close()
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

    /// `run(_:_:input:environment:expectSuccess:)` on a dispatch thread, so that a slow child
    /// does not hold a thread of Swift's cooperative pool.
    @discardableResult
    public static func runAsync(
        _ name: String, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
        expectSuccess: Bool = true
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Swift.Result { () throws -> ExternalProcess.Result in
                        try run(name, arguments, input: input, environment: environment, expectSuccess: expectSuccess)
                    })
            }
        }
    }

    /// A free TCP port on 127.0.0.1 right now: bound, read back and closed. Another process
    /// may take it before the caller binds it; callers that can retry should.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestSupportError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestSupportError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension ExternalProcess {
    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    public static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }
}

/// Collects a child's output from two reader threads.
final class OutputBox: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func setStdout(_ data: Data) { lock.withLock { out = data } }
    func setStderr(_ data: Data) { lock.withLock { err = data } }
    var stdout: Data { lock.withLock { out } }
    var stderr: Data { lock.withLock { err } }
}
