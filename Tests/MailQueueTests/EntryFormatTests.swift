import Foundation
import Testing

@testable import PGPMail

@Suite("Queue entry IDs and entry files")
struct EntryFormatTests {
    static func fullMail() -> QueuedMail {
        var envelope = SMTPEnvelope(
            reversePath: "älice@exämple.org",
            recipients: [
                SMTPEnvelope.Recipient(
                    "bob@example.org", parameters: [SMTPParameter("X-ONE", "1"), SMTPParameter("X-FLAG")],
                    notify: SMTPDSNNotify([.success, .delay]), originalRecipient: "robert@old.example"),
                SMTPEnvelope.Recipient("carol@example.org", notify: .never),
                SMTPEnvelope.Recipient("dave 1:2 @example.org"),
            ],
            mailParameters: [.size(1234), .smtpUTF8, SMTPParameter("X-EMPTY", "")])
        envelope.requiresSMTPUTF8 = true
        envelope.dsnReturn = .headersOnly
        envelope.dsnEnvelopeID = "env-42 with\nnewline"
        envelope.bodyType = .binaryMIME
        // Every byte value, plus text that looks like the format's own lines.
        var content = (0...255).map { UInt8($0) } + (0...255).map { UInt8(255 - $0) }
        content += Array("\ncontent 5\ncrc32 00000000\n".utf8)
        return QueuedMail(envelope: envelope, content: content)
    }

    @Test("every envelope field and binary content round-trip byte-exact through the queue")
    func roundTripEveryField() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            let mail = Self.fullMail()
            let id = try await queue.enqueue(mail)
            #expect(try queue.mail(of: id) == mail)
            let claims = try await queue.claim(owner: "w1", lease: .seconds(60), limit: 10)
            #expect(claims.map(\.mail) == [mail])
            #expect(claims.first?.id == id)

            // A second instance reads the same file.
            #expect(try makeQueue(path).mail(of: id) == mail)
        }
    }

    @Test("the other values of each optional field round-trip too")
    func roundTripAlternatives() async throws {
        try await withQueueDirectory { path in
            let queue = try makeQueue(path)
            var mails: [QueuedMail] = []
            for bodyType in [nil, .sevenBit, .eightBitMIME, .binaryMIME] as [SMTPBodyType?] {
                var envelope = SMTPEnvelope(reversePath: "", recipients: [])
                envelope.bodyType = bodyType
                envelope.dsnReturn = bodyType == nil ? nil : .fullMessage
                mails.append(QueuedMail(envelope: envelope, content: []))
            }
            for mail in mails {
                let id = try await queue.enqueue(mail)
                #expect(try queue.mail(of: id) == mail)
            }
        }
    }

    @Test("IDs are 26 characters of [0-9a-z], ordered by time, and parse back")
    func identifiers() throws {
        let early = MailQueueEntryID.generate(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = MailQueueEntryID.generate(at: Date(timeIntervalSince1970: 1_700_000_000.001))
        #expect(early < late)
        #expect(early.rawValue.count == 26)
        #expect(early.rawValue.allSatisfy { $0.isNumber || ("a"..."z").contains($0) })
        #expect(MailQueueEntryID(early.description) == early)
        #expect(abs(early.enqueuedAt.timeIntervalSince1970 - 1_700_000_000) < 0.001)
        #expect(MailQueueEntryID("0123456789abcdefghijklmnoP") == nil)
        #expect(MailQueueEntryID("0123456789abcdefghijklmno") == nil)
        #expect(MailQueueEntryID("0123456789abcdefghijklmno.") == nil)
        #expect(MailQueueEntryID("0123456789abcdefghijklmnop") != nil)
        #expect(MailQueueEntryID.generate() != MailQueueEntryID.generate())
    }

    @Test("every truncation and every garbled byte of an entry file is rejected as corrupt")
    func truncatedAndGarbled() throws {
        let bytes = QueueEntryFormat.encode(Self.fullMail()).flatMap { $0 }
        #expect(try QueueEntryFormat.decode(bytes, path: "x") == Self.fullMail())
        for length in 0..<bytes.count {
            #expect(throws: MailQueueError.self) { try QueueEntryFormat.decode(Array(bytes[..<length]), path: "x") }
        }
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var garbled = bytes
            garbled[index] ^= 0x20
            do {
                _ = try QueueEntryFormat.decode(garbled, path: "/q/x")
                Issue.record("garbled byte \(index) was accepted")
            } catch {
                #expect(error.code == .corruptEntry)
                #expect(error.path == "/q/x")
            }
        }
        #expect(throws: MailQueueError.self) { try QueueEntryFormat.decode(bytes + [0], path: "x") }
    }

    @Test("huge lengths and foreign data are rejected without allocating them")
    func hostileLengths() throws {
        let inputs = [
            "PGPMAIL-QUEUE-ENTRY 1\nreverse-path 999999999999999999:a\n",
            "PGPMAIL-QUEUE-ENTRY 1\nreverse-path 9999999999999999999999:a\n",
            "PGPMAIL-QUEUE-ENTRY 1\nreverse-path 1:a\ncontent 999999999999999999\nabc",
            "PGPMAIL-QUEUE-ENTRY 2\nreverse-path 1:a\ncontent 0\n\ncrc32 00000000\n",
            "PGPMAIL-QUEUE-ENTRY 1\nreverse-path 1:a\nreverse-path 1:b\ncontent 0\n\ncrc32 00000000\n",
            "PGPMAIL-QUEUE-ENTRY 1\nrecipient-orcpt 1:a\n",
            "From: somebody\r\n\r\nnot a queue entry",
            "",
        ]
        for input in inputs {
            #expect(throws: MailQueueError.self) { try QueueEntryFormat.decode(Array(input.utf8), path: "x") }
        }
    }
}
