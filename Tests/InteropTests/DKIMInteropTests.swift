import Foundation
import PGPMail
import TestSupport
import Testing

/// DKIM signatures made by `DKIMSigner`, checked by an independent verifier: dkimpy (`pip install
/// dkimpy pynacl`; PyNaCl provides its ed25519-sha256 support). Keys come from `openssl genpkey`.
@Suite("DKIM interop with dkimpy", .enabled(if: ExternalProcess.shouldRun("python3", "openssl")))
struct DKIMInteropTests {
    /// Verifies every `<name>.eml` in the directory given as argument against `records.json`
    /// (DNS name → TXT record) and prints `<name> pass|fail`, with dkimpy's reasons on stderr.
    static let verifierScript = """
        import json, logging, os, sys
        try:
            import dkim
        except ImportError as error:
            sys.exit("dkimpy is not installed (pip install dkimpy): %s" % error)
        try:
            import nacl.signing
        except ImportError as error:
            sys.exit("PyNaCl is not installed; dkimpy needs it for ed25519-sha256 (pip install pynacl): %s" % error)
        directory = sys.argv[1]
        with open(os.path.join(directory, "records.json")) as handle:
            records = json.load(handle)
        def dns(name, timeout=5):
            record = records.get(name.decode("ascii"))
            return record.encode("ascii") if record is not None else None
        logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
        for file in sorted(os.listdir(directory)):
            if not file.endswith(".eml"):
                continue
            with open(os.path.join(directory, file), "rb") as handle:
                message = handle.read()
            logger = logging.getLogger(file)
            verified = dkim.verify(message, logger=logger, dnsfunc=dns, minkey=1024)
            print("%s %s" % (file[:-4], "pass" if verified else "fail"))
        """

    /// A signing key from `openssl genpkey`, with its selector.
    struct Key {
        let name: String
        let selector: String
        let key: DKIMKey
    }

    static func opensslKey(_ arguments: [String]) throws -> String {
        try ExternalProcess.run("openssl", arguments).stdoutText
    }

    static func keys() throws -> [Key] {
        let rsaPKCS8 = try opensslKey(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        let rsaPKCS1 = try ExternalProcess.run("openssl", ["rsa", "-traditional"], input: Array(rsaPKCS8.utf8))
            .stdoutText
        #expect(rsaPKCS1.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let ed25519 = try opensslKey(["genpkey", "-algorithm", "ed25519"])
        return [
            Key(name: "rsa", selector: "rsa", key: try DKIMKey.rsa(pemRepresentation: rsaPKCS8)),
            Key(name: "rsa1", selector: "rsa1", key: try DKIMKey.rsa(pemRepresentation: rsaPKCS1)),
            Key(name: "ed25519", selector: "ed", key: try DKIMKey.ed25519(pemRepresentation: ed25519)),
        ]
    }

    /// The messages to sign, rendered by the Mail module.
    static func messages() throws -> [(String, [UInt8])] {
        let plain = try MailMessage(
            from: "Alice <alice@example.com>", to: "bob@example.net", subject: "Plain",
            body: "Hello Bob,\nthis is a plain message.\n\nAlice\n")

        let recipients = (1...12).map { "Recipient Number \($0) <recipient\($0)@example.net>" }.joined(separator: ", ")
        let folded = try MailMessage(
            from: "Jürgen Müller <juergen@example.com>", to: recipients,
            subject: "Grüße aus Köln — eine ziemlich lange Betreffzeile, die gefaltet werden muss, "
                + String(
                    repeating: "und noch länger ", count: 6),
            body: "Zeile mit Leerzeichen am Ende   \n\tEingerückt mit Tab\n\n\n"
        )
        .addingHeader(
            name: "X-Long-Header",
            value: (1...40).map { "word\($0)" }.joined(separator: " "))

        let key = try SecretKey.generate(userID: "Alice <alice@example.com>")
        let pgp = try MailMessage(
            from: "Alice <alice@example.com>", to: "bob@example.net", subject: "Signed with OpenPGP",
            body: "- a dash line\nFrom the start of a line\n"
        )
        .addingAttachment(Attachment(filename: "data.bin", data: (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        .signed(by: key)

        return [
            ("plain", try plain.renderedBytes()),
            ("folded", try folded.renderedBytes()),
            ("pgpmime", try pgp.renderedBytes()),
        ]
    }

    static let canonicalizations: [(DKIMCanonicalization, DKIMCanonicalization)] = [
        (.relaxed, .relaxed), (.simple, .simple), (.relaxed, .simple), (.simple, .relaxed),
    ]

    /// Writes the cases, runs dkimpy once over all of them and returns its verdicts by name.
    static func verify(_ cases: [String: [UInt8]], records: [String: String]) throws -> [String: String] {
        let directory = try TemporaryDirectory(prefix: "dkim")
        for (name, bytes) in cases { _ = try directory.write("\(name).eml", bytes) }
        _ = try directory.write("records.json", Array(try JSONEncoder().encode(records)))
        let script = try directory.write("verify.py", Array(verifierScript.utf8))
        let result = try ExternalProcess.run("python3", [script.path, directory.path], expectSuccess: false)
        try #require(result.status == 0, "dkimpy verifier failed: \(result.stderr)")
        var verdicts: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { verdicts[String(parts[0])] = String(parts[1]) }
        }
        #expect(verdicts.count == cases.count, "dkimpy answered \(verdicts.count) of \(cases.count): \(result.stderr)")
        return verdicts
    }

    static func records(for keys: [Key]) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: keys.map { ("\($0.selector)._domainkey.example.com.", $0.key.publicKeyRecord) })
    }

    @Test func dkimpyVerifiesOurSignatures() throws {
        let keys = try Self.keys()
        var cases: [String: [UInt8]] = [:]
        for key in keys {
            for (header, body) in Self.canonicalizations {
                let signer = try DKIMSigner(
                    domain: "example.com", selector: key.selector, key: key.key, headerCanonicalization: header,
                    bodyCanonicalization: body, identity: "@example.com", expiration: .seconds(3600))
                for (name, message) in try Self.messages() {
                    let signed = try signer.sign(message)
                    Self.expectShortLines(try signer.signatureField(for: message))
                    cases["\(key.name)-\(header)-\(body)-\(name)"] = signed
                }
            }
        }
        let verdicts = try Self.verify(cases, records: Self.records(for: keys))
        for name in cases.keys.sorted() {
            #expect(verdicts[name] == "pass", "dkimpy did not verify \(name)")
        }
    }

    @Test func dkimpyRejectsAlteredMessages() throws {
        let keys = try Self.keys()
        var cases: [String: [UInt8]] = [:]
        var controls: [String] = []
        for key in keys where key.name != "rsa1" {
            for (header, body) in [(DKIMCanonicalization.relaxed, DKIMCanonicalization.relaxed), (.simple, .simple)] {
                let signer = try DKIMSigner(
                    domain: "example.com", selector: key.selector, key: key.key, headerCanonicalization: header,
                    bodyCanonicalization: body)
                for (name, message) in try Self.messages() {
                    let field = try signer.signatureField(for: message)
                    let prefix = "\(key.name)-\(header)-\(body)-\(name)"
                    // Unaltered: the control that shows the failures below come from the alterations.
                    cases["\(prefix)-unaltered"] = field + message
                    controls.append("\(prefix)-unaltered")
                    cases["\(prefix)-body-appended"] = field + message + Array("Tampered.\r\n".utf8)
                    cases["\(prefix)-second-from"] =
                        field + Array("From: Mallory <mallory@example.org>\r\n".utf8) + message
                    cases["\(prefix)-subject-changed"] =
                        field + Self.replacing("Subject: ", with: "Subject: Re: ", in: message)
                }
            }
        }
        let verdicts = try Self.verify(cases, records: Self.records(for: keys))
        for name in cases.keys.sorted() {
            let expected = controls.contains(name) ? "pass" : "fail"
            #expect(verdicts[name] == expected, "dkimpy: \(name) should \(expected)")
        }
    }

    @Test func dkimpyAcceptsTheDNSRecordFormat() throws {
        for key in try Self.keys() {
            let record = key.key.publicKeyRecord
            #expect(
                record.hasPrefix(key.key.algorithm == .rsaSHA256 ? "v=DKIM1; k=rsa; p=MII" : "v=DKIM1; k=ed25519; p="))
            #expect(key.key.keySizeInBits == (key.key.algorithm == .rsaSHA256 ? 2048 : 256))
        }
    }

    static func replacing(_ target: String, with replacement: String, in bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: target) else { return bytes }
        return Array(text.replacingCharacters(in: range, with: replacement).utf8)
    }

    static func expectShortLines(_ field: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        for line in String(decoding: field, as: UTF8.self).components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "long line: \(line)", sourceLocation: sourceLocation)
        }
    }
}
