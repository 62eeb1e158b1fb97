import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand {
    /// `pgpmail keys`: make, export and inspect OpenPGP keys.
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate, export and list OpenPGP keys.",
            discussion: "Exit status: 0 done, 1 a file or key problem, 2 usage error.",
            subcommands: [Generate.self, Export.self, List.self])
    }
}

extension PGPMailCommand.Keys {
    /// Runs `body`, printing any failure as one line on standard error and exiting with 1.
    static func reportingFailures(of command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            SendFailure(error, phase: .preparation).report(command: "keys " + command)
            throw ExitCode.failure
        }
    }
}
