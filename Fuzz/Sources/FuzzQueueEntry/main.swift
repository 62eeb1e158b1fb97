// The directory queue's entry file decoder: a file on disk may be truncated or garbled; it
// must be refused as corruptEntry (never trap, never over-allocate), and a valid one must
// round-trip.
import FuzzSupport
@_spi(Fuzzing) import PGPMail

runFuzzer(seeds: QueueEntrySeeds.make) { bytes in
    MailQueueFuzzing.decodeEntry(bytes)
}

enum QueueEntrySeeds {
    static func make() throws -> [String: [UInt8]] {
        var full = SMTPEnvelope(
            reversePath: "sender@example.org",
            recipients: [
                SMTPEnvelope.Recipient("a@example.org", notify: SMTPDSNNotify([.success, .failure])),
                SMTPEnvelope.Recipient("b@example.org"),
            ])
        full.requiresSMTPUTF8 = true
        full.dsnReturn = .headersOnly
        full.dsnEnvelopeID = "envelope-1"
        full.bodyType = .eightBitMIME
        return [
            "minimal": MailQueueFuzzing.encodeEntry(
                QueuedMail(
                    envelope: SMTPEnvelope(reversePath: "", recipients: [SMTPEnvelope.Recipient("x@example.org")]),
                    content: Array("Subject: x\r\n\r\nbody\r\n".utf8))),
            "full": MailQueueFuzzing.encodeEntry(
                QueuedMail(envelope: full, content: Array("Subject: y\r\n\r\n\u{0}\u{FF}binary\r\n".utf8))),
        ]
    }
}
