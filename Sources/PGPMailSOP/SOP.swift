import ArgumentParser
import Foundation
import OpenPGP

/// `pgpmail-sop`: the Stateless OpenPGP command line interface
/// (draft-dkg-openpgp-stateless-cli) over the PGPMail OpenPGP engine.
@main
struct SOP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgpmail-sop",
        abstract: "Stateless OpenPGP command line interface of PGPMail.",
        subcommands: [
            Version.self, GenerateKey.self, ExtractCert.self, Sign.self, Verify.self, Encrypt.self, Decrypt.self,
            ArmorCommand.self, Dearmor.self, InlineDetach.self, InlineSign.self, InlineVerify.self, ListProfiles.self,
        ])

    /// Runs a subcommand, turning every failure into the exit code the specification names.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as SOPFailure {
            FileHandle.standardError.write(Data("pgpmail-sop: \(failure.message)\n".utf8))
            Foundation.exit(failure.code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data("pgpmail-sop: \(message)\n".utf8))
            Foundation.exit(sopExitCode(forUsageMessage: message))
        }
    }

    /// Maps argument-parsing failures onto SOP's codes.
    static func sopExitCode(forUsageMessage message: String) -> Int32 {
        if message.contains("Unknown option") { return SOPFailure.Code.unsupportedOption.rawValue }
        if message.contains("Unexpected argument") && message.contains("pgpmail-sop <subcommand>") {
            return SOPFailure.Code.unsupportedSubcommand.rawValue
        }
        if message.contains("Missing expected argument") { return SOPFailure.Code.missingArgument.rawValue }
        return SOPFailure.Code.unsupportedOption.rawValue
    }
}

/// A subcommand body that reports failures as ``SOPFailure``.
protocol SOPSubcommand: ParsableCommand {
    func execute() throws
}

extension SOPSubcommand {
    func run() throws { try execute() }
}
