import ArgumentParser
import Foundation
import PGPMail

/// The message options shared by `send`, `bulk` and `queue add` (`--to` is declared by each
/// command: `bulk` takes its recipients from a CSV file).
struct MessageContentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The author (From and MAIL FROM).", valueName: "addr"))
    var from: String

    @Option(help: ArgumentHelp("A Cc recipient; repeatable.", valueName: "addr"))
    var cc: [String] = []

    @Option(help: ArgumentHelp("A Bcc recipient (envelope only); repeatable.", valueName: "addr"))
    var bcc: [String] = []

    @Option(help: ArgumentHelp("The subject.", valueName: "text"))
    var subject: String = ""

    @Option(help: ArgumentHelp("The UTF-8 text body; '-' reads standard input. Empty if not given.", valueName: "file"))
    var bodyFile: String?

    @Option(help: ArgumentHelp("A file to attach (read while sending); repeatable.", valueName: "file"))
    var attach: [String] = []

    /// The body text, read once (standard input cannot be read twice).
    func bodyText() throws -> String {
        try bodyFile.map { try SendFiles.text(of: $0, what: "body file") } ?? ""
    }

    /// The unprotected message to `to`: addresses, subject, body and attachments.
    func compose(to: [String], body: String) throws -> MailMessage {
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
        return message
    }
}

/// `--to`, for `send` and `queue add` (`bulk` reads its recipients from a file).
struct ToOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A To recipient; repeatable, at least one.", valueName: "addr"))
    var to: [String] = []

    func validate() throws {
        guard !to.isEmpty else {
            throw ValidationError("give at least one recipient with --to")
        }
    }
}

/// The OpenPGP options shared by `send`, `bulk` and `queue add`.
struct OpenPGPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sign with this secret key (armored or binary).", valueName: "file"))
    var signKey: String?

    @Option(help: ArgumentHelp("The passphrase of --sign-key (first line of the file).", valueName: "file"))
    var passphraseFile: String?

    @Option(help: ArgumentHelp("Encrypt for this certificate (armored or binary); repeatable.", valueName: "file"))
    var encryptTo: [String] = []

    func validate() throws {
        if passphraseFile != nil && signKey == nil {
            throw ValidationError("--passphrase-file needs --sign-key")
        }
    }

    /// The signing key of `--sign-key`, unlocked with `--passphrase-file`.
    func signer() throws -> SecretKey? {
        try signKey.map { path in
            let passphrase = try passphraseFile.map { try SendFiles.firstLine(of: $0, what: "passphrase file") }
            let bytes = try SendFiles.bytes(of: path, what: "secret key")
            return try Self.isArmored(bytes)
                ? SecretKey(armored: String(decoding: bytes, as: UTF8.self), passphrase: passphrase)
                : SecretKey(bytes: bytes, passphrase: passphrase)
        }
    }

    /// The certificates of `--encrypt-to`.
    func recipients() throws -> [Certificate] {
        try encryptTo.map { try Self.certificate(at: $0) }
    }

    /// The certificate in the file at `path`, armored or binary.
    static func certificate(at path: String) throws -> Certificate {
        let bytes = try SendFiles.bytes(of: path, what: "certificate")
        return try isArmored(bytes)
            ? Certificate(armored: String(decoding: bytes, as: UTF8.self)) : Certificate(bytes: bytes)
    }

    /// `message` signed and/or encrypted as PGP/MIME.
    static func protect(_ message: MailMessage, signer: SecretKey?, recipients: [Certificate]) throws -> MailMessage {
        switch (signer, recipients.isEmpty) {
        case (let signer?, false): try message.signedAndEncrypted(by: signer, for: recipients)
        case (let signer?, true): try message.signed(by: signer)
        case (nil, false): try message.encrypted(for: recipients)
        case (nil, true): message
        }
    }

    /// Whether a key file is ASCII armor (after optional leading white space).
    static func isArmored(_ bytes: [UInt8]) -> Bool {
        let start = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        return start.starts(with: Array("-----BEGIN PGP".utf8))
    }
}
