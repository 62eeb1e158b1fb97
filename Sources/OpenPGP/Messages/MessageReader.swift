import Foundation

/// Reads an OpenPGP message: decrypts, inflates and checks signatures. Plaintext is only
/// returned once the integrity check of the encrypted container has passed.
struct MessageReader {
    let secretKeys: [SecretKey]
    let certificates: [Certificate]
    let limits: DecompressionLimits

    func read(_ input: [UInt8]) throws -> DecryptedMessage {
        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(input))
        var state = ReadState()
        try readSequence(packets, depth: 0, state: &state)
        guard let literal = state.literal else {
            throw OpenPGPError(.malformedMessage, "the message contains no literal data")
        }
        let verifications = try state.signatures.map { try verify($0, data: literal.data) }
        return DecryptedMessage(
            data: literal.data, literalFormat: literal.format, fileName: literal.fileName, literalDate: literal.date,
            symmetricAlgorithm: state.cipher, decryptionKey: state.decryptionKey, compression: state.compression,
            signatures: verifications)
    }

    private struct Literal {
        let format: LiteralFormat
        let fileName: String
        let date: Date?
        let data: [UInt8]
    }

    private struct ReadState {
        var literal: Literal?
        var signatures: [SignaturePacket] = []
        var onePassCount = 0
        var cipher: SymmetricAlgorithm?
        var decryptionKey: Fingerprint?
        var compression: CompressionAlgorithm?
    }

    /// Walks one level of the message grammar (RFC 9580 §10.3).
    private func readSequence(_ packets: [RawPacket], depth: Int, state: inout ReadState) throws {
        guard depth <= limits.maxNestingDepth else {
            throw OpenPGPError(.decompressionLimitExceeded, "the message nests containers more than \(limits.maxNestingDepth) deep")
        }
        var sessionKeyPackets: [RawPacket] = []
        for packet in packets {
            switch packet.tag {
            case .marker, .padding:
                continue
            case .publicKeyEncryptedSessionKey, .symmetricKeyEncryptedSessionKey:
                sessionKeyPackets.append(packet)
            case .symEncryptedIntegrityProtectedData:
                guard state.cipher == nil, state.literal == nil else { throw unexpected(packet) }
                let (cipher, plaintext, keyFingerprint) = try decrypt(packet, sessionKeyPackets: sessionKeyPackets)
                state.cipher = cipher
                state.decryptionKey = keyFingerprint
                try readSequence(try PacketFraming.parse(plaintext), depth: depth + 1, state: &state)
            case .symmetricallyEncryptedData:
                throw OpenPGPError(.insecureMessage, "the message uses encryption without integrity protection (SED); it is refused", offset: packet.offset, packetTag: packet.tag.rawValue)
            case .compressedData:
                guard state.literal == nil else { throw unexpected(packet) }
                let (algorithm, inner) = try Decompression.inflate(packet.body, limits: limits, offset: packet.bodyOffset)
                state.compression = state.compression ?? algorithm
                try readSequence(try PacketFraming.parse(inner), depth: depth + 1, state: &state)
            case .onePassSignature:
                guard state.literal == nil else { throw unexpected(packet) }
                state.onePassCount += 1
            case .signature:
                state.signatures.append(try SignaturePacket(body: packet.body, offset: packet.bodyOffset))
            case .literalData:
                guard state.literal == nil else { throw unexpected(packet) }
                state.literal = try parseLiteral(packet)
            default:
                throw unexpected(packet)
            }
        }
        if depth == 0, !sessionKeyPackets.isEmpty, state.cipher == nil {
            throw OpenPGPError(.malformedMessage, "session keys are given but no encrypted data follows")
        }
    }

    private func unexpected(_ packet: RawPacket) -> OpenPGPError {
        OpenPGPError(.unexpectedPacket, "a \(packet.tag) packet is not expected here", offset: packet.offset, packetTag: packet.tag.rawValue)
    }

    private func parseLiteral(_ packet: RawPacket) throws -> Literal {
        var reader = ByteReader(packet.body, baseOffset: packet.bodyOffset, packetTag: packet.tag.rawValue)
        let formatByte = try reader.readByte("the literal data format")
        let format = LiteralFormat(rawValue: formatByte) ?? .binary
        let nameLength = Int(try reader.readByte("the file name length"))
        let name = try reader.readBytes(nameLength, "the file name")
        let time = try reader.readUInt32("the literal date")
        return Literal(
            format: format, fileName: String(decoding: name, as: UTF8.self),
            date: time == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(time)), data: reader.readRest())
    }

    // MARK: Decryption

    private func decrypt(_ packet: RawPacket, sessionKeyPackets: [RawPacket]) throws -> (SymmetricAlgorithm, [UInt8], Fingerprint?) {
        guard packet.body.first == 1 else {
            throw OpenPGPError(.unsupportedVersion, "SEIPD version \(packet.body.first ?? 0) is not supported yet", offset: packet.offset, packetTag: packet.tag.rawValue)
        }
        let (cipher, sessionKey, fingerprint) = try recoverSessionKey(sessionKeyPackets)
        guard let blockSize = cipher.blockSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "symmetric algorithm \(cipher) is not supported")
        }
        let ciphertext = Array(packet.body.dropFirst())
        var plaintext = try CFBCipher(cipher, key: sessionKey, encrypting: false).update(ciphertext)
        // prefix (block + 2) and the 22-byte MDC packet at least.
        guard plaintext.count >= blockSize + 2 + 22 else {
            wipe(&plaintext)
            throw OpenPGPError(.integrityCheckFailed, "encrypted data is too short to carry its integrity check", offset: packet.offset)
        }
        let mdcStart = plaintext.count - 22
        let context = try HashContext(.sha1)
        plaintext.withUnsafeBytes { context.update(UnsafeRawBufferPointer(rebasing: $0[0..<(mdcStart + 2)])) }
        let expected = context.finalize()
        guard plaintext[mdcStart] == 0xD3, plaintext[mdcStart + 1] == 0x14,
            SecureBytes(expected) == SecureBytes(plaintext[(mdcStart + 2)...])
        else {
            wipe(&plaintext)
            throw OpenPGPError(.integrityCheckFailed, "the encrypted data was modified (MDC mismatch); no plaintext is released", offset: packet.offset, packetTag: packet.tag.rawValue)
        }
        let inner = Array(plaintext[(blockSize + 2)..<mdcStart])
        wipe(&plaintext)
        return (cipher, inner, fingerprint)
    }

    private func recoverSessionKey(_ packets: [RawPacket]) throws -> (SymmetricAlgorithm, SecureBytes, Fingerprint?) {
        var sawMatchingKey = false
        var lastError: OpenPGPError?
        for packet in packets where packet.tag == .publicKeyEncryptedSessionKey {
            var reader = ByteReader(packet.body, baseOffset: packet.bodyOffset, packetTag: packet.tag.rawValue)
            let version = try reader.readByte("the PKESK version")
            guard version == 3 else { continue }
            let keyID = KeyID(bytes: try reader.readBytes(8, "the recipient key ID"))
            let algorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the PKESK algorithm"))
            let fields = reader.readRest()
            for secretKey in secretKeys {
                let candidates = secretKey.certificate.components.filter {
                    $0.algorithm == algorithm && (keyID == .wildcard || $0.keyID == keyID)
                }
                for component in candidates {
                    sawMatchingKey = true
                    do {
                        let secret = try secretKey.secretParameters(for: component)
                        let (cipher, key) = try SessionKeyCrypto.decrypt(fields: fields, with: secret, key: component.packet)
                        return (cipher, key, component.fingerprint)
                    } catch let error as OpenPGPError {
                        lastError = error
                    }
                }
            }
        }
        if let lastError, lastError.code == .passphraseRequired || lastError.code == .unsupportedAlgorithm { throw lastError }
        if sawMatchingKey { throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted") }
        throw OpenPGPError(.noSuitableKey, "the message is not encrypted to any of the given keys")
    }

    // MARK: Signatures

    private func verify(_ signature: SignaturePacket, data: [UInt8]) throws -> SignatureVerification {
        let issuer = signature.issuerKeyID
        func result(_ status: SignatureVerification.Status, _ detail: String, certificate: Certificate? = nil, key: KeyComponent? = nil) -> SignatureVerification {
            SignatureVerification(
                status: status, detail: detail, issuerKeyID: issuer, signerFingerprint: certificate?.fingerprint,
                signingKeyFingerprint: key?.fingerprint,
                creationDate: signature.creationTime.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                hashAlgorithm: signature.hashAlgorithm, publicKeyAlgorithm: signature.publicKeyAlgorithm, signatureType: signature.type)
        }
        guard signature.type == .binary || signature.type == .text else {
            return result(.bad, "signature type \(signature.type) does not sign a document")
        }
        let match: (Certificate, KeyComponent)? = certificates.lazy.compactMap { certificate -> (Certificate, KeyComponent)? in
            if let fingerprint = signature.issuerFingerprint, let component = certificate.component(with: fingerprint) {
                return (certificate, component)
            }
            if let issuer, let component = certificate.component(with: issuer) { return (certificate, component) }
            return nil
        }.first
        guard let (certificate, component) = match else {
            return result(.missingKey, "no certificate for key \(issuer?.hex ?? "unknown") was given")
        }
        let valid: Bool
        do {
            valid = try signature.verify(by: component.packet) { context in
                if signature.type == .text {
                    context.update(canonicalTextForSigning(data))
                } else {
                    context.update(data)
                }
            }
        } catch let error as OpenPGPError where error.code == .unsupportedAlgorithm {
            return result(.unsupported, error.detail, certificate: certificate, key: component)
        }
        guard valid else { return result(.bad, "the signature does not match the data", certificate: certificate, key: component) }
        let signedAt = signature.creationTime.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date.distantPast
        guard certificate.signingKeys(at: signedAt).contains(component) else {
            return result(.unusableKey, "key \(component.fingerprint) was not valid for signing at \(signedAt)", certificate: certificate, key: component)
        }
        return result(.good, "good signature", certificate: certificate, key: component)
    }
}

/// Text signatures hash the data with every line ending as CRLF.
func canonicalTextForSigning(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(data.count + data.count / 40)
    var previous: UInt8 = 0
    for byte in data {
        if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
        out.append(byte)
        previous = byte
    }
    return out
}
