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
            let signed = name.hasPrefix("signed") || name.hasPrefix("all")
            guard message.data.filter({ $0 != 0x0D }) == text, message.hasGoodSignature == signed else {
                throw SeedError(description: "seed \(name) does not decrypt and verify with the fixtures")
            }
        }
        return seeds
    }
}
