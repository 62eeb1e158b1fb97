import Foundation
import PGPMail
import SMTPTestServer

/// The end-to-end self-check behind `pgpmail demo`: every layer of the package, for real,
/// over loopback.
///
/// It starts the in-process SMTP server, generates a sender and a recipient key, composes a
/// message with a text body and an attachment, signs and encrypts it as PGP/MIME, delivers
/// it with ``SMTPSession``, takes the bytes the server received, decrypts and verifies them,
/// and compares the body and attachment with what was sent.
enum PGPMailDemo {
    /// Files written when an output directory is given.
    static let messageFileName = "message.eml"
    static let senderCertificateFileName = "sender.pub.asc"
    static let recipientSecretKeyFileName = "recipient.sec.asc"

    /// Runs the demo; with `outputDirectory`, also writes the received message, the
    /// sender's certificate and the recipient's (unprotected) secret key there.
    static func run(outputDirectory: URL? = nil) async throws -> PGPMailDemoReport {
        let sender = try SecretKey.generate(userID: "PGPMail Demo Sender <sender@pgpmail.test>")
        let recipient = try SecretKey.generate(userID: "PGPMail Demo Recipient <recipient@pgpmail.test>")
        let bodyText =
            "Hello from PGPMail.\n\nThis message was signed with Ed25519, encrypted for a Curve25519 key with the cipher\nits owner prefers, and delivered over SMTP. Grüße!\n"
        let attachmentBytes = Array("item,quantity,price\nwidget,3,9.99\ngadget,1,24.50\n".utf8)
        let attachmentName = "order.csv"
        let options = MessageOptions()

        let plain = try MailMessage(
            from: "PGPMail Demo Sender <sender@pgpmail.test>", to: "PGPMail Demo Recipient <recipient@pgpmail.test>",
            subject: "PGPMail demo", body: bodyText
        ).addingAttachment(Attachment(filename: attachmentName, data: attachmentBytes))
        let protected = try plain.signedAndEncrypted(by: sender, for: [recipient.certificate], options: options)

        let received = try await SMTPTestServer.withRunning { server in
            var configuration = SMTPSession.Configuration(host: server.host, port: server.port)
            configuration.tls = .none  // the in-process server on loopback speaks clear text
            configuration.localHostname = "demo.pgpmail.test"
            try await withSMTPSession(configuration: configuration) { session in
                try await session.send(protected)
            }
            return try await server.nextMessage()
        }

        let decrypted = try PGPMIME.decrypt(received.data, using: [recipient], verifyingWith: [sender.certificate])
        let parts = decrypted.inner.children
        let receivedBody = try parts.first.map { try $0.decodedText() }
        let receivedAttachment = try parts.first { $0.filename == attachmentName }.map { try $0.decodedBody() }

        if let outputDirectory {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
            try Data(received.data).write(to: outputDirectory.appendingPathComponent(messageFileName))
            try Data(sender.certificate.armored().utf8).write(
                to: outputDirectory.appendingPathComponent(senderCertificateFileName))
            let secretURL = outputDirectory.appendingPathComponent(recipientSecretKeyFileName)
            try Data(try recipient.armored().utf8).write(to: secretURL)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretURL.path)
        }

        let encryptionKey = recipient.certificate.encryptionKeys().first
        return PGPMailDemoReport(
            senderFingerprint: sender.fingerprint,
            recipientFingerprint: recipient.fingerprint,
            signingAlgorithm: describe(sender.certificate.primaryKey),
            encryptionAlgorithm: encryptionKey.map(describe) ?? "none",
            cipher: decrypted.openPGP.symmetricAlgorithm ?? options.cipher ?? .aes128,
            hash: decrypted.openPGP.signatures.first?.hashAlgorithm ?? options.hash ?? .sha256,
            compression: decrypted.openPGP.compression ?? .uncompressed,
            bytesOnWire: received.data.count,
            envelope:
                "MAIL FROM:<\(received.mailFrom)> RCPT TO:\(received.recipients.map { "<\($0)>" }.joined(separator: ","))",
            signature: decrypted.openPGP.signatures.first,
            bodyRoundTripped: receivedBody == bodyText,
            attachmentRoundTripped: receivedAttachment == attachmentBytes,
            outputDirectory: outputDirectory)
    }

    private static func describe(_ key: KeyComponent) -> String {
        key.curve.map { "\(key.algorithm) (\($0))" } ?? "\(key.algorithm) \(key.bitLength)"
    }
}

/// What ``PGPMailDemo/run(outputDirectory:)`` found.
struct PGPMailDemoReport: Sendable, CustomStringConvertible {
    let senderFingerprint: Fingerprint
    let recipientFingerprint: Fingerprint
    let signingAlgorithm: String
    let encryptionAlgorithm: String
    let cipher: SymmetricAlgorithm
    let hash: HashAlgorithm
    let compression: CompressionAlgorithm
    /// The size of the message as the server received it.
    let bytesOnWire: Int
    let envelope: String
    /// The first signature found in the decrypted message.
    let signature: SignatureVerification?
    let bodyRoundTripped: Bool
    let attachmentRoundTripped: Bool
    let outputDirectory: URL?

    /// Whether everything checked out: a good signature by the sender, body and attachment intact.
    var succeeded: Bool {
        signature?.status == .good && signature?.signerFingerprint == senderFingerprint && bodyRoundTripped
            && attachmentRoundTripped
    }

    var description: String {
        func check(_ value: Bool) -> String { value ? "yes" : "NO" }
        var lines = [
            "PGPMail demo: PGP/MIME over SMTP on loopback",
            "  sender     \(senderFingerprint.hex)  \(signingAlgorithm)",
            "  recipient  \(recipientFingerprint.hex)  \(encryptionAlgorithm)",
            "  message    signed (\(hash)), compressed (\(compression)), encrypted (\(cipher), SEIPD v1 with MDC)",
            "  envelope   \(envelope)",
            "  on wire    \(bytesOnWire) bytes",
            "  signature  \(signature.map { "\($0.status.rawValue) (\($0.detail))" } ?? "none found")",
            "  body       round-tripped: \(check(bodyRoundTripped))",
            "  attachment round-tripped: \(check(attachmentRoundTripped))",
        ]
        if let outputDirectory {
            lines.append(
                "  wrote      \(outputDirectory.path)/{\(PGPMailDemo.messageFileName),\(PGPMailDemo.senderCertificateFileName),\(PGPMailDemo.recipientSecretKeyFileName)}"
            )
        }
        lines.append(succeeded ? "OK" : "FAILED")
        return lines.joined(separator: "\n")
    }
}
