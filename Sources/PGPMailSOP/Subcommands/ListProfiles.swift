import ArgumentParser
import OpenPGP

/// A named choice of algorithms for a subcommand (`--profile`), as `list-profiles` shows it.
struct SOPProfile: Sendable {
    let name: String
    let description: String

    /// The line `list-profiles` prints: `name: description`.
    var line: String { "\(name): \(description)" }

    /// The profiles of `generate-key`, the default first. The default stays a v4 key with
    /// Ed25519/Curve25519 (draft-koch-eddsa-for-openpgp, what every OpenPGP implementation
    /// reads) until v6 keys are common.
    static let generateKey = [
        SOPProfile(
            name: "draft-koch-eddsa-for-openpgp-00",
            description: "v4 key, Ed25519 (EdDSA) signing and Curve25519 (ECDH) encryption (default)"),
        SOPProfile(name: "rfc4880", description: "v4 key, RSA 3072 signing and encryption (RFC 4880 algorithms)"),
        SOPProfile(name: "rfc9580", description: "v6 key, Ed25519 signing and X25519 encryption (RFC 9580)"),
    ]

    /// The profiles of `encrypt`, the default first.
    static let encrypt = [
        SOPProfile(
            name: "rfc9580",
            description: "SEIPDv2 (AEAD) when every recipient certificate announces it, else SEIPDv1 (default)"),
        SOPProfile(name: "rfc4880", description: "always SEIPDv1 (CFB with MDC), for RFC 4880 readers"),
    ]

    /// The profile `requested` names among `profiles` (`default` and no option name the
    /// first); throws UNSUPPORTED_PROFILE for any other name.
    static func select(_ requested: String?, from profiles: [SOPProfile]) throws -> SOPProfile {
        guard let requested, requested != "default" else { return profiles[0] }
        guard let profile = profiles.first(where: { $0.name == requested }) else {
            throw SOPFailure(
                .unsupportedProfile,
                "unknown profile \(requested); known: \(profiles.map(\.name).joined(separator: ", "))")
        }
        return profile
    }
}

struct ListProfiles: SOPSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list-profiles",
        abstract: "List the profiles of a subcommand, one per line as 'name: description'; the first is the default.")

    @Argument(help: "The subcommand: generate-key or encrypt.") var subcommand: String

    func execute() throws {
        let profiles: [SOPProfile]
        switch subcommand {
        case "generate-key": profiles = SOPProfile.generateKey
        case "encrypt": profiles = SOPProfile.encrypt
        default:
            guard SOP.configuration.subcommands.contains(where: { $0._commandName == subcommand }) else {
                throw SOPFailure(.unsupportedSubcommand, "no subcommand \(subcommand)")
            }
            throw SOPFailure(.unsupportedProfile, "\(subcommand) has no profiles")
        }
        try StandardIO.write(profiles.map { $0.line + "\n" }.joined())
    }
}
