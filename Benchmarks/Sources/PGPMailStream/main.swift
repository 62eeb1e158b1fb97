// pgpmail-stream: file → message → file through the streaming OpenPGP API, with every
// MessageOptions setting that the gpg comparison needs (pgpmail-sop always writes its
// defaults: ZIP level 6, AES-128, SHA-256).
//
//   pgpmail-stream encrypt --in FILE --out FILE --cert CERT [--sign-with KEY]
//                  [--compression none|zip|zlib|bzip2] [--level 0-9]
//                  [--cipher aes128|aes192|aes256] [--hash sha256|sha384|sha512]
//                  [--as binary|text] [--no-armor] [--aead ocb|eax|gcm|none] [--chunk-exponent 0-16]
//                  [--password TEXT]  (instead of or besides --cert)
//   pgpmail-stream decrypt --in FILE --out FILE --key KEY|--password TEXT [--verify-with CERT]
//
// Decrypt exits non-zero unless the message decrypted, passed its integrity check and, with
// --verify-with, carries a good signature by that certificate.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OpenPGP

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// `--name value` pairs (repeatable) and `--flag`s after the subcommand.
struct Arguments {
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    init(_ arguments: ArraySlice<String>, flags known: Set<String>) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else { throw UsageError(description: "unexpected argument \(argument)") }
            let name = String(argument.dropFirst(2))
            if known.contains(name) {
                flags.insert(name)
            } else {
                guard let value = rest.popFirst() else { throw UsageError(description: "\(argument) needs a value") }
                values[name, default: []].append(value)
            }
        }
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }
    func optional(_ name: String) -> String? { values[name]?.last }
    func required(_ name: String) throws -> String {
        guard let value = optional(name) else { throw UsageError(description: "--\(name) is required") }
        return value
    }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError(description: "cannot read \(path)") }
    return Array(data)
}

func choose<T>(_ value: String?, _ name: String, _ table: [String: T], default fallback: T) throws -> T {
    guard let value else { return fallback }
    guard let chosen = table[value.lowercased()] else {
        throw UsageError(description: "--\(name) takes \(table.keys.sorted().joined(separator: "|")), not \(value)")
    }
    return chosen
}

func encrypt(_ arguments: Arguments) throws {
    var options = MessageOptions()
    options.compression = try choose(
        arguments.optional("compression"), "compression",
        ["none": .uncompressed, "uncompressed": .uncompressed, "zip": .zip, "zlib": .zlib, "bzip2": .bzip2], default: .zip)
    if let level = arguments.optional("level") {
        guard let number = Int(level) else { throw UsageError(description: "--level takes 0-9, not \(level)") }
        options.compressionLevel = number
    }
    options.cipher = try choose(arguments.optional("cipher"), "cipher", ["aes128": .aes128, "aes192": .aes192, "aes256": .aes256], default: .aes128)
    options.hash = try choose(arguments.optional("hash"), "hash", ["sha256": .sha256, "sha384": .sha384, "sha512": .sha512], default: .sha256)
    options.aead = try choose(
        arguments.optional("aead"), "aead",
        ["none": .never, "ocb": .always(.ocb), "eax": .always(.eax), "gcm": .always(.gcm)], default: .never)
    if let exponent = arguments.optional("chunk-exponent") {
        guard let number = Int(exponent) else { throw UsageError(description: "--chunk-exponent takes 0-16") }
        options.aeadChunkSizeExponent = number
    }
    options.literalFormat = try choose(arguments.optional("as"), "as", ["binary": .binary, "text": .utf8], default: .binary)
    options.armor = !arguments.flag("no-armor")

    let certificates = try arguments.all("cert").flatMap { try Certificate.readKeyring(try readFile($0)) }
    let signers = try arguments.all("sign-with").flatMap { try SecretKey.readKeyring(try readFile($0)) }
    let passwords = arguments.all("password")
    guard !certificates.isEmpty || !passwords.isEmpty else {
        throw UsageError(description: "--cert or --password is required")
    }

    let input = try FileByteSource(url: URL(fileURLWithPath: try arguments.required("in")))
    let output = try FileByteSink(url: URL(fileURLWithPath: try arguments.required("out")))
    try OpenPGPMessage.write(
        from: input, to: { try output.write($0) }, recipients: certificates, passphrases: passwords, signers: signers,
        options: options)
    try output.flush()
}

func decrypt(_ arguments: Arguments) throws {
    let keys = try arguments.all("key").flatMap { try SecretKey.readKeyring(try readFile($0)) }
    let passwords = arguments.all("password")
    guard !keys.isEmpty || !passwords.isEmpty else { throw UsageError(description: "--key or --password is required") }
    let certificates = try arguments.all("verify-with").flatMap { try Certificate.readKeyring(try readFile($0)) }
    let input = try FileByteSource(url: URL(fileURLWithPath: try arguments.required("in")))
    let sink = try FilePlaintextSink(destination: URL(fileURLWithPath: try arguments.required("out")))
    let report = try OpenPGPMessage.decrypt(
        from: input, to: sink, using: keys, passphrases: passwords, verifyingWith: certificates)
    if !certificates.isEmpty && !report.hasGoodSignature {
        let statuses = report.signatures.map { "\($0.status): \($0.detail)" }
        throw UsageError(description: "no good signature: \(statuses)")
    }
}

let commandLine = CommandLine.arguments
do {
    switch commandLine.dropFirst().first {
    case "encrypt": try encrypt(try Arguments(commandLine.dropFirst(2), flags: ["no-armor"]))
    case "decrypt": try decrypt(try Arguments(commandLine.dropFirst(2), flags: []))
    default: throw UsageError(description: "usage: pgpmail-stream encrypt|decrypt --in FILE --out FILE …")
    }
} catch {
    FileHandle.standardError.write(Data("pgpmail-stream: \(error)\n".utf8))
    exit(1)
}
