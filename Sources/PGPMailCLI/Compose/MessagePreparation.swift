import Foundation
import PGPMail

/// Builds, protects and renders the messages of one command: the one path that `compose`,
/// `send`, `bulk` and `queue add` share. Files and keys are read once, when it is created;
/// building a message afterwards reads only attachments.
struct MessagePreparation: Sendable {
    let content: MessageContentOptions
    let bodies: MessageBodies
    let protection: MessageProtection
    let dkim: DKIMSigner?

    /// Reads the bodies and keys the options name.
    init(content: MessageContentOptions, openPGP: OpenPGPOptions, dkim: DKIMOptions) throws {
        self.content = content
        self.bodies = try content.bodies()
        self.protection = try openPGP.protection()
        self.dkim = try dkim.signer()
    }

    /// The message to `to`, signed and/or encrypted as the options say (for `recipients` of
    /// the options plus `extraRecipients`).
    func message(to: [String], extraRecipients: [Certificate] = []) throws -> MailMessage {
        try protection.apply(to: try content.compose(to: to, bodies: bodies), extraRecipients: extraRecipients)
    }

    /// The message to `to` rendered once to its final bytes, then DKIM-signed if asked.
    func rendered(to: [String], extraRecipients: [Certificate] = []) throws -> RenderedMessage {
        try finish(try message(to: to, extraRecipients: extraRecipients))
    }

    /// `message` rendered once, then DKIM-signed if asked.
    func finish(_ message: MailMessage) throws -> RenderedMessage {
        let rendered = try message.rendered()
        return try dkim.map { try rendered.dkimSigned(by: $0) } ?? rendered
    }
}
