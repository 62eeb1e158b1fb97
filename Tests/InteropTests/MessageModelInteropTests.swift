import Foundation
import PGPMail
import TestSupport
import Testing

/// Python's `email` package (policy=default) reads what the message model writes: the
/// calendar alternative, format=flowed text, threading and List-* fields, without defects.
/// Skipped without python3 unless CI is set, in which case it fails.
@Suite(
    "Message model read by python3 email",
    .enabled(if: ExternalProcess.shouldRun("python3"), "python3 is not installed (Debian package python3)"))
struct MessageModelInteropTests {
    struct Report: Decodable {
        let defects: [String]
        let alternatives: [String]
        let calendar: String
        let method: String?
        let format: String?
        let charset: String?
        let unflowed: String
        let longestLine: Int
        let inReplyTo: String
        let references: String
        let listID: String
        let listUnsubscribe: String
        let listUnsubscribePost: String
        let subject: String
    }

    static let script = #"""
        import email, email.policy, json, sys

        def unflow(text, delsp):
            # RFC 3676 section 4.2: join soft-broken lines, undo space-stuffing.
            out, paragraph = [], None
            for line in text.split("\n"):
                if line.startswith(" "):
                    line = line[1:]
                if line.endswith(" ") and line != "-- ":
                    paragraph = (paragraph or "") + (line[:-1] if delsp else line)
                else:
                    out.append((paragraph or "") + line)
                    paragraph = None
            if paragraph is not None:
                out.append(paragraph)
            return "\n".join(out)

        data = open(sys.argv[1], "rb").read()
        message = email.message_from_bytes(data, policy=email.policy.default)
        defects = [type(d).__name__ for part in message.walk() for d in part.defects]
        alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        plain = message.get_body(("plain",))
        # The parsed payload keeps the wire's CRLF line breaks.
        text = plain.get_content().replace("\r\n", "\n")
        print(json.dumps({
            "defects": defects,
            "alternatives": [p.get_content_type() for p in alternative.iter_parts()],
            "calendar": calendar.get_content().replace("\r\n", "\n"),
            "method": calendar.get_param("method"),
            "format": plain.get_param("format"),
            "charset": plain.get_content_charset(),
            "unflowed": unflow(text, plain.get_param("delsp") == "yes"),
            "longestLine": max(len(line) for line in text.split("\n")),
            "inReplyTo": str(message["In-Reply-To"]),
            "references": str(message["References"]),
            "listID": str(message["List-Id"]),
            "listUnsubscribe": str(message["List-Unsubscribe"]),
            "listUnsubscribePost": str(message["List-Unsubscribe-Post"]),
            "subject": str(message["Subject"]),
        }))
        """#

    @Test func pythonReadsCalendarFlowedTextThreadingAndListFields() throws {
        let paragraph =
            (0..<20).map { "Wörter\($0)" }.joined(separator: " ") + " " + String(repeating: "ab ", count: 20) + "end"
        #expect(paragraph.count >= 200)
        let body = "\(paragraph)\n\n>literal\nFrom me\n-- \nAlice"
        let invitation =
            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let message = try MailMessage(
            from: MailAddress("alice@example.org"), to: [MailAddress("bob@example.net")], subject: "Invitation",
            body: ""
        )
        .withText(body, format: .flowed())
        .withHTML("<p>Invitation</p>")
        .addingAlternative(
            text: invitation, contentType: ContentType("text/calendar", parameters: ["method": "REQUEST"])
        )
        .withInReplyTo(["parent@example.org"])
        .withReferences(["root@example.org", "parent@example.org"])
        .withListHeaders(
            ListHeaders(
                id: .init("team.example.org", description: "The team"),
                unsubscribe: [try #require(URL(string: "https://example.org/u/1"))], unsubscribePost: true))
        let files = try TemporaryDirectory(prefix: "model-python")
        let path = try files.write("message.eml", try message.renderedBytes())

        let result = try ExternalProcess.run("python3", ["-c", Self.script, path.path])
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout))
        #expect(report.defects.isEmpty)
        #expect(report.alternatives == ["text/plain", "text/html", "text/calendar"])
        #expect(report.calendar == invitation.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(report.method == "REQUEST")
        #expect(report.format == "flowed")
        #expect(report.charset == "utf-8")
        #expect(report.longestLine <= 78)
        #expect(report.unflowed == body)
        #expect(report.inReplyTo == "<parent@example.org>")
        #expect(report.references == "<root@example.org> <parent@example.org>")
        #expect(report.listID == "\"The team\" <team.example.org>")
        #expect(report.listUnsubscribe == "<https://example.org/u/1>")
        #expect(report.listUnsubscribePost == "List-Unsubscribe=One-Click")
        #expect(report.subject == "Invitation")
    }
}
