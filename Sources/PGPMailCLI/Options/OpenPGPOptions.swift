import ArgumentParser
import Foundation
import PGPMail

/// The OpenPGP options shared by `compose`, `send`, `bulk` and `queue add`.
struct OpenPGPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sign with this secret key (armored or binary).", valueName: "file"))
    var signKey: String?

    @Option(help: ArgumentHelp("The passphrase of --sign-key (first line of the file).", valueName: "file"))
    var passphraseFile: String?

    @Option(help: ArgumentHelp("Encrypt for this certificate (armored or binary); repeatable.", valueName: "file"))
    var encryptTo: [String] = []

    @Option(
        help: ArgumentHelp(
            "A keyring (file of certificates, GnuPG keybox or GnuPG home directory) for --recipient.",
            valueName: "path"))
    var keyring: String?

    @Option(
        help: ArgumentHelp(
            "Encrypt for the certificate in --keyring with this user ID, address, key ID or fingerprint; repeatable.",
            valueName: "userid"))
    var recipient: [String] = []

    @Option(help: "The cipher (PSMTP EncryptingAlgorithm): AES128 (default), AES192, AES256, 3DES, CAST5, ….")
    var cipher: CipherName?

    @Option(help: "The signature hash (PSMTP SigningAlgorithm): SHA256 (default), SHA384, SHA512, SHA1, ….")
    var hash: HashName?

    @Option(help: "The compression (PSMTP CompressionMethod): zip (default), zlib, bzip2 or none.")
    var compression: CompressionName?

    func validate() throws {
        if passphraseFile != nil && signKey == nil {
            throw ValidationError("--passphrase-file needs --sign-key")
        }
        if !recipient.isEmpty && keyring == nil {
            throw ValidationError("--recipient needs --keyring")
        }
    }

    /// Reads the keys and resolves every option into what protects each message.
    func protection() throws -> MessageProtection {
        MessageProtection(signer: try signer(), recipients: try recipients(), options: messageOptions())
    }

    /// The signing key of `--sign-key`, unlocked with `--passphrase-file`.
    func signer() throws -> SecretKey? {
        try signKey.map { path in
            let passphrase = try passphraseFile.map { try SendFiles.firstLine(of: $0, what: "passphrase file") }
            let bytes = try SendFiles.bytes(of: path, what: "secret key")
            return try Self.isArmored(bytes)
                ? SecretKey(armored: String(decoding: bytes, as: UTF8.self), passphrase: passphrase)
                : SecretKey(bytes: bytes, passphrase: passphrase)
        }
    }

    /// The certificates of `--encrypt-to` and of `--recipient` in `--keyring`.
    func recipients() throws -> [Certificate] {
        var certificates = try encryptTo.map { try Self.certificate(at: $0) }
        if let keyring, !recipient.isEmpty {
            let ring: Keyring
            do {
                ring = try Keyring(path: keyring)
            } catch {
                throw SendFiles.ReadError(description: "cannot read keyring \(keyring): \(error)")
            }
            certificates += try recipient.map { try ring.certificate(matching: $0) }
        }
        return certificates
    }

    /// The algorithms of `--cipher`, `--hash` and `--compression`.
    func messageOptions() -> MessageOptions {
        var options = MessageOptions()
        if let cipher { options.cipher = cipher.algorithm }
        if let hash { options.hash = hash.algorithm }
        if let compression { options.compression = compression.algorithm }
        return options
    }

    /// The certificate in the file at `path`, armored or binary.
    static func certificate(at path: String) throws -> Certificate {
        let bytes = try SendFiles.bytes(of: path, what: "certificate")
        return try isArmored(bytes)
            ? Certificate(armored: String(decoding: bytes, as: UTF8.self)) : Certificate(bytes: bytes)
    }

    /// Whether a key file is ASCII armor (after optional leading white space).
    static func isArmored(_ bytes: [UInt8]) -> Bool {
        let start = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        return start.starts(with: Array("-----BEGIN PGP".utf8))
    }
}

/// How every message of a command is signed and/or encrypted: the keys and algorithms read
/// once from the OpenPGP options.
struct MessageProtection: Sendable {
    let signer: SecretKey?
    let recipients: [Certificate]
    let options: MessageOptions

    /// `message` signed and/or encrypted as PGP/MIME for `recipients` plus `extraRecipients`.
    func apply(to message: MailMessage, extraRecipients: [Certificate] = []) throws -> MailMessage {
        let recipients = self.recipients + extraRecipients
        switch (signer, recipients.isEmpty) {
        case (let signer?, false): return try message.signedAndEncrypted(by: signer, for: recipients, options: options)
        case (let signer?, true): return try message.signed(by: signer, options: options)
        case (nil, false): return try message.encrypted(for: recipients, options: options)
        case (nil, true): return message
        }
    }
}

/// A cipher named as in the PSMTP `EncryptingAlgorithm` property (case-insensitive).
struct CipherName: ExpressibleByArgument, Sendable {
    let algorithm: SymmetricAlgorithm

    init?(argument: String) {
        switch argument.uppercased() {
        case "AES128": algorithm = .aes128
        case "AES192": algorithm = .aes192
        case "AES256": algorithm = .aes256
        case "3DES", "TRIPLEDES": algorithm = .tripleDES
        case "CAST5": algorithm = .cast5
        case "BLOWFISH": algorithm = .blowfish
        case "TWOFISH": algorithm = .twofish
        case "IDEA": algorithm = .idea
        case "CAMELLIA128": algorithm = .camellia128
        case "CAMELLIA192": algorithm = .camellia192
        case "CAMELLIA256": algorithm = .camellia256
        default: return nil
        }
    }

    static var allValueStrings: [String] {
        [
            "AES128", "AES192", "AES256", "3DES", "CAST5", "BLOWFISH", "TWOFISH", "IDEA", "CAMELLIA128", "CAMELLIA192",
            "CAMELLIA256",
        ]
    }
}

/// A hash named as in the PSMTP `SigningAlgorithm` property (case-insensitive).
struct HashName: ExpressibleByArgument, Sendable {
    let algorithm: HashAlgorithm

    init?(argument: String) {
        switch argument.uppercased() {
        case "SHA1": algorithm = .sha1
        case "MD5": algorithm = .md5
        case "SHA224": algorithm = .sha224
        case "SHA256": algorithm = .sha256
        case "SHA384": algorithm = .sha384
        case "SHA512": algorithm = .sha512
        case "RIPEMD160": algorithm = .ripemd160
        case "SHA3-256": algorithm = .sha3_256
        case "SHA3-512": algorithm = .sha3_512
        default: return nil
        }
    }

    static var allValueStrings: [String] {
        ["SHA256", "SHA384", "SHA512", "SHA224", "SHA1", "MD5", "RIPEMD160", "SHA3-256", "SHA3-512"]
    }
}

/// A compression named as in the PSMTP `CompressionMethod` property (case-insensitive).
struct CompressionName: ExpressibleByArgument, Sendable {
    let algorithm: CompressionAlgorithm

    init?(argument: String) {
        switch argument.lowercased() {
        case "zip": algorithm = .zip
        case "zlib": algorithm = .zlib
        case "bzip2": algorithm = .bzip2
        case "none", "uncompressed": algorithm = .uncompressed
        default: return nil
        }
    }

    static var allValueStrings: [String] { ["zip", "zlib", "bzip2", "none"] }
}
