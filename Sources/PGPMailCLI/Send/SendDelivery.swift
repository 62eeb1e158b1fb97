import Foundation
import PGPMail

/// Delivers one message: connects, asks for DSN `NOTIFY` (which the library sends only when
/// the server offers DSN; a warning says when it does not), sends, and says goodbye;
/// optionally mirrors the protocol trail to standard error.
struct SendDelivery {
    let configuration: SMTPSession.Configuration
    let notify: SendDSNNotify?
    let printsTrail: Bool

    /// A message to send.
    enum Content {
        /// Rendered while it is written, in bounded memory.
        case streamed(MailMessage)
        /// Rendered already (for example DKIM-signed): sent as these bytes.
        case rendered(RenderedMessage)
    }

    /// Sends `content` and returns the success line; throws ``SendFailure``.
    func deliver(_ content: Content) async throws(SendFailure) -> String {
        var envelope: SMTPEnvelope
        switch content {
        case .streamed(let message):
            do {
                _ = try message.mimeTree()  // report composition problems before connecting
            } catch {
                throw SendFailure(error, phase: .preparation)
            }
            envelope = SMTPEnvelope(message)
        case .rendered(let rendered):
            envelope = SMTPEnvelope(rendered)
        }
        if let notify {
            for index in envelope.recipients.indices {
                envelope.recipients[index].notify = notify.notify
            }
        }

        let session = SMTPSession(configuration: configuration)
        let trail = printsTrail ? Self.mirrorTrail(of: session) : nil
        let outcome = await transact(session, content: content, envelope: envelope)
        await session.shutdown()  // QUIT, close, finish the event streams
        await trail?.value

        let result = try outcome.get()
        let accepted = result.acceptedRecipients.map(\.recipient)
        let reply = result.reply.lines.last.map { "\(result.reply.code) \($0)" } ?? "\(result.reply.code)"
        return "sent to \(accepted.count) recipient(s): \(accepted.joined(separator: ", ")) (\(reply))"
    }

    /// Connects, warns when `NOTIFY` was asked for and the server does not offer DSN, and
    /// sends.
    private func transact(
        _ session: SMTPSession, content: Content, envelope: SMTPEnvelope
    ) async -> Result<SMTPDeliveryResult, SendFailure> {
        do {
            try await session.connect()
        } catch {
            return .failure(SendFailure(error, phase: .connection))
        }
        if notify != nil, await session.capabilities?.supportsDSN != true {
            SendFailure.warn("the server does not offer DSN; sending without NOTIFY")
        }
        do {
            switch content {
            case .streamed(let message): return .success(try await session.send(message, envelope: envelope))
            case .rendered(let rendered): return .success(try await session.send(rendered, envelope: envelope))
            }
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
