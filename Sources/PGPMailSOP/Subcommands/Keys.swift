import ArgumentParser
import OpenPGP

struct GenerateKey: SOPSubcommand {
    static let configuration = CommandConfiguration(commandName: "generate-key", abstract: "Generate a secret key.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false
    @Option(name: .customLong("with-key-password"), help: "Protect the key with the password in this file.")
    var keyPassword: String?
    @Option(help: "The key profile (see list-profiles generate-key): default, rfc4880 or rfc9580.") var profile: String?
    @Argument(help: "User IDs.") var userIDs: [String] = []

    func execute() throws {
        let (type, version) = Self.algorithms(try SOPProfile.select(profile, from: SOPProfile.generateKey))
        guard !userIDs.isEmpty || version == .v6 else {
            throw SOPFailure(.missingArgument, "generate-key needs a user ID (only rfc9580 keys may have none)")
        }
        let key: SecretKey
        do {
            key = try SecretKey.generate(userIDs: userIDs, type: type, version: version)
        } catch {
            throw SOPFailure.from(error, during: .other)
        }
        let password = try keyPassword.map(IndirectData.password)
        if noArmor {
            try StandardIO.write(try key.serialized(passphrase: password))
        } else {
            try StandardIO.write(try key.armored(passphrase: password))
        }
    }

    /// The key type and version of a `generate-key` profile.
    static func algorithms(_ profile: SOPProfile) -> (SecretKey.KeyType, SecretKey.KeyVersion) {
        switch profile.name {
        case "rfc4880": (.rsa(bits: 3072), .v4)
        case "rfc9580": (.curve25519, .v6)
        default: (.curve25519, .v4)
        }
    }
}

struct ExtractCert: SOPSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-cert", abstract: "Extract the certificate of a secret key.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false

    func execute() throws {
        let keys: [SecretKey]
        do {
            keys = try SecretKey.readKeyring(try StandardIO.readInput())
        } catch {
            throw SOPFailure(.badData, "standard input holds no readable secret key: \(error)")
        }
        guard !keys.isEmpty else { throw SOPFailure(.badData, "standard input holds no secret key") }
        let certificates = keys.map(\.certificate)
        if noArmor {
            try StandardIO.write(certificates.flatMap { $0.serialized() })
        } else {
            try StandardIO.write(Armor.encode(certificates.flatMap { $0.serialized() }, type: .publicKey))
        }
    }
}
