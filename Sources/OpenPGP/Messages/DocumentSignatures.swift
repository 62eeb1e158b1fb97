import Foundation

/// Making, reading and checking signatures over documents (types 0x00 and 0x01), shared by
/// detached and cleartext signatures.
enum DocumentSignatures {
    /// The signature type for data marked `format`: text signatures for text literal data.
    static func type(for format: LiteralFormat) -> SignatureType {
        format == .binary ? .binary : .text
    }

    /// A key ready to sign, the hash it signs with, and the salt of its v6 signature (empty
    /// for a v4 key): chosen up front, as a v6 one-pass signature names it before the data.
    struct Signer {
        let key: SigningKey
        let hash: HashAlgorithm
        let salt: [UInt8]

        /// A context for the signed data, the salt already hashed.
        func makeHashContext() throws -> HashContext { try HashContext(hash, salt: salt) }
    }

    /// The keys of `signers` that may sign at `date`, each with its hash: `options.hash`, or
    /// with `ensureValidSignatureHash` one that fits a DSA or ECDSA key. A v6 or native EdDSA
    /// key always gets a hash it may use (RFC 9580 §5.2.3.4–5): SHA-256, or SHA-512 for Ed448,
    /// in place of a weaker one.
    static func signers(_ signers: [SecretKey], options: MessageOptions, at date: Date) throws -> [Signer] {
        try signers.map { secretKey in
            let key = try secretKey.signingKey(at: date)
            let requested = options.hash ?? .sha256
            var hash = options.ensureValidSignatureHash ? key.signatureHash(requested: requested) : requested
            if !hash.isAllowed(for: key.publicKey) { hash = key.signatureHash(requested: hash) }
            guard hash.isSupported, hash.isAllowed(for: key.publicKey) else {
                throw OpenPGPError(.unsupportedAlgorithm, "hash algorithm \(hash) is not supported")
            }
            let salt = key.publicKey.version == 6 ? secureRandomBytes(hash.v6SaltSize ?? 0) : []
            return Signer(key: key, hash: hash, salt: salt)
        }
    }

    /// Completes the signature of `signer` over the data hashed into `context` (made by
    /// ``Signer/makeHashContext()``), with the same subpackets as inline signatures: creation
    /// time and issuer fingerprint (hashed), issuer key ID (unhashed, v4 only).
    static func sign(
        with signer: Signer, type: SignatureType, creationTime: UInt32, context: HashContext,
        extraHashedSubpackets: [Subpacket] = []
    ) throws -> SignaturePacket {
        let template = try signer.key.makeTemplate(
            type: type, hash: signer.hash, creationTime: creationTime, extraHashedSubpackets: extraHashedSubpackets,
            salt: signer.salt)
        return try signer.key.finish(template: template, context: context)
    }

    /// One signature read from a signature block.
    enum Parsed {
        /// A version 4 or 6 signature, to be checked.
        case signature(SignaturePacket)
        /// A signature this engine cannot check (versions 3 and 5): its result is known.
        case unsupported(SignatureVerification)
    }

    /// Reads a block of signature packets (a detached signature, or the signatures of a
    /// cleartext message), armored or binary. Marker and padding packets are skipped; any
    /// other packet, or no signature at all, is an error.
    static func parse(_ input: [UInt8]) throws -> [Parsed] {
        let packets = try PacketFraming.parse(try Armor.decodeIfArmored(input))
        var signatures: [Parsed] = []
        for packet in packets {
            switch packet.tag {
            case .marker, .padding:
                continue
            case .signature:
                signatures.append(try parseSignature(packet))
            default:
                throw OpenPGPError(
                    .unexpectedPacket, "a \(packet.tag) packet is not expected among signatures", offset: packet.offset,
                    packetTag: packet.tag.rawValue)
            }
        }
        guard !signatures.isEmpty else { throw OpenPGPError(.malformedMessage, "the input contains no signature") }
        return signatures
    }

    private static func parseSignature(_ packet: RawPacket) throws -> Parsed {
        let body = packet.body
        func unsupported(
            version: UInt8, type: UInt8, publicKey: UInt8, hash: UInt8, keyID: KeyID? = nil, created: UInt32? = nil
        ) -> Parsed {
            .unsupported(
                SignatureVerification(
                    status: .unsupported, detail: "version \(version) signatures are not supported", issuerKeyID: keyID,
                    signerFingerprint: nil, signingKeyFingerprint: nil,
                    creationDate: created.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                    hashAlgorithm: HashAlgorithm(rawValue: hash),
                    publicKeyAlgorithm: PublicKeyAlgorithm(rawValue: publicKey),
                    signatureType: SignatureType(rawValue: type)))
        }
        switch body.first {
        case 3 where body.count >= 17 && body[1] == 5:
            // version, 5, type, creation time (4), key ID (8), public-key and hash algorithms.
            let created = body[3..<7].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return unsupported(
                version: 3, type: body[2], publicKey: body[15], hash: body[16],
                keyID: KeyID(bytes: Array(body[7..<15])),
                created: created)
        case 5 where body.count >= 4:
            return unsupported(version: 5, type: body[1], publicKey: body[2], hash: body[3])
        default:
            return .signature(try SignaturePacket(body: body, offset: packet.bodyOffset))
        }
    }

    /// The certificate and key that made `signature`, among `certificates`.
    static func issuer(of signature: SignaturePacket, in certificates: [Certificate]) -> (Certificate, KeyComponent)? {
        for certificate in certificates {
            if let fingerprint = signature.issuerFingerprint, let component = certificate.component(with: fingerprint) {
                return (certificate, component)
            }
            if let keyID = signature.issuerKeyID, let component = certificate.component(with: keyID) {
                return (certificate, component)
            }
        }
        return nil
    }

    /// Checks `signature` over the data hashed into `context` (nil when its hash algorithm is
    /// not available). Good only if the signature is valid and its key could sign at the time
    /// the signature claims to have been made.
    static func verify(
        _ signature: SignaturePacket, context: HashContext?, certificates: [Certificate]
    ) -> SignatureVerification {
        guard signature.type == .binary || signature.type == .text else {
            return SignatureVerification(.bad, "signature type \(signature.type) does not sign a document", signature)
        }
        guard let (certificate, component) = issuer(of: signature, in: certificates) else {
            return SignatureVerification(
                .missingKey, "no certificate for key \(signature.issuerKeyID?.hex ?? "unknown") was given", signature)
        }
        func result(_ status: SignatureVerification.Status, _ detail: String) -> SignatureVerification {
            SignatureVerification(status, detail, signature, certificate: certificate, key: component)
        }
        guard let context else {
            return result(.unsupported, "hash algorithm \(signature.hashAlgorithm) is not supported")
        }
        do {
            guard try signature.verify(by: component.packet, context: context) else {
                return result(.bad, "the signature does not match the data")
            }
        } catch let error as OpenPGPError {
            return result(error.code == .unsupportedAlgorithm ? .unsupported : .bad, error.message)
        } catch {
            return result(.bad, "\(error)")
        }
        let signedAt = signature.creationTime.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? .distantPast
        guard certificate.signingKeys(at: signedAt).contains(component) else {
            return result(.unusableKey, "key \(component.fingerprint) was not valid for signing at \(signedAt)")
        }
        return result(.good, "good signature")
    }
}

extension SignatureVerification {
    /// The result for `signature`, with the certificate and key that made it when known.
    init(
        _ status: Status, _ detail: String, _ signature: SignaturePacket, certificate: Certificate? = nil,
        key: KeyComponent? = nil
    ) {
        self.init(
            status: status, detail: detail, issuerKeyID: signature.issuerKeyID,
            signerFingerprint: certificate?.fingerprint,
            signingKeyFingerprint: key?.fingerprint,
            creationDate: signature.creationTime.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            hashAlgorithm: signature.hashAlgorithm, publicKeyAlgorithm: signature.publicKeyAlgorithm,
            signatureType: signature.type)
    }

    /// A copy with another status and explanation.
    func with(_ status: Status, _ detail: String) -> SignatureVerification {
        SignatureVerification(
            status: status, detail: detail, issuerKeyID: issuerKeyID, signerFingerprint: signerFingerprint,
            signingKeyFingerprint: signingKeyFingerprint, creationDate: creationDate, hashAlgorithm: hashAlgorithm,
            publicKeyAlgorithm: publicKeyAlgorithm, signatureType: signatureType)
    }
}
