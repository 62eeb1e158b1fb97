import Foundation
import PGPMail
import TestSupport
import Testing

/// notmuch (GMime) reads our long non-ASCII headers exactly. GMime joins the payloads of
/// adjacent B encoded-words before decoding, so `=` padding inside a run used to cut them off.
@Suite("notmuch reads our headers", .enabled(if: ExternalProcess.shouldRun("notmuch")))
struct NotmuchReadTests {
    @Test func decodesLongNonASCIISubjectsAndDisplayNames() throws {
        let texts = [
            String(repeating: "é", count: 90), "a" + String(repeating: "€", count: 60),
            String(repeating: "😀", count: 40), "Re: " + String(repeating: "日本語のテキスト、", count: 10),
            String(repeating: "👍🏽", count: 30),
        ]
        let directory = try TemporaryDirectory(prefix: "notmuch")
        let maildir = directory.file("mail")
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(
                at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for (index, text) in texts.enumerated() {
            let from = try MailAddress(displayName: text, address: "bob@example.org")
            let message = try MailMessage(from: from, to: [from], subject: text, body: "x")
                .withMessageID("m\(index)@example.org")
            try Data(try message.renderedBytes()).write(to: maildir.appendingPathComponent("cur/m\(index):2,"))
        }
        let config = try directory.write(
            "config", Array("[database]\npath=\(maildir.path)\n[new]\ntags=inbox\n".utf8))
        let environment = ["NOTMUCH_CONFIG": config.path]
        try ExternalProcess.run("notmuch", ["new", "--quiet"], environment: environment)
        for (index, text) in texts.enumerated() {
            let result = try ExternalProcess.run(
                "notmuch", ["show", "--format=json", "id:m\(index)@example.org"], environment: environment)
            // [[[message, replies]]]: the first message of the first thread.
            let threads = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [Any])
            let thread = try #require(threads.first as? [Any])
            let node = try #require(thread.first as? [Any])
            let message = try #require(node.first as? [String: Any])
            let headers = try #require(message["headers"] as? [String: Any])
            #expect(headers["Subject"] as? String == text)
            #expect(headers["From"] as? String == "\(text) <bob@example.org>")
        }
    }
}
