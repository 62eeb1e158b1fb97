import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started in the background, so that a test can signal it (`kill`) while it
/// runs; its outputs are collected until it exits. Standard input is empty.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is only read after `run()`, and `collected` locks itself.
    private let process: Process
    private let readers = DispatchGroup()
    private let collected = OutputBox()

    /// The process ID.
    public let pid: Int32

    /// Starts `executable` with `arguments`, its environment being this one's plus `environment`.
    public init(executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        self.pid = process.processIdentifier
        let collected = self.collected
        DispatchQueue.global().async(group: self.readers) {
            collected.setStdout(stdout.fileHandleForReading.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: self.readers) {
            collected.setStderr(stderr.fileHandleForReading.readDataToEndOfFile())
        }
    }

    /// Sends `signal` (for example `SIGKILL`) to the child, unless it has already exited (and
    /// its pid may belong to another process).
    public func send(_ signal: Int32) {
        guard self.process.isRunning else { return }
        _ = kill(self.pid, signal)
    }

    /// Waits, on a dispatch thread, for the child to exit and its outputs to close. `status` is
    /// the exit status, or the signal number when `killedBySignal`.
    public func wait() async -> (result: ExternalProcess.Result, killedBySignal: Bool) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.readers.wait()
                self.process.waitUntilExit()
                let result = ExternalProcess.Result(
                    status: self.process.terminationStatus, stdout: Array(self.collected.stdout),
                    stderr: String(decoding: self.collected.stderr, as: UTF8.self))
                continuation.resume(returning: (result, self.process.terminationReason == .uncaughtSignal))
            }
        }
    }
}
