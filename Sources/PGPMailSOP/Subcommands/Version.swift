import ArgumentParser
import OpenPGP

struct Version: SOPSubcommand {
    static let configuration = CommandConfiguration(abstract: "Print version information.")

    @Flag(help: "Print the name and version of the OpenPGP backend.") var backend = false
    @Flag(help: "Print detailed version information.") var extended = false
    @Flag(name: .customLong("sop-spec"), help: "Print the SOP specification version implemented.") var sopSpec = false

    static let version = "0.1.0"
    static let specification = "draft-dkg-openpgp-stateless-cli-10"

    func execute() throws {
        if sopSpec {
            try StandardIO.write("\(Self.specification)\n")
        } else if backend {
            try StandardIO.write("PGPMail OpenPGP \(Self.version)\n")
        } else if extended {
            try StandardIO.write(
                "pgpmail-sop \(Self.version)\nPGPMail OpenPGP \(Self.version) (libcrypto)\n\(Self.specification)\n")
        } else {
            try StandardIO.write("pgpmail-sop \(Self.version)\n")
        }
    }
}
