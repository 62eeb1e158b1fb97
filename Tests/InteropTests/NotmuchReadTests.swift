import Foundation
import PGPMail
import TestSupport
import Testing

/// Protected headers and Autocrypt keys as notmuch, Python's `email` and GnuPG read them.
@Suite("Protected headers read by notmuch, Python and GnuPG")
struct NotmuchReadTests {
    static let body = "The merger closes on Friday.\n"
    static let subject = "Merger plans für Q3"

    private func message(from sender: String = "Alice <alice@example.org>") throws -> MailMessage {
        try MailMessage(from: sender, to: "Bob <bob@example.org>", subject: Self.subject, body: Self.body)
            .withMessageID("protected.\(UUID().uuidString)@example.org")
    }

    /// Every string value anywhere in notmuch's JSON.
    private func strings(in value: Any) -> [String] {
        switch value {
        case let text as String: [text]
        case let list as [Any]: list.flatMap(strings(in:))
        case let object as [String: Any]: object.values.flatMap(strings(in:))
        default: []
        }
    }

    @Test(.enabled(if: ExternalProcess.shouldRun("notmuch", "gpg")))
    func notmuchDecryptsVerifiesAndShowsTheProtectedSubject() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let gpg = try GnuPG()
        try gpg.importKey(try bob.armored())
        try gpg.importKey(alice.certificate.armored())
        let encrypted = try message().signedAndEncrypted(by: alice, for: [bob.certificate])
        let notmuch = try Notmuch(gnupg: gpg)
        try notmuch.deliver(try encrypted.renderedBytes())

        let shown = try notmuch.show("id:\(try #require(encrypted.messageID))")
        let headers = try #require(shown["headers"] as? [String: Any])
        #expect(headers["Subject"] as? String == Self.subject, "notmuch shows the protected Subject")
        let crypto = try #require(shown["crypto"] as? [String: Any], "\(shown)")
        let decrypted = try #require(crypto["decrypted"] as? [String: Any], "\(crypto)")
        #expect(decrypted["status"] as? String == "full")
        let mask = decrypted["header-mask"] as? [String: Any]
        #expect(mask?["Subject"] as? String == "[...]", "the outer Subject notmuch replaced: \(decrypted)")
        let signed = try #require(crypto["signed"] as? [String: Any], "\(crypto)")
        let status = try #require(signed["status"] as? [[String: Any]])
        #expect(status.map { $0["status"] as? String } == ["good"])
        #expect(status.first?["fingerprint"] as? String == alice.fingerprint.hex)
        #expect(strings(in: shown["body"] ?? []).contains(Self.body))
    }

    @Test(.enabled(if: ExternalProcess.shouldRun("notmuch", "gpg")))
    func notmuchVerifiesASignedMessageWithProtectedHeaders() throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>")
        let gpg = try GnuPG()
        try gpg.importKey(alice.certificate.armored())
        let signed = try message().signed(by: alice)
        let notmuch = try Notmuch(gnupg: gpg)
        try notmuch.deliver(try signed.renderedBytes())

        let shown = try notmuch.show("id:\(try #require(signed.messageID))")
        #expect((shown["headers"] as? [String: Any])?["Subject"] as? String == Self.subject)
        let crypto = try #require(shown["crypto"] as? [String: Any], "\(shown)")
        let signedInfo = try #require(crypto["signed"] as? [String: Any], "\(crypto)")
        let status = try #require(signedInfo["status"] as? [[String: Any]])
        #expect(status.map { $0["status"] as? String } == ["good"])
        #expect(strings(in: shown["body"] ?? []).contains(Self.body))
    }

    @Test(.enabled(if: ExternalProcess.shouldRun("python3")))
    func pythonParsesTheOuterMessageWithoutDefects() throws {
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>")
        let files = try TemporaryDirectory(prefix: "hp-python")
        let file = try files.write("message.eml", try message().encrypted(for: [bob.certificate]).renderedBytes())
        let script = """
            import email, email.policy, sys
            with open(sys.argv[1], 'rb') as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            defects = [d for part in message.walk() for d in part.defects]
            print(repr(str(message['Subject'])))
            print(message.get_content_type(), message.get_param('protocol'))
            print(len(defects), [type(d).__name__ for d in defects])
            """
        let output = try ExternalProcess.run("python3", ["-c", script, file.path]).stdoutText
        #expect(output.split(separator: "\n") == ["'[...]'", "multipart/encrypted application/pgp-encrypted", "0 []"])
    }

    @Test(.enabled(if: ExternalProcess.shouldRun("gpg")))
    func gpgImportsTheAutocryptKeyDataAsOneUserIDAndOneEncryptionSubkey() throws {
        let alice = try SecretKey.generate(userIDs: ["Alice <alice@example.org>", "Alice at work <alice@work.example>"])
        let message = try message().withAutocrypt(alice.certificate, preferEncrypt: .mutual)
        let header = try #require(
            try MIMEEntity.parse(try message.renderedBytes()).headers(named: "Autocrypt").first?.rawValue)
        let keyData = try #require(header.components(separatedBy: "keydata=").last).filter { !$0.isWhitespace }
        let gpg = try GnuPG()
        try gpg.run(["--import"], input: Array(try #require(Data(base64Encoded: keyData))))
        let listing = try gpg.run(["--with-colons", "--list-keys"]).stdoutText.split(separator: "\n")
        let uids = listing.filter { $0.hasPrefix("uid:") }
        #expect(uids.count == 1)
        #expect(uids.first?.contains("Alice <alice@example.org>") == true)
        let subkeys = listing.filter { $0.hasPrefix("sub:") }
        #expect(subkeys.count == 1)
        #expect(subkeys.first?.split(separator: ":", omittingEmptySubsequences: false)[11].contains("e") == true)
        #expect(listing.filter { $0.hasPrefix("pub:") }.count == 1)
    }
}
