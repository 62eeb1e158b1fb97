import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand.Keys {
    /// `pgpmail keys export`: the certificates (public keys) of a key file.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the certificate (public key) of every key in a key file to standard output.",
            discussion: """
                KEYFILE may hold secret or public keys, binary or armored, one or many (a keyring, \
                a GnuPG keybox or home directory); '-' reads standard input. No secret ever leaves.
                """)

        @Argument(help: ArgumentHelp("The key file.", valueName: "KEYFILE"))
        var keyFile: String

        @Flag(help: "Write binary certificates instead of ASCII armor.")
        var noArmor = false

        func run() throws {
            try PGPMailCommand.Keys.reportingFailures(of: "export") {
                let certificates = try KeyFiles.keyring(at: keyFile).certificates
                let bytes = certificates.flatMap { $0.serialized() }
                KeyFiles.writeStandardOutput(noArmor ? bytes : Array(Armor.encode(bytes, type: .publicKey).utf8))
            }
        }
    }
}
