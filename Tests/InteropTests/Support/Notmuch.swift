import Foundation
import TestSupport

/// A private notmuch database: a maildir and a `NOTMUCH_CONFIG` file in a temporary
/// directory, reading encrypted mail with the secret keys of a `GnuPG` home.
final class Notmuch {
    let directory: TemporaryDirectory
    let gnupg: GnuPG
    private var mailDirectory: URL { directory.file("mail") }
    private var configFile: URL { directory.file("notmuch-config") }

    init(gnupg: GnuPG) throws {
        directory = try TemporaryDirectory(prefix: "notmuch")
        self.gnupg = gnupg
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(
                at: mailDirectory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let config = """
            [database]
            path=\(mailDirectory.path)
            [user]
            name=Test
            primary_email=test@example.org
            [new]
            tags=inbox
            ignore=
            [search]
            exclude_tags=
            [maildir]
            synchronize_flags=false

            """
        try config.write(to: configFile, atomically: true, encoding: .utf8)
    }

    /// Runs notmuch with this database and GnuPG home.
    @discardableResult
    func run(_ arguments: [String]) throws -> ExternalProcess.Result {
        try ExternalProcess.run(
            "notmuch", arguments,
            environment: [
                "NOTMUCH_CONFIG": configFile.path, "GNUPGHOME": gnupg.home.path, "HOME": directory.path,
            ])
    }

    /// Delivers `message` into the maildir and indexes it.
    func deliver(_ message: [UInt8]) throws {
        let name = "\(UUID().uuidString).test:2,"
        try Data(message).write(to: mailDirectory.appendingPathComponent("new").appendingPathComponent(name))
        try run(["new", "--quiet"])
    }

    /// `notmuch show --format=json --decrypt=true --verify <query>` decoded: the first
    /// message of the first thread as notmuch reports it.
    func show(_ query: String) throws -> [String: Any] {
        let output = try run(["show", "--format=json", "--decrypt=true", "--verify", query]).stdout
        // The JSON is a list of threads, each a list of [message, replies] pairs.
        guard let threads = try JSONSerialization.jsonObject(with: Data(output)) as? [Any],
            let thread = threads.first as? [Any], let pair = thread.first as? [Any],
            let message = pair.first as? [String: Any]
        else {
            throw TestSupportError(
                "notmuch printed no message for \(query): \(String(decoding: output, as: UTF8.self))")
        }
        return message
    }
}
