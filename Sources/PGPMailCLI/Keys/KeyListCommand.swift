import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand.Keys {
    /// `pgpmail keys list`: what the keys in some files are, like `gpg --list-keys`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Describe every key in the given files: algorithms, fingerprints, dates, flags, user IDs, subkeys.",
            discussion: """
                Each key is a block: 'pub' (or 'sec' when its secret part is in the file) with the \
                key version, algorithm, creation date, capabilities ([C]ertify, [S]ign, [E]ncrypt, \
                [A]uthenticate) and expiry, its fingerprint, one 'uid' line per user ID, and a \
                'sub' (or 'ssb') line and fingerprint per subkey. With several files each starts \
                with its name. FILE may be a key file (binary or armored, public or secret), a \
                GnuPG keybox or home directory, or '-' for standard input.

                \(KeyListing.jsonFields)
                """)

        @Argument(help: ArgumentHelp("Key files.", valueName: "FILE"))
        var files: [String]

        @Flag(help: "Print one JSON array of keys instead of text.")
        var json = false

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one key file") }
        }

        func run() throws {
            try PGPMailCommand.Keys.reportingFailures(of: "list") {
                var listings: [[KeyListing]] = []
                for file in files {
                    let ring = try KeyFiles.keyring(at: file)
                    let secret = Set(ring.secretKeys.map(\.fingerprint))
                    listings.append(
                        ring.certificates.map {
                            KeyListing(certificate: $0, secret: secret.contains($0.fingerprint), file: file)
                        })
                }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    KeyFiles.writeStandardOutput(Array(try encoder.encode(listings.flatMap { $0 })) + [0x0A])
                    return
                }
                var text = ""
                for (file, keys) in zip(files, listings) {
                    if files.count > 1 {
                        if !text.isEmpty { text += "\n" }
                        text += "\(file)\n" + String(repeating: "-", count: file.count) + "\n"
                    }
                    text += keys.map(\.text).joined(separator: "\n")
                }
                KeyFiles.writeStandardOutput(Array(text.utf8))
            }
        }
    }
}
