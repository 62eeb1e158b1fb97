import Foundation
import TestSupport

/// Sequoia-PGP through its Python binding (`pip install pysequoia`): an RFC 9580 peer that
/// makes and reads v6 keys, SEIPDv2 messages and Argon2 SKESKs.
///
/// Each call runs a short Python script with `python3`; the bytes it needs go through files in
/// a temporary directory, named `a0`, `a1`, … in the order given, and the script finds their
/// paths in `sys.argv[1:]`. What it writes to standard output is the result.
enum PySequoia {
    /// Runs `script` (after `import pysequoia` and `from pysequoia import *`) with `inputs` as
    /// files; throws with the script's stderr if it fails.
    @discardableResult
    static func run(_ script: String, inputs: [[UInt8]] = []) throws -> [UInt8] {
        let directory = try TemporaryDirectory(prefix: "pysequoia")
        var paths: [String] = []
        for (index, input) in inputs.enumerated() {
            paths.append(try directory.write("a\(index)", input).path)
        }
        let program = "import sys, pysequoia\nfrom pysequoia import *\n" + script
        return try ExternalProcess.run("python3", ["-c", program] + paths).stdout
    }

    /// Runs `script` expecting it to fail; returns its standard error.
    static func failure(_ script: String, inputs: [[UInt8]] = []) throws -> String {
        let directory = try TemporaryDirectory(prefix: "pysequoia")
        var paths: [String] = []
        for (index, input) in inputs.enumerated() {
            paths.append(try directory.write("a\(index)", input).path)
        }
        let program = "import sys, pysequoia\nfrom pysequoia import *\n" + script
        let result = try ExternalProcess.run("python3", ["-c", program] + paths, expectSuccess: false)
        guard result.status != 0 else { throw TestSupportError("the pysequoia script was expected to fail") }
        return result.stderr
    }
}
