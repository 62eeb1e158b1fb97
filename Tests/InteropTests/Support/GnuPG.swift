import Foundation

/// A GnuPG instance with its own temporary home directory.
final class GnuPG {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "gnupghome")
        // Loopback pinentry lets tests pass passphrases on the command line.
        try "allow-loopback-pinentry\n".write(to: home.file("gpg-agent.conf"), atomically: true, encoding: .utf8)
    }

    deinit {
        // Stop the agent this home started, so test runs leave no processes behind.
        _ = try? ExternalTool.run("gpgconf", ["--kill", "gpg-agent"], environment: ["GNUPGHOME": home.path], expectSuccess: false)
    }

    @discardableResult
    func run(_ arguments: [String], input: [UInt8] = [], passphrase: String? = nil, expectSuccess: Bool = true) throws -> ExternalTool.Result {
        var full = ["--batch", "--no-tty", "--status-fd", "2", "--trust-model", "always"]
        if let passphrase { full += ["--pinentry-mode", "loopback", "--passphrase", passphrase] }
        return try ExternalTool.run("gpg", full + arguments, input: input, environment: ["GNUPGHOME": home.path], expectSuccess: expectSuccess)
    }

    func importKey(_ armored: String, passphrase: String? = nil) throws {
        try run(["--import"], input: Array(armored.utf8), passphrase: passphrase)
    }
}
