import Foundation
import PGPMail

/// Builds, protects and renders the messages of one command: the one path that `compose`,
/// `send`, `bulk` and `queue add` share. Files and keys are read once, when it is created;
/// building a message afterwards reads only attachments.
struct MessagePreparation: Sendable {
    let content: MessageContentOptions
    let bodies: MessageBodies
    let protection: MessageProtection

    /// Reads the bodies and keys the options name.
    init(content: MessageContentOptions, openPGP: OpenPGPOptions) throws {
        self.content = content
        self.bodies = try content.bodies()
        self.protection = try openPGP.protection()
    }

    /// The message to `to`, signed and/or encrypted as the options say (for `recipients` of
    /// the options plus `extraRecipients`).
    func message(to: [String], extraRecipients: [Certificate] = []) throws -> MailMessage {
        try protection.apply(to: try content.compose(to: to, bodies: bodies), extraRecipients: extraRecipients)
    }

    /// The message to `to` rendered once to its final bytes.
    func rendered(to: [String], extraRecipients: [Certificate] = []) throws -> RenderedMessage {
        try message(to: to, extraRecipients: extraRecipients).rendered()
    }
}
