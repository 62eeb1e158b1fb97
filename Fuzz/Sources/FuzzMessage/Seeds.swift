import FuzzSupport
import OpenPGP

enum MessageSeeds {
    static func make() throws -> [String: [UInt8]] {
        let text = Array("Fuzzing PGPMail.\nA second line.\n".utf8)
        let keys = Fixtures.secretKeys
        let certificates = Fixtures.certificates
        var seeds: [String: [UInt8]] = [:]
        let compressions: [CompressionAlgorithm] = [.uncompressed, .zip, .zlib, .bzip2]
        for (index, key) in keys.enumerated() {
            for compression in compressions {
                let options = MessageOptions(compression: compression, armor: false)
                seeds["encrypted-\(index)-\(compression)"] = try OpenPGPMessage.encrypt(
                    text, for: [certificates[index]], options: options)
                seeds["signed-encrypted-\(index)-\(compression)"] = try OpenPGPMessage.encrypt(
                    text, for: [certificates[index]], signedBy: [key], options: options)
                seeds["signed-\(index)-\(compression)"] = try OpenPGPMessage.sign(text, by: [key], options: options)
            }
        }
        let ciphers: [SymmetricAlgorithm] = [
            .aes128, .aes256, .cast5, .tripleDES, .twofish, .camellia128, .blowfish, .idea,
        ]
        for cipher in ciphers {
            seeds["password-\(cipher)"] = try OpenPGPMessage.encrypt(
                text, for: [], passphrases: [Fixtures.passphrase],
                options: MessageOptions(cipher: cipher, compression: .uncompressed, armor: false))
        }
        for mode in [AEADAlgorithm.ocb, .eax, .gcm] {
            // Small chunks (64 bytes), so that a seed holds several.
            let aead = MessageOptions(
                cipher: .aes256, aead: .always(mode), aeadChunkSizeExponent: 0, compression: .uncompressed,
                armor: false)
            seeds["aead-\(mode)"] = try OpenPGPMessage.encrypt(
                text + text, for: [certificates[0]], signedBy: [keys[0]], options: aead)
            seeds["aead-password-\(mode)"] = try OpenPGPMessage.encrypt(
                text, for: [], passphrases: [Fixtures.passphrase], options: aead)
        }
        // Argon2 with the least memory RFC 9580 allows (8 KiB), in a v4 and a v6 SKESK.
        var argon2 = MessageOptions(compression: .uncompressed, armor: false)
        argon2.passphraseKDF = .argon2(passes: 1, parallelism: 1, memoryExponent: 3)
        seeds["password-argon2"] = try OpenPGPMessage.encrypt(
            text, for: [], passphrases: [Fixtures.passphrase], options: argon2)
        argon2.aead = .always(.ocb)
        seeds["password-argon2-aead"] = try OpenPGPMessage.encrypt(
            text, for: [], passphrases: [Fixtures.passphrase], options: argon2)
        seeds["all-recipients-password.asc"] = try OpenPGPMessage.encrypt(
            text, for: certificates, passphrases: [Fixtures.passphrase], signedBy: keys,
            options: MessageOptions(literalFormat: .utf8, fileName: "notes.txt"))
        seeds["signed-text.asc"] = try OpenPGPMessage.sign(
            text, by: [keys[0]], options: MessageOptions(compression: .uncompressed, literalFormat: .text))
        // Each seed must open with the fixtures, or the seeds would only exercise the
        // failure paths. (Text-mode literal data comes back with CRLF line breaks.)
        for (name, seed) in seeds {
            let message = try OpenPGPMessage.decrypt(
                seed, using: keys, passphrases: [Fixtures.passphrase], verifyingWith: certificates)
            let aeadToKey = name.hasPrefix("aead-") && !name.hasPrefix("aead-password")
            let signed = name.hasPrefix("signed") || name.hasPrefix("all") || aeadToKey
            let expected = aeadToKey ? text + text : text
            guard message.data.filter({ $0 != 0x0D }) == expected, message.hasGoodSignature == signed else {
                throw SeedError(description: "seed \(name) does not decrypt and verify with the fixtures")
            }
        }
        return seeds
    }
}
