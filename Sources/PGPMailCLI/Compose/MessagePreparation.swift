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

    /// The copies of the message to `to` to send, signed and/or encrypted as the options say
    /// (for the options' recipients plus `extraRecipients`), each with its envelope
    /// recipients: one copy, or one per Bcc recipient more when encrypting (see
    /// ``MessageProtection/deliveries(of:extraRecipients:)``).
    func deliveries(to: [String], extraRecipients: [Certificate] = []) throws -> [MailDelivery] {
        try protection.deliveries(
            of: try content.compose(to: to, bodies: bodies), extraRecipients: extraRecipients)
    }

    /// The one message to `to`, rendered and DKIM-signed like ``finish(_:)``; throws when Bcc
    /// privacy needs several copies.
    func rendered(to: [String], extraRecipients: [Certificate] = []) throws -> RenderedMessage {
        let copies = try deliveries(to: to, extraRecipients: extraRecipients)
        guard copies.count == 1, let only = copies.first else {
            throw SingleMessageNeeded(copies: copies.count)
        }
        return try finish(only)
    }

    /// `delivery` rendered once, then DKIM-signed if asked.
    func finish(_ delivery: MailDelivery) throws -> RenderedMessage {
        let rendered = try delivery.rendered()
        return try dkim.map { try rendered.dkimSigned(by: $0) } ?? rendered
    }

    /// Encrypting for Bcc recipients gave several copies where the command writes one.
    struct SingleMessageNeeded: Error, CustomStringConvertible {
        let copies: Int
        var description: String {
            "encrypting for Bcc recipients makes \(copies) messages (one per Bcc recipient, so no reader sees "
                + "another's key); this command writes one: leave out --bcc"
        }
    }
}
