import ArgumentParser
import OpenPGP

struct GenerateKey: SOPSubcommand {
    static let configuration = CommandConfiguration(commandName: "generate-key", abstract: "Generate a secret key.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false
    @Option(name: .customLong("with-key-password"), help: "Protect the key with the password in this file.")
    var keyPassword: String?
    @Option(help: "The key profile: default (Ed25519 + Curve25519) or rfc4880 (RSA 3072).") var profile: String?
    @Argument(help: "User IDs.") var userIDs: [String] = []

    func execute() throws {
        if let profile, !["default", "rfc4880"].contains(profile) {
            throw SOPFailure(.unsupportedProfile, "unknown profile \(profile)")
        }
        guard !userIDs.isEmpty else {
            throw SOPFailure(.missingArgument, "generate-key needs a user ID")
        }
        let key: SecretKey
        do {
            key = try SecretKey.generate(userIDs: userIDs, type: profile == "rfc4880" ? .rsa(bits: 3072) : .curve25519)
        } catch {
            throw SOPFailure(.badData, "\(error)")
        }
        let password = try keyPassword.map(IndirectData.password)
        if noArmor {
            try StandardIO.write(try key.serialized(passphrase: password))
        } else {
            try StandardIO.write(try key.armored(passphrase: password))
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
