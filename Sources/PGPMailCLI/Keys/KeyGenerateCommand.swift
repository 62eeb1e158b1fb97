import ArgumentParser
import Foundation
import PGPMail

extension PGPMailCommand.Keys {
    /// `pgpmail keys generate`: a new secret key with a signing primary key and an encryption
    /// subkey.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a secret key; prints its fingerprint on standard error.",
            discussion: """
                The rfc4880 profile (the default) makes a v4 key that every OpenPGP implementation \
                reads; with --type curve25519 (the default) it is an Ed25519 (EdDSA) primary key \
                with a Curve25519 (ECDH) encryption subkey. The rfc9580 profile makes a v6 key, by \
                default Ed25519 with an X25519 subkey, which only RFC 9580 implementations read; \
                it may have no user ID. The secret key is written armored to standard output, or \
                to --output with mode 0600.
                """)

        @Argument(
            help: ArgumentHelp(
                "User IDs, usually \"Name <address>\"; the first is the primary one.", valueName: "user-id"))
        var userIDs: [String] = []

        @Option(help: "The OpenPGP standard the key follows: rfc4880 (v4 key) or rfc9580 (v6 key).")
        var profile: KeyProfile = .rfc4880

        @Option(
            help: ArgumentHelp(
                "The algorithms: curve25519 (the default), curve448 (Ed448/X448), rsa3072, rsa4096, p256, p384 or p521 (NIST curves).",
                valueName: "type"))
        var type: KeyTypeName = .curve25519

        @Option(
            help: ArgumentHelp(
                "When the key expires: never (the default), or a count of days (180d), weeks (w), months (m) or years (2y).",
                valueName: "duration"))
        var expires: KeyExpiry = KeyExpiry(argument: "never")!

        @Option(
            help: ArgumentHelp(
                "Protect the secret key with this passphrase (first line of the file).", valueName: "file"))
        var passphraseFile: String?

        @Option(help: ArgumentHelp("Write the secret key to this new file (mode 0600).", valueName: "file"))
        var output: String?

        @Flag(help: "Replace the file of --output if it exists.")
        var force = false

        @Flag(help: "Write the binary key instead of ASCII armor.")
        var noArmor = false

        func validate() throws {
            if userIDs.isEmpty && profile != .rfc9580 {
                throw ValidationError("an \(profile.rawValue) key needs a user ID (only rfc9580 keys may have none)")
            }
            for userID in userIDs where userID.isEmpty || userID.utf8.contains(0) {
                throw ValidationError("a user ID must be non-empty text without NUL")
            }
            if force && output == nil {
                throw ValidationError("--force goes with --output")
            }
            if let output, !force, FileManager.default.fileExists(atPath: output) {
                throw ValidationError("\(output) exists; use --force to replace it")
            }
        }

        func run() throws {
            try PGPMailCommand.Keys.reportingFailures(of: "generate") {
                let passphrase = try passphraseFile.map { path in
                    let line = try SendFiles.firstLine(of: path, what: "passphrase file")
                    guard !line.isEmpty else {
                        throw SendFiles.ReadError(description: "the passphrase file \(path) starts with an empty line")
                    }
                    return line
                }
                let key = try SecretKey.generate(
                    userIDs: userIDs, type: type.keyType, version: profile.version, validity: expires.validity)
                let bytes =
                    noArmor
                    ? try key.serialized(passphrase: passphrase) : Array(try key.armored(passphrase: passphrase).utf8)
                if let output {
                    try KeyFiles.writePrivate(bytes, to: output, overwrite: force)
                } else {
                    KeyFiles.writeStandardOutput(bytes)
                }
                FileHandle.standardError.write(Data("\(key.fingerprint.hex)\n".utf8))
            }
        }
    }
}
