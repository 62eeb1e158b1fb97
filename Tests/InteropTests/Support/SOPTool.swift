import Foundation

/// A Stateless OpenPGP implementation driven through its command line: ours
/// (`pgpmail-sop`, built next to the tests) or a peer such as `sqop`.
struct SOPTool: CustomStringConvertible {
    let name: String
    let executable: String

    /// Our implementation, built by the package.
    static func ours() throws -> SOPTool {
        guard let url = DemoInteropTests.builtExecutable("pgpmail-sop") else {
            throw ExternalTool.Failure(description: "pgpmail-sop was not built next to the tests")
        }
        return SOPTool(name: "pgpmail-sop", executable: url.path)
    }

    /// A peer installed on the machine.
    static func peer(_ name: String) throws -> SOPTool {
        guard let path = ExternalTool.path(name) else {
            throw ExternalTool.Failure(description: "\(name) is not installed; .ci/run installs it")
        }
        return SOPTool(name: name, executable: path)
    }

    var description: String { name }

    /// Runs a subcommand in `directory` (where argument files live).
    @discardableResult
    func run(_ arguments: [String], input: [UInt8] = [], in directory: TemporaryDirectory, expect status: Int32 = 0) throws -> ExternalTool.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory.url
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            ExternalTool.feed(input, to: stdin)
        }
        writer.start()
        let errors = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = ExternalTool.Result(status: process.terminationStatus, stdout: Array(output), stderr: errors.text())
        if result.status != status {
            throw ExternalTool.Failure(
                description: "\(name) \(arguments.joined(separator: " ")) exited \(result.status), expected \(status): \(result.stderr)")
        }
        return result
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    // @unchecked: `data` is written once by the thread and read after `done` is signalled.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
