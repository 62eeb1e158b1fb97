import Foundation

/// Writes a cleartext signed message (RFC 9580 §7; the PSMTP `ClearSignature` setting) from
/// text given in pieces: the text stays readable, followed by an armored text signature.
///
/// Lines end at CRLF, LF or CR and are written with `options.armorLineEnding`. Trailing
/// spaces and tabs are removed from every line (the signature cannot cover them), lines
/// starting with "-" or "From " are dash-escaped, and the line break before the signature is
/// not signed, so "text" and "text\n" give the same message. Memory is bounded by the
/// longest line. `hash`, `armorHeaders` (on the signature), `armorLineEnding` and
/// `signatureDate` apply; the other options do not.
///
/// The `Hash:` armor header is written for the version 4 signatures. RFC 9580 deprecates it
/// but allows it for them, and GnuPG 2.2 and Sequoia's sqop assume MD5 without it (RFC 4880)
/// and reject the signature. Version 6 signatures (from v6 keys) are not named in it.
public final class CleartextSigner {
    private let signers: [DocumentSignatures.Signer]
    private let contexts: [HashContext]
    private let options: MessageOptions
    private let creationTime: UInt32
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private let newline: [UInt8]
    private var line: [UInt8] = []
    /// The previous byte was a CR that ended a line: a LF right after it belongs to it.
    private var afterCR = false
    private var lineCount = 0
    private var finished = false

    /// Starts a message signed by every key in `signers` (unlocked) and writes its header.
    ///
    /// `output` receives the message bytes as they are produced. Throws `keyNotUsable` for a
    /// key that cannot sign, `unsupportedAlgorithm` for an unavailable hash.
    public init(
        signers: [SecretKey], options: MessageOptions = MessageOptions(),
        output: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let date = options.signatureDate ?? Date()
        guard !signers.isEmpty else { throw OpenPGPError(.invalidArgument, "signing needs at least one key") }
        self.signers = try DocumentSignatures.signers(signers, options: options, at: date)
        contexts = try self.signers.map { try $0.makeHashContext() }
        self.options = options
        self.output = output
        creationTime = UInt32(openPGPTimestamp: date)
        newline = options.armorLineEnding.bytes
        var header = Array(Armor.cleartextHeaderLine.utf8) + newline
        var names: [String] = []
        // Only v4 signatures are named: RFC 9580 §7 has no Hash header for v6 signatures.
        let v4Hashes = self.signers.filter { $0.key.publicKey.version != 6 }.map(\.hash)
        for name in v4Hashes.compactMap(\.textName) where !names.contains(name) { names.append(name) }
        if !names.isEmpty { header += Array("Hash: \(names.joined(separator: ","))".utf8) + newline }
        try emit(header + newline)
    }

    /// Adds text.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw OpenPGPError(.invalidArgument, "CleartextSigner.write after finish") }
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                try endLine()
            case 0x0A:
                try endLine()
            default:
                line.append(byte)
            }
        }
    }

    /// Adds text.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Ends the text and writes the armored signatures.
    public func finish() throws {
        guard !finished else { throw OpenPGPError(.invalidArgument, "CleartextSigner.finish called twice") }
        finished = true
        if !line.isEmpty || lineCount == 0 { try endLine() }
        var packets: [UInt8] = []
        for (signer, context) in zip(signers, contexts) {
            packets += try DocumentSignatures.sign(
                with: signer, type: .text, creationTime: creationTime, context: context
            ).serialized
        }
        try emit(
            Array(
                Armor.encode(
                    packets, type: .signature, headers: options.armorHeaders, lineEnding: options.armorLineEnding
                ).utf8))
    }

    /// Signs and writes the current line. Hashed lines are joined by CRLF; none follows the last.
    private func endLine() throws {
        while let last = line.last, last == 0x20 || last == 0x09 { line.removeLast() }
        let separator: [UInt8] = lineCount > 0 ? [0x0D, 0x0A] : []
        for context in contexts {
            context.update(separator)
            context.update(line)
        }
        lineCount += 1
        let escape = line.first == UInt8(ascii: "-") || line.starts(with: "From ".utf8)
        try emit((escape ? [UInt8(ascii: "-"), 0x20] : []) + line + newline)
        line.removeAll(keepingCapacity: true)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes(output)
    }
}

/// What checking a cleartext signed message found.
public struct CleartextVerification: Sendable {
    /// The signed text: the lines without dash-escaping and trailing whitespace, joined by LF.
    /// The line break before the signature is not signed, so the text never ends with one.
    public let data: [UInt8]
    /// The hash algorithms named by `Hash:` armor headers (empty when there are none).
    public let declaredHashes: [HashAlgorithm]
    /// One entry per signature, in order.
    public let signatures: [SignatureVerification]
    /// The armored signature block of the message (`-----BEGIN PGP SIGNATURE-----` to its
    /// END line): a detached signature over ``data`` in text mode.
    public let signatureBlock: [UInt8]

    /// The signed text decoded as UTF-8.
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// Whether at least one signature is good.
    public var hasGoodSignature: Bool { signatures.contains { $0.status == .good } }
}

/// Reads the framing of a cleartext signed message (RFC 9580 §7).
struct CleartextMessage {
    /// The signed lines, dash-escaping and trailing whitespace removed.
    let lines: [ArraySlice<UInt8>]
    let declaredHashes: [HashAlgorithm]
    /// The armored signature block, BEGIN to END line.
    let signatureBlock: ArraySlice<UInt8>

    private static let signatureBegin = "-----BEGIN PGP SIGNATURE-----"
    private static let signatureEnd = "-----END PGP SIGNATURE-----"

    /// Parses `input`. Text before the `-----BEGIN PGP SIGNED MESSAGE-----` line and after
    /// the signature is ignored. Throws `malformedArmor` for anything but well-formed `Hash:`
    /// headers, an unescaped line starting with "-", or a missing part.
    init(parsing input: [UInt8]) throws {
        var reader = ArmorLines(input)
        func trimmed(_ line: ArraySlice<UInt8>) -> String {
            String(decoding: line.trimmingTrailingWhitespaceBytes, as: UTF8.self)
        }
        func failure(_ detail: String, at offset: Int) -> OpenPGPError {
            OpenPGPError(.malformedArmor, detail, offset: offset)
        }

        var found = false
        while !found, let line = reader.next() {
            found = trimmed(line) == Armor.cleartextHeaderLine
        }
        guard found else { throw failure("no \(Armor.cleartextHeaderLine) line found", at: 0) }

        // Armor headers: only well-formed Hash headers may appear (RFC 9580 §7.1).
        var hashes: [HashAlgorithm] = []
        while true {
            let offset = reader.position
            guard let line = reader.next() else {
                throw failure("the cleartext message ends in its armor headers", at: offset)
            }
            let text = trimmed(line)
            if text.isEmpty { break }
            guard text.hasPrefix("Hash: ") else {
                throw failure("only Hash headers may follow \(Armor.cleartextHeaderLine)", at: offset)
            }
            for name in text.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let algorithm = HashAlgorithm(textName: name) else {
                    throw failure("the Hash header names an unknown hash \"\(name.prefix(40))\"", at: offset)
                }
                hashes.append(algorithm)
            }
        }
        declaredHashes = hashes

        // The dash-escaped text, up to the signature.
        var lines: [ArraySlice<UInt8>] = []
        var signatureStart: Int?
        while signatureStart == nil {
            let offset = reader.position
            guard let line = reader.next() else { throw failure("no signature follows the signed text", at: offset) }
            var content = line
            if line.first == UInt8(ascii: "-") {
                if trimmed(line) == Self.signatureBegin {
                    signatureStart = offset
                    break
                }
                guard line.dropFirst().first == 0x20 else {
                    throw failure("a line of the signed text starts with \"-\" but is not dash-escaped", at: offset)
                }
                content = line.dropFirst(2)
            }
            while let last = content.last, last == 0x20 || last == 0x09 || last == 0x0D { content.removeLast() }
            lines.append(content)
        }
        self.lines = lines
        while let line = reader.next() {
            if trimmed(line) == Self.signatureEnd {
                signatureBlock = input[signatureStart!..<reader.position]
                return
            }
        }
        throw failure("the signature has no \(Self.signatureEnd) line", at: signatureStart!)
    }

    /// The signed text with the given line separator.
    func text(separator: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.count + separator.count })
        for (index, line) in lines.enumerated() {
            if index > 0 { out += separator }
            out += line
        }
        return out
    }
}

extension HashAlgorithm {
    /// The algorithm whose text name (as in `Hash:` headers) is `name`, ignoring case.
    init?(textName name: some StringProtocol) {
        let all: [HashAlgorithm] = [.md5, .sha1, .ripemd160, .sha256, .sha384, .sha512, .sha224, .sha3_256, .sha3_512]
        guard let match = all.first(where: { $0.textName?.caseInsensitiveCompare(name) == .orderedSame }) else {
            return nil
        }
        self = match
    }
}

extension OpenPGPMessage {
    /// Signs `text` as a cleartext signed message (the PSMTP `ClearSignature` setting). See
    /// ``CleartextSigner`` for how the text is written and which options apply.
    public static func clearSign(
        _ text: [UInt8], by signers: [SecretKey], options: MessageOptions = MessageOptions()
    ) throws -> [UInt8] {
        var output: [UInt8] = []
        let signer = try CleartextSigner(signers: signers, options: options) { output += $0 }
        try signer.write(text)
        try signer.finish()
        return output
    }

    /// Signs `text` as a cleartext signed message: the `String` convenience.
    public static func clearSign(
        _ text: String, by signers: [SecretKey], options: MessageOptions = MessageOptions()
    ) throws -> String {
        String(decoding: try clearSign(Array(text.utf8), by: signers, options: options), as: UTF8.self)
    }

    /// Reads a cleartext signed message and checks its signatures against `certificates`.
    ///
    /// A signature is `bad` when it is not a text signature or when `Hash:` headers are
    /// present and do not name its hash algorithm. Throws `malformedArmor` for broken framing
    /// (armor headers other than `Hash:`, unknown hash names, an unescaped line starting
    /// with "-", a missing signature) and the errors of reading the signature packets.
    public static func verifyCleartext(
        _ message: [UInt8], with certificates: [Certificate]
    ) throws -> CleartextVerification {
        let parsed = try CleartextMessage(parsing: message)
        let signatures = try DocumentSignatures.parse(Array(parsed.signatureBlock))
        let verifier = DetachedVerifier(signatures: signatures, certificates: certificates)
        try verifier.write(parsed.text(separator: [0x0D, 0x0A]))
        let results = try zip(signatures, verifier.finish()).map { signature, result -> SignatureVerification in
            if result.signatureType != .text {
                return result.with(
                    .bad, "a cleartext signature must be a text signature, not type \(result.signatureType)")
            }
            // The Hash header speaks for v4 signatures only (RFC 9580 §7.1).
            if case .signature(let packet) = signature, packet.version == 6 { return result }
            if !parsed.declaredHashes.isEmpty, !parsed.declaredHashes.contains(result.hashAlgorithm) {
                return result.with(.bad, "the Hash header does not name the signature's hash \(result.hashAlgorithm)")
            }
            return result
        }
        return CleartextVerification(
            data: parsed.text(separator: [0x0A]), declaredHashes: parsed.declaredHashes, signatures: results,
            signatureBlock: Array(parsed.signatureBlock) + [0x0A])
    }

    /// Reads a cleartext signed message: the `String` convenience.
    public static func verifyCleartext(
        _ message: String, with certificates: [Certificate]
    ) throws -> CleartextVerification {
        try verifyCleartext(Array(message.utf8), with: certificates)
    }
}
