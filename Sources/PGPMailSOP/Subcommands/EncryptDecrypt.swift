import ArgumentParser
import Foundation
import OpenPGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--as=binary|text` for messages and signatures.
enum SignatureMode: String, ExpressibleByArgument {
    case binary, text
}

struct Encrypt: SOPSubcommand {
    static let configuration = CommandConfiguration(abstract: "Encrypt a message from standard input.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false
    @Option(name: .customLong("as"), help: "binary or text.") var mode: SignatureMode = .binary
    @Option(name: .customLong("with-password"), help: "Also encrypt with the password in this file.") var passwords:
        [String] = []
    @Option(name: .customLong("sign-with"), help: "Sign with the secret key in this file.") var signers: [String] = []
    @Option(name: .customLong("with-key-password"), help: "Unlock signing keys with the password in this file.")
    var keyPasswords: [String] = []
    @Option(help: "The encryption profile (see list-profiles encrypt): default, rfc9580 or rfc4880.")
    var profile: String?
    @Argument(help: "Certificates to encrypt to.") var certificates: [String] = []

    func execute() throws {
        let aead = Self.aead(try SOPProfile.select(profile, from: SOPProfile.encrypt))
        guard !certificates.isEmpty || !passwords.isEmpty else {
            throw SOPFailure(.missingArgument, "encrypt needs a certificate or --with-password")
        }
        let recipients = try KeyArguments.certificates(certificates)
        let passphrases = try passwords.map(IndirectData.password)
        let keys = try KeyArguments.unlockedSecretKeys(signers, passwords: try keyPasswords.map(IndirectData.password))
        var options = MessageOptions(aead: aead)
        options.armor = !noArmor
        options.literalFormat = mode == .text ? .utf8 : .binary
        // Like other SOP implementations, no compression: it rarely pays for already
        // compressed mail content and can leak information about the plaintext.
        options.compression = .uncompressed
        let output = FileByteSink(fileDescriptor: STDOUT_FILENO)
        do {
            try OpenPGPMessage.write(
                from: StandardIO.input, to: { try output.write($0) }, recipients: recipients, passphrases: passphrases,
                signers: keys, options: options)
            try output.flush()
        } catch {
            throw SOPFailure.from(error, during: .encrypt)
        }
    }

    /// Whether an `encrypt` profile writes SEIPDv2: rfc4880 never, rfc9580 when the recipients
    /// can read it.
    static func aead(_ profile: SOPProfile) -> AEADChoice {
        profile.name == "rfc4880" ? .never : .negotiated
    }
}

struct Decrypt: SOPSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt a message from standard input.",
        discussion: """
            The plaintext is held in a nameless temporary file in TMPDIR until the message is \
            authenticated. It may be at most 1 GiB (set PGPMAIL_SOP_MAX_PLAINTEXT to a number \
            of bytes to change that), and may expand at most 2048-fold over all compression \
            layers once past 16 MiB.
            """)

    @Option(name: .customLong("session-key-out"), help: "Write the session key to this file.") var sessionKeyOut:
        String?
    @Option(name: .customLong("with-session-key"), help: "Decrypt with the session key in this file.") var sessionKeys:
        [String] = []
    @Option(name: .customLong("with-password"), help: "Decrypt with the password in this file.") var passwords:
        [String] = []
    @Option(name: .customLong("with-key-password"), help: "Unlock keys with the password in this file.")
    var keyPasswords: [String] = []
    @Option(name: .customLong("verifications-out"), help: "Write the signature verifications to this file.")
    var verificationsOut: String?
    @Option(name: .customLong("verify-with"), help: "Verify signatures with the certificates in this file.")
    var verifyWith: [String] = []
    @Option(name: .customLong("verify-not-before"), help: "Ignore signatures made before this date.") var notBefore:
        String?
    @Option(name: .customLong("verify-not-after"), help: "Ignore signatures made after this date.") var notAfter:
        String?
    @Argument(help: "Secret keys to decrypt with.") var keys: [String] = []

    func execute() throws {
        guard !keys.isEmpty || !passwords.isEmpty || !sessionKeys.isEmpty else {
            throw SOPFailure(.missingArgument, "decrypt needs a key, --with-password or --with-session-key")
        }
        if verificationsOut != nil && verifyWith.isEmpty {
            throw SOPFailure(.incompatibleOptions, "--verifications-out needs --verify-with")
        }
        let secretKeys = try KeyArguments.secretKeys(keys, passwords: try keyPasswords.map(IndirectData.password))
        let certificates = try KeyArguments.certificates(verifyWith)
        let candidates = try sessionKeys.map { designator -> SessionKey in
            do {
                return try SessionKey(sopText: String(decoding: try IndirectData.read(designator), as: UTF8.self))
            } catch let failure as SOPFailure {
                throw failure
            } catch {
                throw SOPFailure(.badData, "\(designator) holds no session key: \(error)")
            }
        }
        let earliest = try SOPDate.parse(notBefore, default: .distantPast)
        let latest = try SOPDate.parse(notAfter, default: Date())
        // Open the outputs before decrypting, so an existing file fails early.
        let sessionKeyOutput = try sessionKeyOut.map(IndirectData.createOutput)
        let verificationOutput = try verificationsOut.map(IndirectData.createOutput)

        // The plaintext waits in a spool until it is authenticated: as large as the spool may
        // grow, and no larger, may the message decompress.
        let sink = try PlaintextSpool(limit: try PlaintextSpool.limit())
        var limits = DecompressionLimits.streaming
        limits.maxOutputBytes = sink.limit
        let report: MessageReadReport
        do {
            report = try OpenPGPMessage.decrypt(
                from: StandardIO.input, to: sink, using: secretKeys,
                passphrases: try passwords.map(IndirectData.password),
                sessionKeys: candidates, revealSessionKey: sessionKeyOut != nil, verifyingWith: certificates,
                limits: limits)
        } catch {
            throw SOPFailure.from(error, during: .decrypt)
        }
        try sink.copyToStandardOutput(convertingLineEndings: report.literalFormat != .binary)
        if let sessionKeyOutput, let sessionKey = report.sessionKey {
            try sessionKeyOutput.writeAndFlush("\(sessionKey.sopText)\n")
        }
        if let verificationOutput {
            let lines = VerificationLines.render(
                VerificationLines.good(report.signatures, notBefore: earliest, notAfter: latest))
            try verificationOutput.writeAndFlush(lines)
        }
    }
}

/// Turns CRLF into LF across chunks (a CR ending one chunk waits for the next).
struct LineEndingConverter {
    private var pendingCR = false

    mutating func convert(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        for byte in bytes {
            if pendingCR {
                pendingCR = false
                if byte != 0x0A { out.append(0x0D) }
            }
            if byte == 0x0D {
                pendingCR = true
            } else {
                out.append(byte)
            }
        }
        return out
    }

    mutating func finish() -> [UInt8] {
        defer { pendingCR = false }
        return pendingCR ? [0x0D] : []
    }
}
