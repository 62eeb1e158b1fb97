import Foundation

/// The file format of a queue entry, version 1: a text header of tagged lines with length-prefixed strings, the
/// content byte-exact, and a CRC-32 over everything before it.
///
/// ```
/// PGPMAIL-QUEUE-ENTRY 1
/// reverse-path 17:alice@example.org
/// mail-parameter 4:SIZE 4:1024          (a value of `-` is a keyword-only parameter)
/// requires-smtputf8 1                   (0 or 1)
/// dsn-return full                       (full | headers; line absent for nil)
/// dsn-envid 5:q1w2e                     (absent for nil)
/// body-type 8bitmime                    (7bit | 8bitmime | binarymime; absent for nil)
/// recipient 15:bob@example.org          (starts a recipient; the next three lines belong to it)
/// recipient-parameter 6:X-TEST -
/// recipient-notify success,delay        (never, or conditions; absent for nil)
/// recipient-orcpt 13:bob@old.example    (absent for nil)
/// content 1234
/// <1234 bytes>
/// crc32 89abcdef
/// ```
///
/// A string is `<decimal length>:<UTF-8 bytes>`. Every length is checked against the bytes that remain, so a
/// garbled file costs no more than its size to reject. A newer version gets a new number on the first line.
package enum QueueEntryFormat {
    static let magic = "PGPMAIL-QUEUE-ENTRY"
    static let version = 1

    /// The header, up to and including the `content` line.
    static func header(_ mail: QueuedMail) -> [UInt8] {
        var writer = Writer()
        writer.line(self.magic, String(self.version))
        let envelope = mail.envelope
        writer.line("reverse-path", Writer.string(envelope.reversePath))
        for parameter in envelope.mailParameters {
            writer.line("mail-parameter", Writer.string(parameter.keyword), Writer.optional(parameter.value))
        }
        writer.line("requires-smtputf8", envelope.requiresSMTPUTF8 ? "1" : "0")
        if let dsnReturn = envelope.dsnReturn {
            writer.line("dsn-return", dsnReturn == .fullMessage ? "full" : "headers")
        }
        if let envelopeID = envelope.dsnEnvelopeID {
            writer.line("dsn-envid", Writer.string(envelopeID))
        }
        if let bodyType = envelope.bodyType {
            writer.line("body-type", self.name(of: bodyType))
        }
        for recipient in envelope.recipients {
            writer.line("recipient", Writer.string(recipient.address))
            for parameter in recipient.parameters {
                writer.line("recipient-parameter", Writer.string(parameter.keyword), Writer.optional(parameter.value))
            }
            if let notify = recipient.notify {
                let conditions = SMTPDSNNotify.Condition.allCases.filter(notify.conditions.contains)
                writer.line(
                    "recipient-notify",
                    conditions.isEmpty ? "never" : conditions.map { $0.rawValue.lowercased() }.joined(separator: ","))
            }
            if let original = recipient.originalRecipient {
                writer.line("recipient-orcpt", Writer.string(original))
            }
        }
        writer.line("content", String(mail.content.count))
        return writer.bytes
    }

    /// The complete file as parts to write one after the other: header, content, checksum line.
    package static func encode(_ mail: QueuedMail) -> [[UInt8]] {
        let header = self.header(mail)
        var crc = CRC32()
        crc.update(header)
        crc.update(mail.content)
        crc.update(CollectionOfOne(UInt8(ascii: "\n")))
        let hex = String(crc.value, radix: 16)
        let trailer = "\ncrc32 " + String(repeating: "0", count: 8 - hex.count) + hex + "\n"
        return [header, mail.content, Array(trailer.utf8)]
    }

    /// Decodes a file; throws ``MailQueueError/Code/corruptEntry`` naming `path` for anything malformed.
    package static func decode(_ bytes: [UInt8], path: String) throws(MailQueueError) -> QueuedMail {
        var reader = Reader(bytes: bytes, path: path)
        guard try reader.word() == self.magic else {
            throw reader.corrupt("not a queue entry")
        }
        try reader.expect(" ")
        guard try reader.number() == self.version else {
            throw reader.corrupt("unsupported entry format version")
        }
        try reader.expect("\n")

        var envelope = SMTPEnvelope(reversePath: "", recipients: [])
        // Fields that may appear once per entry, and once per recipient.
        let envelopeSingletons: Set<String> = [
            "reverse-path", "requires-smtputf8", "dsn-return", "dsn-envid", "body-type",
        ]
        var seen: Set<String> = []
        var seenForRecipient: Set<String> = []
        while true {
            let tag = try reader.word()
            if envelopeSingletons.contains(tag), !seen.insert(tag).inserted {
                throw reader.corrupt("duplicate \(tag)")
            }
            try reader.expect(" ")
            switch tag {
            case "reverse-path":
                envelope.reversePath = try reader.string()
            case "mail-parameter":
                let keyword = try reader.string()
                try reader.expect(" ")
                envelope.mailParameters.append(SMTPParameter(keyword, try reader.optionalString()))
            case "requires-smtputf8":
                switch try reader.word() {
                case "0": envelope.requiresSMTPUTF8 = false
                case "1": envelope.requiresSMTPUTF8 = true
                default: throw reader.corrupt("invalid requires-smtputf8")
                }
            case "dsn-return":
                switch try reader.word() {
                case "full": envelope.dsnReturn = .fullMessage
                case "headers": envelope.dsnReturn = .headersOnly
                default: throw reader.corrupt("invalid dsn-return")
                }
            case "dsn-envid":
                envelope.dsnEnvelopeID = try reader.string()
            case "body-type":
                let word = try reader.word()
                guard let bodyType = self.bodyType(named: word) else {
                    throw reader.corrupt("invalid body-type")
                }
                envelope.bodyType = bodyType
            case "recipient":
                envelope.recipients.append(SMTPEnvelope.Recipient(try reader.string()))
                seenForRecipient = []
            case "recipient-parameter", "recipient-notify", "recipient-orcpt":
                guard !envelope.recipients.isEmpty else {
                    throw reader.corrupt("\(tag) before any recipient")
                }
                if tag != "recipient-parameter", !seenForRecipient.insert(tag).inserted {
                    throw reader.corrupt("duplicate \(tag)")
                }
                let last = envelope.recipients.count - 1
                switch tag {
                case "recipient-parameter":
                    let keyword = try reader.string()
                    try reader.expect(" ")
                    envelope.recipients[last].parameters.append(SMTPParameter(keyword, try reader.optionalString()))
                case "recipient-notify":
                    envelope.recipients[last].notify = try reader.notify()
                default:
                    envelope.recipients[last].originalRecipient = try reader.string()
                }
            case "content":
                let length = try reader.number()
                try reader.expect("\n")
                let content = try reader.take(length)
                try reader.expect("\n")
                guard seen.contains("reverse-path") else {
                    throw reader.corrupt("no reverse-path")
                }
                try reader.checkTrailer()
                return QueuedMail(envelope: envelope, content: content)
            default:
                throw reader.corrupt("unknown field \"\(tag)\"")
            }
            try reader.expect("\n")
        }
    }

    private static func name(of bodyType: SMTPBodyType) -> String {
        switch bodyType {
        case .sevenBit: return "7bit"
        case .eightBitMIME: return "8bitmime"
        case .binaryMIME: return "binarymime"
        }
    }

    private static func bodyType(named name: String) -> SMTPBodyType? {
        switch name {
        case "7bit": return .sevenBit
        case "8bitmime": return .eightBitMIME
        case "binarymime": return .binaryMIME
        default: return nil
        }
    }

    private struct Writer {
        var bytes: [UInt8] = []

        static func string(_ text: String) -> [UInt8] {
            Array("\(text.utf8.count):".utf8) + Array(text.utf8)
        }

        static func optional(_ text: String?) -> [UInt8] {
            text.map(Self.string) ?? [UInt8(ascii: "-")]
        }

        mutating func line(_ tag: String, _ fields: String...) {
            self.line(tag, fields.map { Array($0.utf8) })
        }

        mutating func line(_ tag: String, _ fields: [UInt8]...) {
            self.line(tag, fields)
        }

        mutating func line(_ tag: String, _ fields: [[UInt8]]) {
            self.bytes += tag.utf8
            for field in fields {
                self.bytes.append(UInt8(ascii: " "))
                self.bytes += field
            }
            self.bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// A cursor over the file's bytes; every read is bounded by what remains.
    private struct Reader {
        static let lowerHexDigits = Set("0123456789abcdef".utf8)

        let bytes: [UInt8]
        let path: String
        var index = 0

        init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            self.path = path
        }

        func corrupt(_ reason: String) -> MailQueueError {
            MailQueueError(
                .corruptEntry, "corrupt queue entry \(self.path): \(reason) at byte \(self.index)", path: self.path)
        }

        mutating func expect(_ character: Unicode.Scalar) throws(MailQueueError) {
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: character) else {
                throw self.corrupt(
                    self.index < self.bytes.count ? "expected \"\(character.escaped(asASCII: true))\"" : "truncated")
            }
            self.index += 1
        }

        /// Up to 32 bytes of `[0-9a-z,-]` or upper-case letters, ending before a space or newline.
        mutating func word() throws(MailQueueError) -> String {
            let start = self.index
            while self.index < self.bytes.count, self.index - start <= 32 {
                let byte = self.bytes[self.index]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
                    break
                }
                guard (0x21...0x7E).contains(byte) else {
                    throw self.corrupt("unexpected byte")
                }
                self.index += 1
            }
            guard self.index < self.bytes.count else {
                throw self.corrupt("truncated")
            }
            guard self.index > start, self.index - start <= 32 else {
                throw self.corrupt("invalid field")
            }
            return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        }

        /// A decimal number of at most 18 digits.
        mutating func number() throws(MailQueueError) -> Int {
            let start = self.index
            var value = 0
            while self.index < self.bytes.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index])
            {
                guard self.index - start < 18 else {
                    throw self.corrupt("number too long")
                }
                value = value * 10 + Int(self.bytes[self.index] - UInt8(ascii: "0"))
                self.index += 1
            }
            guard self.index > start else {
                throw self.corrupt(self.index < self.bytes.count ? "expected a number" : "truncated")
            }
            return value
        }

        mutating func take(_ count: Int) throws(MailQueueError) -> [UInt8] {
            guard count <= self.bytes.count - self.index else {
                throw self.corrupt("truncated")
            }
            defer { self.index += count }
            return Array(self.bytes[self.index..<self.index + count])
        }

        /// `<length>:<UTF-8 bytes>`.
        mutating func string() throws(MailQueueError) -> String {
            let length = try self.number()
            try self.expect(":")
            let bytes = try self.take(length)
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw self.corrupt("invalid UTF-8")
            }
            return text
        }

        /// `-` for nil, or a string.
        mutating func optionalString() throws(MailQueueError) -> String? {
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "-") {
                self.index += 1
                return nil
            }
            return try self.string()
        }

        mutating func notify() throws(MailQueueError) -> SMTPDSNNotify {
            let word = try self.word()
            if word == "never" {
                return .never
            }
            var conditions: Set<SMTPDSNNotify.Condition> = []
            for name in word.split(separator: ",", omittingEmptySubsequences: false) {
                guard let condition = SMTPDSNNotify.Condition(rawValue: name.uppercased()),
                    conditions.insert(condition).inserted
                else {
                    throw self.corrupt("invalid recipient-notify")
                }
            }
            return SMTPDSNNotify(conditions)
        }

        /// `crc32 <8 hex digits>\n` over everything before it, then the end of the file.
        mutating func checkTrailer() throws(MailQueueError) {
            let covered = self.index
            guard try self.word() == "crc32" else {
                throw self.corrupt("expected crc32")
            }
            try self.expect(" ")
            let hex = try self.word()
            try self.expect("\n")
            guard hex.utf8.count == 8, hex.utf8.allSatisfy({ Self.lowerHexDigits.contains($0) }),
                let stored = UInt32(hex, radix: 16)
            else {
                throw self.corrupt("invalid crc32")
            }
            guard self.index == self.bytes.count else {
                throw self.corrupt("data after the end")
            }
            var crc = CRC32()
            crc.update(self.bytes[0..<covered])
            guard crc.value == stored else {
                throw self.corrupt("checksum mismatch")
            }
        }
    }
}
