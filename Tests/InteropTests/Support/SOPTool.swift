import Foundation
import TestSupport

/// A Stateless OpenPGP implementation driven through its command line: ours
/// (`pgpmail-sop`, built next to the tests) or a peer such as `sqop`.
struct SOPTool: CustomStringConvertible {
    let name: String
    let executable: String

    /// Our implementation, built by the package.
    static func ours() throws -> SOPTool {
        guard let url = DemoInteropTests.builtExecutable("pgpmail-sop") else {
            throw TestSupportError("pgpmail-sop was not built next to the tests")
        }
        return SOPTool(name: "pgpmail-sop", executable: url.path)
    }

    /// A peer installed on the machine.
    static func peer(_ name: String) throws -> SOPTool {
        guard let path = ExternalProcess.path(name) else {
            throw TestSupportError("\(name) is not installed; .ci/run installs it")
        }
        return SOPTool(name: name, executable: path)
    }

    var description: String { name }

    /// Runs a subcommand in `directory` (where argument files live), with `environment` added.
    @discardableResult
    func run(
        _ arguments: [String], input: [UInt8] = [], in directory: TemporaryDirectory,
        environment: [String: String] = [:],
        expect status: Int32 = 0
    ) throws -> ExternalProcess.Result {
        let result = try ExternalProcess.run(
            executable: executable, arguments, input: input, environment: environment, in: directory.url)
        if result.status != status {
            throw TestSupportError(
                "\(name) \(arguments.joined(separator: " ")) exited \(result.status), expected \(status): \(result.stderr)"
            )
        }
        return result
    }
}
