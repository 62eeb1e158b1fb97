import Foundation
import PGPMail
import TestSupport
import Testing

/// notmuch (GMime) reads our long non-ASCII headers exactly. GMime joins the payloads of
/// adjacent B encoded-words before decoding, so `=` padding inside a run used to cut them off.
@Suite("notmuch reads our long non-ASCII headers", .enabled(if: ExternalProcess.shouldRun("notmuch", "gpg")))
struct NotmuchHeaderDecodingTests {
    @Test func decodesLongNonASCIISubjectsAndDisplayNames() throws {
        let texts = [
            String(repeating: "é", count: 90), "a" + String(repeating: "€", count: 60),
            String(repeating: "😀", count: 40), "Re: " + String(repeating: "日本語のテキスト、", count: 10),
            String(repeating: "👍🏽", count: 30),
        ]
        let notmuch = try Notmuch(gnupg: try GnuPG())
        for (index, text) in texts.enumerated() {
            let from = try MailAddress(displayName: text, address: "bob@example.org")
            let message = try MailMessage(from: from, to: [from], subject: text, body: "x")
                .withMessageID("m\(index)@example.org")
            try notmuch.deliver(try message.renderedBytes())
        }
        for (index, text) in texts.enumerated() {
            let message = try notmuch.show("id:m\(index)@example.org")
            let headers = try #require(message["headers"] as? [String: Any])
            #expect(headers["Subject"] as? String == text)
            #expect(headers["From"] as? String == "\(text) <bob@example.org>")
        }
    }
}
