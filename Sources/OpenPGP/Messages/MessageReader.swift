import Foundation

/// Reads an OpenPGP message from a stream: dearmors, decrypts, inflates and checks
/// signatures in one pass and bounded memory. The plaintext goes to a ``PlaintextSink``
/// that is committed only after every integrity check passed.
struct MessageReader {
    let secretKeys: [SecretKey]
    let passphrases: [SecureBytes]
    let certificates: [Certificate]
    let limits: DecompressionLimits
    /// Session keys to try before any key or passphrase.
    var sessionKeys: [SessionKey] = []
    /// Whether the report may carry the session key.
    var revealSessionKey = false
    /// Bounds on the SKESK packets and S2K work passphrases may cost.
    var sessionKeyLimits = SessionKeyLimits()

    func read(from source: ByteSource, to sink: PlaintextSink) throws -> MessageReadReport {
        do {
            let report = try readUncommitted(from: source, to: sink)
            try sink.commit()
            return report
        } catch {
            sink.discard()
            throw error
        }
    }

    private func readUncommitted(from source: ByteSource, to sink: PlaintextSink) throws -> MessageReadReport {
        let raw = BufferedSource(source)
        guard let first = try raw.peekByte() else { throw OpenPGPError(.malformedMessage, "the input is empty") }
        // Binary OpenPGP starts with a packet header (high bit set); anything else is armor.
        let binary = first & 0x80 != 0 ? raw : BufferedSource(DearmoringSource(raw))
        var state = ReadState(sink: sink, budget: DecompressionBudget(limits))
        try readLevel(PacketStream(binary), depth: 0, state: &state)
        guard let literal = state.literal else {
            throw OpenPGPError(.malformedMessage, "the message contains no literal data")
        }
        let verifications = try state.signatures.map { try verify($0, hashes: state.hashes) }
        return MessageReadReport(
            literalFormat: literal.format, fileName: literal.fileName, literalDate: literal.date,
            symmetricAlgorithm: state.cipher, decryptionKey: state.decryptionKey,
            decryptedWithPassphrase: state.decryptedWithPassphrase, compression: state.compression,
            signatures: verifications, sessionKey: revealSessionKey ? state.sessionKey : nil,
            signaturePackets: state.signatures.flatMap(\.serialized))
    }

    private struct LiteralHeader {
        let format: LiteralFormat
        let fileName: String
        let date: Date?
    }

    /// A hash of the literal data for one algorithm, binary or text (CRLF-canonical), and
    /// salt (v6 signatures hash their own salt first; empty for v4).
    private struct HashKey: Hashable {
        let algorithm: HashAlgorithm
        let text: Bool
        let salt: [UInt8]
    }

    private struct ReadState {
        let sink: PlaintextSink
        /// The decompression account of the whole message, over all layers.
        let budget: DecompressionBudget
        var literal: LiteralHeader?
        /// Signatures in message order: those before the literal data, then those after.
        var signatures: [SignaturePacket] = []
        var onePassCount = 0
        var hashes: [HashKey: HashContext] = [:]
        var cipher: SymmetricAlgorithm?
        var decryptionKey: Fingerprint?
        var decryptedWithPassphrase = false
        var sessionKey: SessionKey?
        var compression: CompressionAlgorithm?

        init(sink: PlaintextSink, budget: DecompressionBudget) {
            self.sink = sink
            self.budget = budget
        }

        mutating func prepareHash(_ algorithm: HashAlgorithm, type: SignatureType, salt: [UInt8]) {
            let key = HashKey(algorithm: algorithm, text: type == .text, salt: salt)
            guard hashes[key] == nil, let context = try? HashContext(algorithm, salt: salt) else { return }
            hashes[key] = context
        }
    }

    /// Walks one level of the message grammar (RFC 9580 §10.3).
    private func readLevel(_ packets: PacketStream, depth: Int, state: inout ReadState) throws {
        guard depth <= limits.maxNestingDepth else {
            throw OpenPGPError(
                .decompressionLimitExceeded, "the message nests containers more than \(limits.maxNestingDepth) deep")
        }
        var sessionKeyPackets: [(tag: PacketTag, body: [UInt8], offset: Int)] = []
        var sawEncryptedData = false
        while let (tag, offset, body) = try packets.next() {
            func unexpected() -> OpenPGPError {
                OpenPGPError(
                    .unexpectedPacket, "a \(tag) packet is not expected here", offset: offset, packetTag: tag.rawValue)
            }
            if sawEncryptedData && tag != .marker && tag != .padding { throw unexpected() }
            switch tag {
            case .marker, .padding:
                continue
            case .publicKeyEncryptedSessionKey, .symmetricKeyEncryptedSessionKey:
                guard state.literal == nil, state.cipher == nil else { throw unexpected() }
                sessionKeyPackets.append((tag, try body.readAll(), body.offset))
            case .symEncryptedIntegrityProtectedData, .aeadEncryptedData:
                guard state.cipher == nil, state.literal == nil, state.onePassCount == 0, state.signatures.isEmpty
                else {
                    throw unexpected()
                }
                let decrypting = try decryptingSource(
                    tag: tag, body: body, offset: offset, sessionKeyPackets: sessionKeyPackets, state: &state)
                do {
                    try readLevel(PacketStream(BufferedSource(decrypting)), depth: depth + 1, state: &state)
                } catch let error as OpenPGPError where error.code != .integrityCheckFailed {
                    // Whatever went wrong inside, modified ciphertext is the more basic
                    // cause: read on to the integrity check, which throws if the data was altered.
                    try drain(decrypting)
                    throw error
                }
                // The inner level read to the end, where the integrity check was made.
                guard decrypting.verified else {
                    throw OpenPGPError(
                        .integrityCheckFailed, "the encrypted data was not read to its integrity check", offset: offset)
                }
                sawEncryptedData = true
            case .symmetricallyEncryptedData:
                throw OpenPGPError(
                    .insecureMessage, "the message uses encryption without integrity protection (SED); it is refused",
                    offset: offset, packetTag: tag.rawValue)
            case .compressedData:
                guard state.literal == nil else { throw unexpected() }
                let algorithm = CompressionAlgorithm(rawValue: try body.readPrefix(1, "the compression algorithm")[0])
                state.compression = state.compression ?? algorithm
                let content = try inflatingSource(
                    algorithm, body: body, offset: offset, budget: state.budget, nested: state.budget.openLayers > 0)
                try state.budget.withLayer(decompressing: algorithm != .uncompressed) {
                    try readLevel(PacketStream(BufferedSource(content)), depth: depth + 1, state: &state)
                }
            case .onePassSignature:
                guard state.literal == nil else { throw unexpected() }
                let onePass = try OnePassSignature(body: try body.readAll(), offset: offset)
                state.prepareHash(onePass.hashAlgorithm, type: onePass.type, salt: onePass.salt)
                state.onePassCount += 1
            case .signature:
                let signature = try SignaturePacket(body: try body.readAll(), offset: body.offset)
                if state.literal == nil {
                    state.prepareHash(signature.hashAlgorithm, type: signature.type, salt: signature.salt)
                }
                state.signatures.append(signature)
            case .literalData:
                guard state.literal == nil else { throw unexpected() }
                state.literal = try readLiteral(body, offset: offset, state: state)
            default:
                throw unexpected()
            }
        }
        if !sessionKeyPackets.isEmpty && !sawEncryptedData {
            throw OpenPGPError(.malformedMessage, "session keys are given but no encrypted data follows")
        }
    }

    /// Streams the literal data into the sink and the signature hashes.
    private func readLiteral(_ body: PacketBodySource, offset: Int, state: ReadState) throws -> LiteralHeader {
        let input = BufferedSource(body)
        let formatByte = try input.readExactly(1, "the literal data format")[0]
        let nameLength = Int(try input.readExactly(1, "the file name length")[0])
        let name = try input.readExactly(nameLength, "the file name")
        let time = try input.readExactly(4, "the literal date")
        let seconds = UInt32(time[0]) << 24 | UInt32(time[1]) << 16 | UInt32(time[2]) << 8 | UInt32(time[3])
        let binaryHashes = state.hashes.filter { !$0.key.text }.map(\.value)
        let textHashes = state.hashes.filter(\.key.text).map(\.value)
        var binary = DocumentHasher(contexts: binaryHashes, textMode: false)
        var text = DocumentHasher(contexts: textHashes, textMode: true)
        try input.forEachChunk { data in
            binary.update(data)
            text.update(data)
            try state.sink.write(data)
        }
        return LiteralHeader(
            format: LiteralFormat(rawValue: formatByte) ?? .binary, fileName: String(decoding: name, as: UTF8.self),
            date: seconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The content of a Compressed Data packet; `nested` when the packet was itself decompressed.
    private func inflatingSource(
        _ algorithm: CompressionAlgorithm, body: ByteSource, offset: Int, budget: DecompressionBudget, nested: Bool
    ) throws -> ByteSource {
        switch algorithm {
        case .uncompressed: body
        case .zip, .zlib:
            try ZlibInflatingSource(body: body, raw: algorithm == .zip, budget: budget, nested: nested, offset: offset)
        case .bzip2: try BZip2InflatingSource(body: body, budget: budget, nested: nested, offset: offset)
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm, "compression algorithm \(algorithm) is not supported yet", offset: offset,
                packetTag: PacketTag.compressedData.rawValue)
        }
    }

    // MARK: Encrypted data

    /// The decrypting source of an encrypted data packet whose body starts at its version:
    /// SEIPDv1 (CFB and MDC), SEIPDv2 (chunked AEAD, RFC 9580 §5.13.2), or GnuPG's AEAD
    /// Encrypted Data packet (tag 20, read only). Records the cipher and session key in `state`.
    private func decryptingSource(
        tag: PacketTag, body: PacketBodySource, offset: Int,
        sessionKeyPackets: [(tag: PacketTag, body: [UInt8], offset: Int)], state: inout ReadState
    ) throws -> AuthenticatedSource {
        let version = try body.readPrefix(1, "the \(tag) version")[0]
        switch (tag, version) {
        case (.symEncryptedIntegrityProtectedData, 1):
            let (sessionKey, ciphertext) = try chooseSessionKey(sessionKeyPackets, body: body, state: &state)
            let decrypting = try SEIPDv1Source(
                body: ciphertext, algorithm: sessionKey.algorithm, sessionKey: sessionKey.key, packetOffset: offset)
            state.cipher = sessionKey.algorithm
            state.sessionKey = sessionKey
            return decrypting
        case (.symEncryptedIntegrityProtectedData, 2):
            let fields = try body.readPrefix(3 + SEIPDv2Stage.saltSize, "the SEIPDv2 header")
            let header = try AEADPacketHeader(fields, tag: tag, offset: offset)
            let salt = Array(fields[3...])
            return try chunkedSource(
                header, body: body, offset: offset, sessionKeyPackets: sessionKeyPackets, state: &state
            ) { key in
                try .seipdV2(
                    sessionKey: key, cipher: header.cipher, mode: header.mode, chunkSizeOctet: header.chunkSizeOctet,
                    salt: salt)
            }
        case (.aeadEncryptedData, 1):
            let header = try AEADPacketHeader(
                try body.readPrefix(3, "the AEAD packet header"), tag: tag, offset: offset)
            let iv = try body.readPrefix(header.nonceSize, "the AEAD packet IV")
            return try chunkedSource(
                header, body: body, offset: offset, sessionKeyPackets: sessionKeyPackets, state: &state
            ) { key in
                AEADChunkSchedule(
                    layout: .librePGP, cipher: try AEADCipher(header.mode, algorithm: header.cipher, key: key),
                    header: [0xC0 | tag.rawValue, version] + header.octets, iv: iv,
                    chunkSizeOctet: header.chunkSizeOctet)
            }
        default:
            throw OpenPGPError(
                .unsupportedVersion, "\(tag) version \(version) is not supported", offset: offset,
                packetTag: tag.rawValue)
        }
    }

    /// The decrypting source of chunked AEAD data, with the first session key that opens its
    /// first chunk. The cipher comes from the packet header, so session keys are taken by
    /// their bytes: given ones, the PKESK's, or those of v6 SKESKs (v4 or v5 for GnuPG's packet).
    private func chunkedSource(
        _ header: AEADPacketHeader, body: PacketBodySource, offset: Int,
        sessionKeyPackets packets: [(tag: PacketTag, body: [UInt8], offset: Int)], state: inout ReadState,
        schedule: (SecureBytes) throws -> AEADChunkSchedule
    ) throws -> SEIPDv2Source {
        let cipher = header.cipher
        func forThisCipher(_ key: SessionKey) -> SessionKey? {
            key.key.count == cipher.keySize ? try? SessionKey(algorithm: cipher, key: key.key) : nil
        }
        var fromPassphrase = false
        var candidates: [SessionKey]
        if !sessionKeys.isEmpty {
            candidates = sessionKeys.compactMap(forThisCipher)
        } else if let certain = try publicKeySessionKey(
            packets, for: header.tag == .symEncryptedIntegrityProtectedData ? .seipdV2(cipher) : .gnupgAEAD(cipher),
            state: &state)
        {
            guard let key = forThisCipher(certain) else {
                throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
            }
            candidates = [key]
        } else {
            let skesks = packets.filter { $0.tag == .symmetricKeyEncryptedSessionKey }.map {
                (body: $0.body, offset: $0.offset)
            }
            candidates = try SKESK.sessionKeys(
                skesks, passphrases: passphrases, limits: sessionKeyLimits,
                for: header.tag == .symEncryptedIntegrityProtectedData ? .seipdV2(cipher) : .gnupgAEAD(cipher)
            ).compactMap(forThisCipher)
            fromPassphrase = true
        }
        guard !candidates.isEmpty else { throw noSessionKey(packets) }
        // Each candidate is tried on the first chunk, read once (at most 4 MiB and 33 bytes).
        let prefix = try readAll(
            LimitedSource(body, limit: SEIPDv2Source.lookahead(chunkSize: header.chunkSize)), what: "the first chunk")
        var failure: OpenPGPError?
        for candidate in candidates {
            let source = SEIPDv2Source(
                body: ConcatenatedSource(prefix, body), schedule: try schedule(candidate.key), packetOffset: offset,
                packetTag: header.tag)
            do {
                try source.authenticateFirstChunk()
            } catch let error as OpenPGPError where error.code == .integrityCheckFailed {
                failure = error
                continue
            }
            state.cipher = cipher
            state.sessionKey = candidate
            state.decryptedWithPassphrase = fromPassphrase
            return source
        }
        throw failure ?? OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
    }

    // MARK: Session keys

    /// The session key for the SEIPD packet `body`, and the source of its ciphertext.
    ///
    /// A key from a PKESK is certain (its checksum and padding were checked). Keys from
    /// passphrases are only plausible — a wrong passphrase yields a random key whose first
    /// byte looks like a cipher one time in fifty — so they must also pass the "quick check"
    /// of the random prefix's repeated bytes. (That check is an oracle only for public-key
    /// session keys, which never rely on it here.)
    private func chooseSessionKey(
        _ packets: [(tag: PacketTag, body: [UInt8], offset: Int)], body: ByteSource, state: inout ReadState
    ) throws -> (SessionKey, ByteSource) {
        if let given = sessionKeys.first, sessionKeys.count == 1 { return (given, body) }
        if sessionKeys.isEmpty, let certain = try publicKeySessionKey(packets, for: .seipdV1, state: &state) {
            return (certain, body)
        }
        let candidates = sessionKeys.isEmpty ? try passphraseSessionKeys(packets) : sessionKeys
        guard !candidates.isEmpty else { throw noSessionKey(packets) }
        let blockSizes = Set(candidates.compactMap(\.algorithm.blockSize))
        let prefix = try readAll(LimitedSource(body, limit: (blockSizes.max() ?? 16) + 2), what: "the encrypted prefix")
        for candidate in candidates where try quickCheck(candidate, ciphertext: prefix) {
            if sessionKeys.isEmpty { state.decryptedWithPassphrase = true }
            return (candidate, ConcatenatedSource(prefix, body))
        }
        throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
    }

    /// The session key from the first PKESK one of the secret keys opens, nil if none is
    /// addressed to them. Every failure to open one is the same `decryptionFailed` error.
    private func publicKeySessionKey(
        _ packets: [(tag: PacketTag, body: [UInt8], offset: Int)], for container: SKESK.Container,
        state: inout ReadState
    ) throws -> SessionKey? {
        var sawMatchingKey = false
        var lastError: OpenPGPError?
        var attempts = 0
        for packet in packets where packet.tag == .publicKeyEncryptedSessionKey {
            // RFC 9580 §10.3.2.1: v3 PKESKs go with SEIPDv1 (and GnuPG's AEAD packet), v6 ones
            // with SEIPDv2; others, and versions this engine does not know, are skipped.
            guard let pkesk = try? PKESK.parse(body: packet.body, offset: packet.offset),
                pkesk.version == container.pkeskVersion
            else { continue }
            for secretKey in secretKeys {
                for component in secretKey.certificate.components where pkesk.isAddressed(to: component) {
                    sawMatchingKey = true
                    guard attempts < sessionKeyLimits.maxPublicKeyAttempts else {
                        throw OpenPGPError(
                            .workLimitExceeded,
                            "the message asks for more than \(sessionKeyLimits.maxPublicKeyAttempts) private-key operations to find its session key"
                        )
                    }
                    attempts += 1
                    do {
                        let secret = try secretKey.secretParameters(for: component)
                        let (named, key) = try pkesk.decrypt(with: secret, key: component.packet)
                        guard let cipher = named ?? container.cipher else {
                            throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
                        }
                        state.decryptionKey = component.fingerprint
                        return try SessionKey(algorithm: cipher, key: key)
                    } catch let error as OpenPGPError {
                        lastError = error
                    }
                }
            }
        }
        if let lastError, lastError.code == .passphraseRequired || lastError.code == .unsupportedAlgorithm {
            throw lastError
        }
        let hasPassphraseRoute = !passphrases.isEmpty && packets.contains { $0.tag == .symmetricKeyEncryptedSessionKey }
        if sawMatchingKey && !hasPassphraseRoute {
            throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        }
        return nil
    }

    /// Every plausible session key the passphrases give for the SKESK packets, within ``sessionKeyLimits``.
    private func passphraseSessionKeys(_ packets: [(tag: PacketTag, body: [UInt8], offset: Int)]) throws -> [SessionKey]
    {
        let skesks = packets.filter { $0.tag == .symmetricKeyEncryptedSessionKey }.map {
            (body: $0.body, offset: $0.offset)
        }
        return try SKESK.sessionKeys(skesks, passphrases: passphrases, limits: sessionKeyLimits)
    }

    private func noSessionKey(_ packets: [(tag: PacketTag, body: [UInt8], offset: Int)]) -> OpenPGPError {
        let addressed = packets.contains { $0.tag == .symmetricKeyEncryptedSessionKey } && !passphrases.isEmpty
        return addressed
            ? OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
            : OpenPGPError(.noSuitableKey, "the message is not encrypted to any of the given keys or passphrases")
    }

    /// Whether the first block of plaintext repeats its last two bytes, as the prefix must.
    private func quickCheck(_ candidate: SessionKey, ciphertext: [UInt8]) throws -> Bool {
        guard let blockSize = candidate.algorithm.blockSize, ciphertext.count >= blockSize + 2 else { return false }
        var plain = try CFBCipher(candidate.algorithm, key: candidate.key, encrypting: false).update(
            Array(ciphertext.prefix(blockSize + 2)))
        defer { wipe(&plain) }
        return plain[blockSize - 2] == plain[blockSize] && plain[blockSize - 1] == plain[blockSize + 1]
    }

    // MARK: Signatures

    private func verify(_ signature: SignaturePacket, hashes: [HashKey: HashContext]) throws -> SignatureVerification {
        let key = HashKey(algorithm: signature.hashAlgorithm, text: signature.type == .text, salt: signature.salt)
        let context = try hashes[key]?.copy()
        let result = DocumentSignatures.verify(signature, context: context, certificates: certificates)
        if context == nil && result.status == .unsupported && signature.hashAlgorithm.isSupported {
            return result.with(
                .unsupported, "the signature's hash \(signature.hashAlgorithm) was not announced before the data")
        }
        return result
    }
}
