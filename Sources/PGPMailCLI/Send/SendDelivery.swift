import Foundation
import PGPMail

/// Delivers one message: connects, adds the DSN `NOTIFY` parameter when the server offers
/// DSN, sends, and says goodbye; optionally mirrors the protocol trail to standard error.
struct SendDelivery {
    let configuration: SMTPSession.Configuration
    let notify: SendDSNNotify?
    let printsTrail: Bool

    /// Sends `message` and returns the success line; throws ``SendFailure``.
    func deliver(_ message: MailMessage) async throws(SendFailure) -> String {
        let envelope = SMTPEnvelope(message)
        let content: MIMEChunks
        do {
            content = try message.chunks()
        } catch {
            throw SendFailure(error, phase: .preparation)
        }

        let session = SMTPSession(configuration: configuration)
        let trail = printsTrail ? Self.mirrorTrail(of: session) : nil
        let outcome = await transact(session, envelope: envelope, content: content)
        await session.shutdown()  // QUIT, close, finish the event streams
        await trail?.value

        let result = try outcome.get()
        let accepted = result.acceptedRecipients.map(\.recipient)
        let reply = result.reply.lines.last.map { "\(result.reply.code) \($0)" } ?? "\(result.reply.code)"
        return "sent to \(accepted.count) recipient(s): \(accepted.joined(separator: ", ")) (\(reply))"
    }

    /// Connects, adds `NOTIFY` when the server offers DSN (else warns), and sends.
    private func transact(
        _ session: SMTPSession, envelope: SMTPEnvelope, content: MIMEChunks
    ) async -> Result<SMTPDeliveryResult, SendFailure> {
        do {
            try await session.connect()
        } catch {
            return .failure(SendFailure(error, phase: .connection))
        }
        var envelope = envelope
        if let notify {
            if await session.capabilities?.contains("DSN") == true {
                for index in envelope.recipients.indices {
                    envelope.recipients[index].parameters.append(notify.parameter)
                }
            } else {
                SendFailure.warn("the server does not offer DSN; sending without NOTIFY")
            }
        }
        do {
            return .success(try await session.send(envelope: envelope, body: content))
        } catch {
            return .failure(SendFailure(error, phase: .transaction))
        }
    }

    /// Prints every protocol trail line (`C: …`, `S: …`) to standard error until the
    /// session's events finish. The library masks credentials in the trail.
    private static func mirrorTrail(of session: SMTPSession) -> Task<Void, Never> {
        let events = session.events()
        return Task {
            for await event in events {
                guard case .protocolTrail(let direction, let line) = event else { continue }
                let prefix = direction == .clientToServer ? "C: " : "S: "
                FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
            }
        }
    }
}
