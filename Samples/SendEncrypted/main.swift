// Sends one signed and encrypted (PGP/MIME) message.
//
//   swift run SendEncrypted                       # against an in-process server, with new keys
//   SMTP_HOST=mail.example.org SMTP_PORT=25 \
//   SIGNING_KEY=me.sec.asc SIGNING_PASSPHRASE=… RECIPIENT_KEY=them.pub.asc \
//   FROM=me@example.org TO=them@example.org swift run SendEncrypted
import Foundation
import PGPMail
import SMTPTestServer

let environment = ProcessInfo.processInfo.environment

func readKeyFile(_ variable: String) throws -> String? {
    try environment[variable].map { try String(contentsOfFile: $0, encoding: .utf8) }
}

let signer =
    try readKeyFile("SIGNING_KEY").map { try SecretKey(armored: $0, passphrase: environment["SIGNING_PASSPHRASE"]) }
    ?? SecretKey.generate(userID: "Sample Sender <sender@example.org>")
let recipient =
    try readKeyFile("RECIPIENT_KEY").map { try Certificate(armored: $0) }
    ?? SecretKey.generate(userID: "Sample Recipient <recipient@example.org>").certificate

let message = try MailMessage(
    from: environment["FROM"] ?? "sender@example.org",
    to: environment["TO"] ?? "recipient@example.org",
    subject: "Signed and encrypted with PGPMail",
    body: "Only the recipient can read this.\n"
)
.addingAttachment(Attachment(filename: "note.txt", data: Array("attached\n".utf8)))
.signedAndEncrypted(by: signer, for: [recipient])

func deliver(host: String, port: Int, tls: SMTPTLSMode) async throws {
    var configuration = SMTPSession.Configuration(host: host, port: port)
    configuration.tls = tls
    let session = SMTPSession(configuration: configuration)
    let trail = Task {
        for await event in session.events() {
            if case .protocolTrail(let direction, let line) = event {
                print(direction == .clientToServer ? "C: \(line)" : "S: \(line)")
            }
        }
    }
    let result = try await session.send(message)
    try await session.disconnect()
    await session.shutdown()
    await trail.value
    print("delivered to \(result.acceptedRecipients.map(\.recipient)), \(result.bytesSent) bytes")
}

if let host = environment["SMTP_HOST"] {
    // A real server: STARTTLS is required and its certificate verified.
    try await deliver(host: host, port: Int(environment["SMTP_PORT"] ?? "25") ?? 25, tls: .automatic)
} else {
    try await SMTPTestServer.withRunning { server in
        try await deliver(host: server.host, port: server.port, tls: .none)  // loopback, clear text
    }
}
