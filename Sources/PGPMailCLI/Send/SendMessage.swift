import Foundation
import PGPMail

extension PGPMailCommand.Send {
    /// The message the options describe: addresses, subject, body and attachments, then
    /// signed and/or encrypted as PGP/MIME when `--sign-key`/`--encrypt-to` are given.
    func composeMessage() throws -> MailMessage {
        let body = try bodyFile.map { try SendFiles.text(of: $0, what: "body file") } ?? ""
        var message = try MailMessage(
            from: MailAddress(from), to: to.map(MailAddress.init), subject: subject, body: body)
        if !cc.isEmpty {
            message = message.withCc(try cc.map(MailAddress.init))
        }
        if !bcc.isEmpty {
            message = message.withBcc(try bcc.map(MailAddress.init))
        }
        for path in attach {
            try SendFiles.checkReadable(path, what: "attachment")
            message = message.addingAttachment(try Attachment(fileURL: URL(fileURLWithPath: path)))
        }

        let signer = try signKey.map { path in
            let passphrase = try passphraseFile.map { try SendFiles.firstLine(of: $0, what: "passphrase file") }
            let bytes = try SendFiles.bytes(of: path, what: "secret key")
            return try Self.isArmored(bytes)
                ? SecretKey(armored: String(decoding: bytes, as: UTF8.self), passphrase: passphrase)
                : SecretKey(bytes: bytes, passphrase: passphrase)
        }
        let recipients = try encryptTo.map { path in
            let bytes = try SendFiles.bytes(of: path, what: "certificate")
            return try Self.isArmored(bytes)
                ? Certificate(armored: String(decoding: bytes, as: UTF8.self))
                : Certificate(bytes: bytes)
        }

        switch (signer, recipients.isEmpty) {
        case (let signer?, false): return try message.signedAndEncrypted(by: signer, for: recipients)
        case (let signer?, true): return try message.signed(by: signer)
        case (nil, false): return try message.encrypted(for: recipients)
        case (nil, true): return message
        }
    }

    /// Whether a key file is ASCII armor (after optional leading white space).
    static func isArmored(_ bytes: [UInt8]) -> Bool {
        let start = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        return start.starts(with: Array("-----BEGIN PGP".utf8))
    }
}
