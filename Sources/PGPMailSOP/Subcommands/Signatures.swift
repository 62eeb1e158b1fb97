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

struct Sign: SOPSubcommand {
    static let configuration = CommandConfiguration(abstract: "Make a detached signature over standard input.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false
    @Option(name: .customLong("as"), help: "binary or text.") var mode: SignatureMode = .binary
    @Option(name: .customLong("with-key-password"), help: "Unlock keys with the password in this file.")
    var keyPasswords: [String] = []
    @Option(name: .customLong("micalg-out"), help: "Write the PGP/MIME micalg value to this file.") var micalgOut:
        String?
    @Argument(help: "Secret keys to sign with.") var keys: [String] = []

    func execute() throws {
        guard !keys.isEmpty else { throw SOPFailure(.missingArgument, "sign needs a secret key") }
        let signers = try KeyArguments.unlockedSecretKeys(keys, passwords: try keyPasswords.map(IndirectData.password))
        let micalgOutput = try micalgOut.map(IndirectData.createOutput)
        var options = MessageOptions()
        options.armor = !noArmor
        options.literalFormat = mode == .text ? .utf8 : .binary
        do {
            let signer = try DetachedSigner(signers: signers, options: options)
            try StandardIO.input.forEachChunk { try signer.write($0) }
            let hashes = signer.hashAlgorithms
            try StandardIO.write(try signer.finish())
            if let micalgOutput {
                // One hash for all signatures gives a micalg; several give none (RFC 3156).
                let names = Set(hashes.compactMap(\.textName))
                let micalg = names.count == 1 ? names.map { "pgp-" + $0.lowercased() }.joined() : ""
                try micalgOutput.writeAndFlush(micalg)
            }
        } catch {
            throw SOPFailure.from(error, during: .sign)
        }
    }
}

struct Verify: SOPSubcommand {
    static let configuration = CommandConfiguration(abstract: "Check detached signatures over standard input.")

    @Option(name: .customLong("not-before"), help: "Ignore signatures made before this date.") var notBefore: String?
    @Option(name: .customLong("not-after"), help: "Ignore signatures made after this date.") var notAfter: String?
    @Argument(help: "The signatures, then the certificates to check them with.") var arguments: [String] = []

    func execute() throws {
        guard arguments.count >= 2 else {
            throw SOPFailure(.missingArgument, "verify needs a signature and at least one certificate")
        }
        let signature = try IndirectData.read(arguments[0])
        let certificates = try KeyArguments.certificates(Array(arguments.dropFirst()))
        let earliest = try SOPDate.parse(notBefore, default: .distantPast)
        let latest = try SOPDate.parse(notAfter, default: Date())
        let results: [SignatureVerification]
        do {
            let verifier = try DetachedVerifier(signature: signature, certificates: certificates)
            try StandardIO.input.forEachChunk { try verifier.write($0) }
            results = try verifier.finish()
        } catch {
            throw SOPFailure(.badData, "\(error)")
        }
        let good = VerificationLines.good(results, notBefore: earliest, notAfter: latest)
        guard !good.isEmpty else { throw SOPFailure(.noSignature, "no good signature from the given certificates") }
        try StandardIO.write(VerificationLines.render(good))
    }
}

/// `--as` for inline signing.
enum InlineSignatureMode: String, ExpressibleByArgument {
    case binary, text, clearsigned
}

struct InlineSign: SOPSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "inline-sign", abstract: "Make an inline-signed message.")

    @Flag(name: .customLong("no-armor"), help: "Write binary instead of armored output.") var noArmor = false
    @Option(name: .customLong("as"), help: "binary, text or clearsigned.") var mode: InlineSignatureMode = .binary
    @Option(name: .customLong("with-key-password"), help: "Unlock keys with the password in this file.")
    var keyPasswords: [String] = []
    @Argument(help: "Secret keys to sign with.") var keys: [String] = []

    func execute() throws {
        guard !keys.isEmpty else { throw SOPFailure(.missingArgument, "inline-sign needs a secret key") }
        if noArmor && mode == .clearsigned {
            throw SOPFailure(.incompatibleOptions, "--no-armor cannot be used with --as=clearsigned")
        }
        let signers = try KeyArguments.unlockedSecretKeys(keys, passwords: try keyPasswords.map(IndirectData.password))
        let data = try StandardIO.readInput()
        var options = MessageOptions()
        options.armor = !noArmor
        options.literalFormat = mode == .binary ? .binary : .utf8
        options.compression = .uncompressed
        do {
            if mode == .clearsigned {
                try StandardIO.write(try OpenPGPMessage.clearSign(data, by: signers, options: options))
            } else {
                if mode == .text, String(validating: data, as: UTF8.self) == nil {
                    throw SOPFailure(.expectedText, "--as=text needs UTF-8 input")
                }
                try StandardIO.write(try OpenPGPMessage.sign(data, by: signers, options: options))
            }
        } catch {
            throw SOPFailure.from(error, during: .sign)
        }
    }
}

/// Reads an inline-signed message: a cleartext signed one or a one-pass signed one.
enum InlineSignedMessage {
    struct Content {
        let data: [UInt8]
        let signatures: [SignatureVerification]
        /// The signatures as a detached signature block (armored for cleartext messages).
        let signatureBlock: [UInt8]
        let signatureBlockIsArmored: Bool
    }

    static func read(_ input: [UInt8], certificates: [Certificate]) throws -> Content {
        do {
            if input.starts(with: Array("-----BEGIN PGP SIGNED MESSAGE-----".utf8)) || containsCleartextHeader(input) {
                let result = try OpenPGPMessage.verifyCleartext(input, with: certificates)
                return Content(
                    data: result.data, signatures: result.signatures, signatureBlock: result.signatureBlock,
                    signatureBlockIsArmored: true)
            }
            let result = try OpenPGPMessage.decrypt(input, using: [], verifyingWith: certificates)
            guard !result.wasEncrypted else { throw SOPFailure(.badData, "the message is encrypted, not only signed") }
            var converter = LineEndingConverter()
            // Text literal data is stored with CRLF; give it back with this system's LF.
            let data =
                result.literalFormat == .binary ? result.data : converter.convert(result.data) + converter.finish()
            return Content(
                data: data, signatures: result.signatures, signatureBlock: result.report.signaturePackets,
                signatureBlockIsArmored: false)
        } catch let failure as SOPFailure {
            throw failure
        } catch {
            throw SOPFailure(.badData, "\(error)")
        }
    }

    private static func containsCleartextHeader(_ input: [UInt8]) -> Bool {
        let text = String(decoding: input.prefix(4096), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----")
    }
}

struct InlineVerify: SOPSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "inline-verify", abstract: "Check an inline-signed message.")

    @Option(name: .customLong("not-before"), help: "Ignore signatures made before this date.") var notBefore: String?
    @Option(name: .customLong("not-after"), help: "Ignore signatures made after this date.") var notAfter: String?
    @Option(name: .customLong("verifications-out"), help: "Write the signature verifications to this file.")
    var verificationsOut: String?
    @Argument(help: "Certificates to check the signatures with.") var certificates: [String] = []

    func execute() throws {
        guard !certificates.isEmpty else { throw SOPFailure(.missingArgument, "inline-verify needs a certificate") }
        let keys = try KeyArguments.certificates(certificates)
        let earliest = try SOPDate.parse(notBefore, default: .distantPast)
        let latest = try SOPDate.parse(notAfter, default: Date())
        let verificationOutput = try verificationsOut.map(IndirectData.createOutput)
        let content = try InlineSignedMessage.read(try StandardIO.readInput(), certificates: keys)
        let good = VerificationLines.good(content.signatures, notBefore: earliest, notAfter: latest)
        guard !good.isEmpty else { throw SOPFailure(.noSignature, "no good signature from the given certificates") }
        if let verificationOutput {
            try verificationOutput.writeAndFlush(VerificationLines.render(good))
        }
        // Cleartext lines are written each with its line break, as other implementations do
        // (the break before the signature is not signed; `inline-detach` leaves it off so the
        // detached signature verifies over its output).
        try StandardIO.write(
            content.signatureBlockIsArmored && !content.data.isEmpty ? content.data + [0x0A] : content.data)
    }
}

struct InlineDetach: SOPSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "inline-detach", abstract: "Split an inline-signed message into data and signatures.")

    @Flag(name: .customLong("no-armor"), help: "Write the signatures in binary.") var noArmor = false
    @Option(name: .customLong("signatures-out"), help: "Write the signatures to this file.") var signaturesOut: String?

    func execute() throws {
        guard let signaturesOut else { throw SOPFailure(.missingArgument, "inline-detach needs --signatures-out") }
        let output = try IndirectData.createOutput(signaturesOut)
        let content = try InlineSignedMessage.read(try StandardIO.readInput(), certificates: [])
        var binary = content.signatureBlock
        if content.signatureBlockIsArmored {
            do {
                binary = try Armor.decodeIfArmored(content.signatureBlock)
            } catch {
                throw SOPFailure(.badData, "\(error)")
            }
        }
        try output.writeAndFlush(noArmor ? binary : Array(Armor.encode(binary, type: .signature).utf8))
        try StandardIO.write(content.data)
    }
}
