// MIME parsing (headers, encoded words, parameters, multipart structure, transfer
// encodings, charsets), a parsed message read into a `MailMessage` and rendered again,
// PGP/MIME decryption (with protected headers) and signature checking, and inline PGP
// reading of the same input.
import FuzzSupport
import Mail
import OpenPGP

/// Touches what a mail client reads from every entity of a parsed message.
func inspect(_ entity: MIMEEntity, depth: Int = 0) {
    for name in ["Subject", "From", "To", "Content-Type", "Content-Description", "Message-ID"] {
        _ = entity.header(name)
    }
    for name in ["From", "To", "Cc", "Reply-To"] {
        _ = try? entity.addresses(name)
    }
    _ = entity.filename
    _ = entity.contentID
    _ = entity.contentDisposition?.kind
    _ = try? entity.decodedText()
    guard depth < 64 else { return }
    for child in entity.children { inspect(child, depth: depth + 1) }
}

runFuzzer(seeds: MIMESeeds.make) { bytes in
    if let entity = try? MIMEEntity.parse(bytes) {
        inspect(entity)
        if let message = try? MailMessage(entity: entity) {
            _ = try? message.rendered()
        }
    }
    if let decrypted = try? PGPMIME.decrypt(
        bytes, using: Fixtures.secretKeys, passphrases: [Fixtures.passphrase], verifyingWith: Fixtures.certificates)
    {
        inspect(decrypted.inner)
        _ = decrypted.protectedSubject
        _ = decrypted.outerHeaderRecords
    }
    _ = (try? PGPMIME.verify(bytes, with: Fixtures.certificates))?.protectedHeaders
    if let inline = try? InlinePGP.decrypt(
        bytes, using: Fixtures.secretKeys, passphrases: [Fixtures.passphrase], verifyingWith: Fixtures.certificates)
    {
        _ = inline.attachments.map(\.hasGoodSignature)
    }
    _ = try? InlinePGP.verify(bytes, with: Fixtures.certificates)
}
