import Foundation
import TestSupport
import Testing

@testable import OpenPGP

/// Argon2 S2K (RFC 9580 §3.7.1.4) in v4 SKESK packets with Sequoia through pysequoia.
/// pysequoia's `encrypt(passwords:)` writes iterated and salted S2K (it takes no profile), so
/// Argon2 is checked in the direction Sequoia reads. The installed sqop (Sequoia 1.12) and
/// GnuPG 2.2 do not know Argon2.
@Suite("Argon2 interop: Sequoia reads our Argon2 SKESKs")
struct Argon2InteropTests {
    let plaintext = Array("Argon2 from PGPMail ✓\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 3000)

    /// A script printing the plaintext of the message in file `a0` opened with `password`.
    static func decryptScript(password: String) -> String {
        "sys.stdout.buffer.write(decrypt(open(sys.argv[1], 'rb').read(), passwords=['\(password)']).bytes)"
    }

    /// The S2K specifiers of `message`'s SKESK packets.
    static func specifiers(_ message: [UInt8]) throws -> [S2K] {
        try PacketFraming.parse(Armor.decodeIfArmored(message)).filter { $0.tag == .symmetricKeyEncryptedSessionKey }
            .map { packet in
                var reader = ByteReader(Array(packet.body.dropFirst(2)))
                return try S2K(reading: &reader)
            }
    }

    @Test(arguments: [PassphraseKDF.argon2Default, .argon2LowMemory])
    func pysequoiaDecryptsOurArgon2Messages(kdf: PassphraseKDF) throws {
        let message = try OpenPGPMessage.encrypt(
            plaintext, for: [], passphrases: ["first pass", "zweites Passwort ✓"],
            options: MessageOptions(passphraseKDF: kdf))
        #expect(try Self.specifiers(message).map(\.kind) == [.argon2, .argon2])
        for password in ["first pass", "zweites Passwort ✓"] {
            #expect(try PySequoia.run(Self.decryptScript(password: password), inputs: [message]) == plaintext)
        }
        let error = try PySequoia.failure(Self.decryptScript(password: "wrong"), inputs: [message])
        #expect(!error.isEmpty)
    }

    @Test func weDecryptPySequoiaPasswordMessages() throws {
        let message = try PySequoia.run(
            "sys.stdout.buffer.write(encrypt(open(sys.argv[1], 'rb').read(), passwords=['py pass']))",
            inputs: [plaintext])
        // Iterated and salted today; Argon2 should a later pysequoia write it.
        let kinds = try Self.specifiers(message).map(\.kind)
        #expect(kinds == [.iteratedAndSalted] || kinds == [.argon2])
        #expect(try OpenPGPMessage.decrypt(message, using: [], passphrases: ["py pass"]).data == plaintext)
    }
}
