import Foundation

/// Makes a detached signature (RFC 9580 §10.4) over data given in pieces, in bounded memory:
/// `write` as often as needed, then `finish` once.
///
/// `options.literalFormat` chooses the signature type: `.binary` signs the bytes as they are
/// (type 0x00); `.text` and `.utf8` make a text signature (type 0x01) over the data with its
/// line endings as CRLF. `hash`, `armor`, `armorHeaders`, `armorLineEnding` and
/// `signatureDate` apply; the other options do not.
public final class DetachedSigner {
    private let signers: [DocumentSignatures.Signer]
    private var hasher: DocumentHasher
    private let options: MessageOptions
    private let creationTime: UInt32
    private var finished = false

    /// Starts a signature by every key in `signers` (unlocked). Throws `keyNotUsable` for a
    /// key that cannot sign now (or at `options.signatureDate`), `unsupportedAlgorithm` for
    /// an unavailable hash.
    public init(signers: [SecretKey], options: MessageOptions = MessageOptions()) throws {
        let date = options.signatureDate ?? Date()
        guard !signers.isEmpty else { throw OpenPGPError(.invalidArgument, "signing needs at least one key") }
        self.signers = try DocumentSignatures.signers(signers, options: options, at: date)
        hasher = DocumentHasher(
            contexts: try self.signers.map { try $0.makeHashContext() },
            textMode: DocumentSignatures.type(for: options.literalFormat) == .text)
        self.options = options
        creationTime = UInt32(openPGPTimestamp: date)
    }

    /// The hash of each signature, in signer order (see `MessageOptions.ensureValidSignatureHash`).
    public var hashAlgorithms: [HashAlgorithm] { signers.map(\.hash) }

    /// Adds data to sign.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw OpenPGPError(.invalidArgument, "DetachedSigner.write after finish") }
        hasher.update(bytes)
    }

    /// Adds data to sign.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Completes the signatures, one packet per signer in the order given: armored
    /// (`-----BEGIN PGP SIGNATURE-----`) when `options.armor`, else binary.
    public func finish() throws -> [UInt8] {
        guard !finished else { throw OpenPGPError(.invalidArgument, "DetachedSigner.finish called twice") }
        finished = true
        let type = DocumentSignatures.type(for: options.literalFormat)
        var packets: [UInt8] = []
        for (signer, context) in zip(signers, hasher.contexts) {
            packets += try DocumentSignatures.sign(
                with: signer, type: type, creationTime: creationTime, context: context
            ).serialized
        }
        guard options.armor else { return packets }
        return Array(
            Armor.encode(packets, type: .signature, headers: options.armorHeaders, lineEnding: options.armorLineEnding)
                .utf8)
    }
}

/// Checks a detached signature (one or more signature packets) over data given in pieces,
/// in bounded memory: `write` the signed data as often as needed, then `finish` once.
public final class DetachedVerifier {
    private enum Entry {
        case check(SignaturePacket, group: Int?)
        case known(SignatureVerification)
    }

    private let entries: [Entry]
    private let certificates: [Certificate]
    /// One hasher per hash algorithm, mode (binary or text) and salt the signatures use.
    private var hashers: [DocumentHasher]
    private var finished = false

    /// Reads `signature` (armored or binary) to check it against `certificates`.
    ///
    /// Throws `malformedArmor`, `malformedPacket` or `unexpectedPacket` when `signature` is
    /// not a block of signature packets, `malformedMessage` when it holds none.
    public convenience init(signature: [UInt8], certificates: [Certificate]) throws {
        self.init(signatures: try DocumentSignatures.parse(signature), certificates: certificates)
    }

    init(signatures: [DocumentSignatures.Parsed], certificates: [Certificate]) {
        self.certificates = certificates
        var groups: [(HashAlgorithm, Bool, [UInt8])] = []
        var hashers: [DocumentHasher] = []
        entries = signatures.map { parsed in
            let signature: SignaturePacket
            switch parsed {
            case .unsupported(let result): return .known(result)
            case .signature(let packet): signature = packet
            }
            // v6 signatures each have their own salt, hashed first: they share a hash only
            // with a signature of the same salt.
            let key = (signature.hashAlgorithm, signature.type == .text, signature.salt)
            guard signature.type == .binary || signature.type == .text else { return .check(signature, group: nil) }
            if let index = groups.firstIndex(where: { $0 == key }) { return .check(signature, group: index) }
            guard let context = try? signature.makeHashContext() else { return .check(signature, group: nil) }
            groups.append(key)
            hashers.append(DocumentHasher(contexts: [context], textMode: key.1))
            return .check(signature, group: groups.count - 1)
        }
        self.hashers = hashers
    }

    /// Adds signed data.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw OpenPGPError(.invalidArgument, "DetachedVerifier.write after finish") }
        for index in hashers.indices { hashers[index].update(bytes) }
    }

    /// Adds signed data.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// The result for each signature, in the order they came.
    public func finish() throws -> [SignatureVerification] {
        guard !finished else { throw OpenPGPError(.invalidArgument, "DetachedVerifier.finish called twice") }
        finished = true
        return try entries.map { entry in
            switch entry {
            case .known(let result):
                return result
            case .check(let signature, let group):
                let context = try group.map { try hashers[$0].contexts[0].copy() }
                return DocumentSignatures.verify(signature, context: context, certificates: certificates)
            }
        }
    }
}

extension OpenPGPMessage {
    /// A detached signature over `data` by every key in `signers`: the PSMTP `Sign` for data
    /// kept apart from its signature. See ``DetachedSigner`` for the options that apply.
    public static func detachedSignature(
        for data: [UInt8], by signers: [SecretKey], options: MessageOptions = MessageOptions()
    ) throws -> [UInt8] {
        let signer = try DetachedSigner(signers: signers, options: options)
        try signer.write(data)
        return try signer.finish()
    }

    /// Checks the detached `signature` (armored or binary) over `data` against
    /// `certificates`: one result per signature packet, in order.
    public static func verifyDetached(
        _ signature: [UInt8], of data: [UInt8], with certificates: [Certificate]
    ) throws -> [SignatureVerification] {
        let verifier = try DetachedVerifier(signature: signature, certificates: certificates)
        try verifier.write(data)
        return try verifier.finish()
    }
}
