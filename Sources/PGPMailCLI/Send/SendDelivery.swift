import Foundation
import PGPMail

/// Delivers one message (or the copies of one, one per Bcc recipient when encrypting):
/// connects, asks for DSN `NOTIFY` (which the library sends only when the server offers
/// DSN; a warning says when it does not), sends each copy in its own transaction, and says
/// goodbye; optionally mirrors the protocol trail to standard error.
struct SendDelivery {
    let configuration: SMTPSession.Configuration
    let notify: SendDSNNotify?
    let printsTrail: Bool

    /// A message to send.
    enum Content {
        /// Rendered while it is written, in bounded memory.
        case streamed(MailMessage)
        /// Rendered already (DKIM-signed, or one copy of several): sent as these bytes.
        case rendered(RenderedMessage)

        var envelope: SMTPEnvelope {
            switch self {
            case .streamed(let message): SMTPEnvelope(message)
            case .rendered(let rendered): SMTPEnvelope(rendered)
            }
        }
    }

    /// Sends every copy in `contents` and returns one success line per copy; throws
    /// ``SendFailure`` at the first failure.
    func deliver(_ contents: [Content]) async throws(SendFailure) -> String {
        for case .streamed(let message) in contents {
            do {
                _ = try message.mimeTree()  // report composition problems before connecting
            } catch {
                throw SendFailure(error, phase: .preparation)
            }
        }
        let session = SMTPSession(configuration: configuration)
        let trail = printsTrail ? Self.mirrorTrail(of: session) : nil
        let outcome = await transact(session, contents: contents)
        await session.shutdown()  // QUIT, close, finish the event streams
        await trail?.value

        return try outcome.get().map { result in
            let accepted = result.acceptedRecipients.map(\.recipient)
            let reply = result.reply.lines.last.map { "\(result.reply.code) \($0)" } ?? "\(result.reply.code)"
            return "sent to \(accepted.count) recipient(s): \(accepted.joined(separator: ", ")) (\(reply))"
        }.joined(separator: "\n")
    }

    /// Connects, warns when `NOTIFY` was asked for and the server does not offer DSN, and
    /// sends each copy.
    private func transact(
        _ session: SMTPSession, contents: [Content]
    ) async -> Result<[SMTPDeliveryResult], SendFailure> {
        do {
            try await session.connect()
        } catch {
            return .failure(SendFailure(error, phase: .connection))
        }
        if notify != nil, await session.capabilities?.supportsDSN != true {
            SendFailure.warn("the server does not offer DSN; sending without NOTIFY")
        }
        var results: [SMTPDeliveryResult] = []
        for content in contents {
            var envelope = content.envelope
            if let notify {
                for index in envelope.recipients.indices {
                    envelope.recipients[index].notify = notify.notify
                }
            }
            do {
                switch content {
                case .streamed(let message): results.append(try await session.send(message, envelope: envelope))
                case .rendered(let rendered): results.append(try await session.send(rendered, envelope: envelope))
                }
            } catch {
                return .failure(SendFailure(error, phase: .transaction))
            }
        }
        return .success(results)
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
