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

    @Option(
        help:
            "The cipher (PSMTP EncryptingAlgorithm): AES128, AES192, AES256, 3DES, CAST5, …; by default the recipients' preferred one."
    )
    var cipher: CipherName?

    @Option(help: "The signature hash (PSMTP SigningAlgorithm): SHA256 (default), SHA384, SHA512, SHA1, ….")
    var hash: HashName?

    @Option(help: "The compression (PSMTP CompressionMethod): zip (default), zlib, bzip2 or none.")
    var compression: CompressionName?

    @Flag(help: "Inline PGP (the PSMTP format) instead of PGP/MIME: the text body itself is signed and/or encrypted.")
    var inline = false

    @Flag(help: "Sign with a cleartext signature of the text body (PSMTP ClearSignature); needs --sign-key.")
    var clearSign = false

    @Flag(
        help:
            "With --inline or --clear-sign: sign each attachment as name.sig, or encrypt it as name.pgp (PSMTP ProcessAttachments)."
    )
    var processAttachments = false

    @Flag(
        inversion: .prefixedNo,
        help:
            "Protect Subject, From, To and the other headers inside PGP/MIME (RFC 9788); the outer Subject becomes [...]."
    )
    var protectHeaders = true

    @Flag(help: "Add an Autocrypt header with the certificate of --sign-key (its user ID must be the From address).")
    var autocrypt = false

    /// Whether any option encrypts.
    var encrypts: Bool { !encryptTo.isEmpty || !recipient.isEmpty }

    func validate() throws {
        if passphraseFile != nil && signKey == nil {
            throw ValidationError("--passphrase-file needs --sign-key")
        }
        if !recipient.isEmpty && keyring == nil {
            throw ValidationError("--recipient needs --keyring")
        }
        if clearSign && (signKey == nil || encrypts) {
            throw ValidationError("--clear-sign needs --sign-key and signs without encrypting; use --inline to encrypt")
        }
        if processAttachments && !(inline || clearSign) {
            throw ValidationError(
                "--process-attachments goes with --inline or --clear-sign (PGP/MIME always covers attachments)")
        }
        if autocrypt && signKey == nil {
            throw ValidationError("--autocrypt needs --sign-key, whose certificate it publishes")
        }
    }

    /// Reads the keys and resolves every option into what protects each message.
    func protection() throws -> MessageProtection {
        MessageProtection(
            signer: try signer(), recipients: try recipients(), options: messageOptions(),
            format: inline || clearSign ? .inline(processAttachments: processAttachments) : .pgpMIME,
            headerProtection: protectHeaders ? .default : .none, autocrypt: autocrypt)
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
    /// PGP/MIME (RFC 3156), or inline PGP as the PSMTP class writes it.
    enum Format: Sendable {
        case pgpMIME
        case inline(processAttachments: Bool)
    }

    let signer: SecretKey?
    let recipients: [Certificate]
    let options: MessageOptions
    let format: Format
    let headerProtection: HeaderProtection
    let autocrypt: Bool

    /// Whether messages are encrypted (for any recipient).
    func encrypts(extraRecipients: [Certificate]) -> Bool {
        !(recipients + extraRecipients).isEmpty
    }

    /// The copies of `message` to send, each with its envelope recipients: one, or with Bcc
    /// recipients and PGP/MIME encryption one for To and Cc plus one per Bcc recipient, so no
    /// reader sees a Bcc recipient's key (`MailMessage.encryptedDeliveries`). The certificates
    /// are matched to the recipients by the addresses of their user IDs; the others (the
    /// sender's own, say) can read every copy.
    func deliveries(of message: MailMessage, extraRecipients: [Certificate] = []) throws -> [MailDelivery] {
        let message = try withAutocrypt(message)
        let certificates = recipients + extraRecipients
        guard case .pgpMIME = format, !message.bcc.isEmpty, !certificates.isEmpty else {
            return [
                MailDelivery(message: try protect(message, for: certificates), recipients: message.envelopeRecipients)
            ]
        }
        var owned: [MailAddress: Certificate] = [:]
        var others: [Certificate] = []
        for certificate in certificates {
            let addresses = (message.to + message.cc + message.bcc).filter { address in
                certificate.userIDs.contains { $0.matches(address.addrSpec) }
            }
            if addresses.isEmpty { others.append(certificate) }
            for address in addresses { owned[address.withoutDisplayName] = certificate }
        }
        return try message.encryptedDeliveries(
            recipientCertificates: owned, additionalCertificates: others, signer: signer, options: options,
            headerProtection: headerProtection)
    }

    /// `message` with the Autocrypt header of the signer's certificate, when asked for.
    private func withAutocrypt(_ message: MailMessage) throws -> MailMessage {
        guard autocrypt, let signer else { return message }
        return try message.withAutocrypt(signer.certificate)
    }

    /// `message` signed and/or encrypted for `certificates` in the chosen format.
    private func protect(_ message: MailMessage, for certificates: [Certificate]) throws -> MailMessage {
        switch (format, signer, certificates.isEmpty) {
        case (_, nil, true):
            return message
        case (.pgpMIME, let signer?, false):
            return try message.signedAndEncrypted(
                by: signer, for: certificates, options: options, headerProtection: headerProtection)
        case (.pgpMIME, let signer?, true):
            return try message.signed(by: signer, options: options, headerProtection: headerProtection)
        case (.pgpMIME, nil, false):
            return try message.encrypted(for: certificates, options: options, headerProtection: headerProtection)
        case (.inline(let attachments), let signer?, false):
            return try message.inlineSignedAndEncrypted(
                by: signer, for: certificates, options: options, processAttachments: attachments)
        case (.inline(let attachments), let signer?, true):
            return try message.inlineSigned(by: signer, options: options, processAttachments: attachments)
        case (.inline(let attachments), nil, false):
            return try message.inlineEncrypted(for: certificates, options: options, processAttachments: attachments)
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
