/// Encrypting and recovering session keys for PKESK packets, per algorithm.
enum SessionKeyCrypto {
    /// The algorithm-specific fields of a PKESK for `key`: v3 with the message's `cipher`
    /// named with the session key, v6 (`cipher` nil) without it.
    static func encrypt(sessionKey: SecureBytes, cipher: SymmetricAlgorithm?, to key: PublicKeyPacket) throws -> [UInt8]
    {
        switch key.parameters {
        case .x25519, .x448:
            return try NativeKeyAgreement(key)?.encrypt(sessionKey: sessionKey, cipher: cipher) ?? []
        case .ecdh(.curve25519, let point, let kdfHash, let kdfCipher):
            guard point.count == 33, point[0] == 0x40 else {
                throw OpenPGPError(.malformedPacket, "key \(key.fingerprint) has a malformed Curve25519 point")
            }
            // One libcrypto key for the ephemeral scalar: making it derives the public point.
            let ephemeral = try X25519.privateKey(secret: X25519.generateSecret())
            let ephemeralPublic = try X25519.publicKey(of: ephemeral)
            let shared = try X25519.sharedSecret(key: ephemeral, peerPublicKey: Array(point.dropFirst()))
            return try ecdhFields(
                ephemeralPoint: [0x40] + ephemeralPublic, shared: shared, sessionKey: sessionKey, cipher: cipher,
                key: key,
                kdfHash: kdfHash, kdfCipher: kdfCipher)
        case .ecdh(let curve, let point, let kdfHash, let kdfCipher) where key.algorithm == .ecdh:
            let group = try WeierstrassCurve(curve)
            do {
                _ = try group.publicKey(point)
            } catch let error as OpenPGPError where error.code == .malformedPacket {
                throw OpenPGPError(.malformedPacket, "key \(key.fingerprint) has a malformed \(curve) point")
            }
            let (ephemeral, ephemeralPoint) = try group.generate()
            let shared = try group.sharedSecret(scalar: ephemeral, point: ephemeralPoint, peer: point)
            return try ecdhFields(
                ephemeralPoint: ephemeralPoint, shared: shared, sessionKey: sessionKey, cipher: cipher, key: key,
                kdfHash: kdfHash, kdfCipher: kdfCipher)
        case .rsa(let n, let e) where key.algorithm != .rsaSignOnly && key.algorithm.isRSA:
            do {
                try RSAPrimitives.validatePublic(n: n, e: e)
            } catch {
                let reason = (error as? OpenPGPError).map { ": \($0.message)" } ?? ""
                throw OpenPGPError(.malformedPacket, "key \(key.fingerprint) has malformed RSA parameters\(reason)")
            }
            var message = encodeSessionKey(sessionKey, cipher: cipher)
            defer { wipe(&message) }
            var block = try EMEPKCS1.encode(message, size: (key.bitLength + 7) / 8)
            defer { wipe(&block) }
            var fields: [UInt8] = []
            try fields.appendMPI(try RSAPrimitives.encryptRaw(block, n: n, e: e))
            return fields
        case .elgamal(let p, let g, let y) where key.algorithm == .elgamalEncryptOnly:
            var message = encodeSessionKey(sessionKey, cipher: cipher)
            defer { wipe(&message) }
            var block = try EMEPKCS1.encode(message, size: (key.bitLength + 7) / 8)
            defer { wipe(&block) }
            let (c1, c2): ([UInt8], [UInt8])
            do {
                (c1, c2) = try ElGamal.encrypt(block, p: p, g: g, y: y)
            } catch let error as OpenPGPError where error.code == .malformedPacket {
                throw OpenPGPError(
                    .malformedPacket, "key \(key.fingerprint) has malformed ElGamal parameters: \(error.message)")
            }
            var fields: [UInt8] = []
            try fields.appendMPI(c1)
            try fields.appendMPI(c2)
            return fields
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm,
                "encrypting to \(key.algorithm) keys\(key.curve.map { " on \($0)" } ?? "") is not supported")
        }
    }

    /// Recovers `(cipher, session key)` from v3 PKESK fields. Every failure is the same
    /// `decryptionFailed` error, so the result is no padding or key-wrap oracle.
    static func decrypt(
        fields: [UInt8], with secret: SecretParameters, key: PublicKeyPacket
    ) throws -> (SymmetricAlgorithm, SecureBytes) {
        let (cipher, sessionKey) = try decrypt(fields: fields, with: secret, key: key, namesCipher: true)
        guard let cipher else { throw OpenPGPError(.decryptionFailed, "the session key could not be decrypted") }
        return (cipher, sessionKey)
    }

    /// Recovers the session key from PKESK fields, and the cipher when `namesCipher` (v3;
    /// v6 PKESKs leave the cipher to the encrypted data). Every failure is the same
    /// `decryptionFailed` error.
    static func decrypt(
        fields: [UInt8], with secret: SecretParameters, key: PublicKeyPacket, namesCipher: Bool
    ) throws -> (SymmetricAlgorithm?, SecureBytes) {
        let failure = OpenPGPError(.decryptionFailed, "the session key could not be decrypted")
        var reader = ByteReader(fields)
        switch (secret, key.parameters) {
        case (.native(let scalar, let cache), .x25519), (.native(let scalar, let cache), .x448):
            guard let agreement = NativeKeyAgreement(key) else { throw failure }
            return try agreement.decrypt(fields: fields, secret: scalar, cache: cache, namesCipher: namesCipher)
        case (.curve25519(let scalar, let cache), .ecdh(.curve25519, _, let kdfHash, let kdfCipher)):
            guard let ephemeral = try? reader.readMPI(), ephemeral.count == 33, ephemeral[0] == 0x40,
                let ownKey = try? cache.key({ try X25519.privateKey(secret: scalar) }),
                let shared = try? X25519.sharedSecret(key: ownKey, peerPublicKey: Array(ephemeral.dropFirst()))
            else { throw failure }
            return try ecdhUnwrap(
                &reader, shared: shared, key: key, kdfHash: kdfHash, kdfCipher: kdfCipher, failure: failure,
                namesCipher: namesCipher)
        case (.ecdh(let scalar), .ecdh(let curve, let point, let kdfHash, let kdfCipher)):
            let group = try WeierstrassCurve(curve)
            guard let ephemeral = try? reader.readMPI(),
                let shared = try? group.sharedSecret(scalar: scalar, point: point, peer: ephemeral)
            else { throw failure }
            return try ecdhUnwrap(
                &reader, shared: shared, key: key, kdfHash: kdfHash, kdfCipher: kdfCipher, failure: failure,
                namesCipher: namesCipher)
        case (.rsa(let rsa), .rsa(let n, let e)) where key.algorithm != .rsaSignOnly:
            guard let ciphertext = try? reader.readMPI(), reader.isAtEnd,
                let block = try? RSAPrimitives.decryptRaw(ciphertext, n: n, e: e, secret: rsa)
            else { throw failure }
            return try decodePKCS1(block, failure: failure, namesCipher: namesCipher)
        case (.elgamal(let x), .elgamal(let p, _, _)):
            guard let c1 = try? reader.readMPI(), let c2 = try? reader.readMPI(), reader.isAtEnd,
                let block = try? ElGamal.decrypt(c1: c1, c2: c2, p: p, x: x)
            else { throw failure }
            return try decodePKCS1(block, failure: failure, namesCipher: namesCipher)
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm,
                "decrypting with \(key.algorithm) keys\(key.curve.map { " on \($0)" } ?? "") is not supported")
        }
    }

    /// RFC 6637 §8: `MPI(ephemeral point) || length || AESKeyWrap(KEK, session key, PKCS #5 padded)`.
    private static func ecdhFields(
        ephemeralPoint: [UInt8], shared: SecureBytes, sessionKey: SecureBytes, cipher: SymmetricAlgorithm?,
        key: PublicKeyPacket,
        kdfHash: HashAlgorithm, kdfCipher: SymmetricAlgorithm
    ) throws -> [UInt8] {
        let kek = try ecdhKEK(shared: shared, key: key, kdfHash: kdfHash, kdfCipher: kdfCipher)
        var message = encodeSessionKey(sessionKey, cipher: cipher)
        defer { wipe(&message) }
        // PKCS#5 padding to a multiple of 8 (RFC 6637 §8).
        let padding = 8 - message.count % 8
        message += [UInt8](repeating: UInt8(padding), count: padding)
        let wrapped = try AESKeyWrap.wrap(SecureBytes(message), kek: kek)
        var fields: [UInt8] = []
        try fields.appendMPI(ephemeralPoint)
        try fields.appendOneOctetLengthField(wrapped, "a wrapped session key")
        return fields
    }

    /// Reads the wrapped key after the ephemeral point and unwraps it with the KEK of `shared`.
    private static func ecdhUnwrap(
        _ reader: inout ByteReader, shared: SecureBytes, key: PublicKeyPacket, kdfHash: HashAlgorithm,
        kdfCipher: SymmetricAlgorithm,
        failure: OpenPGPError, namesCipher: Bool
    ) throws -> (SymmetricAlgorithm?, SecureBytes) {
        guard let length = try? reader.readByte(), let wrapped = try? reader.readBytes(Int(length)), reader.isAtEnd,
            let kek = try? ecdhKEK(shared: shared, key: key, kdfHash: kdfHash, kdfCipher: kdfCipher),
            let unwrapped = try? AESKeyWrap.unwrap(wrapped, kek: kek)
        else { throw failure }
        var padded = unwrapped.bytes
        defer { wipe(&padded) }
        guard let last = padded.last, last >= 1, last <= 8, Int(last) < padded.count,
            padded.suffix(Int(last)).allSatisfy({ $0 == last })
        else { throw failure }
        padded.removeLast(Int(last))
        return try decodeSessionKey(padded, failure: failure, namesCipher: namesCipher)
    }

    /// The session key inside a decrypted EME-PKCS1-v1_5 block.
    private static func decodePKCS1(
        _ block: SecureBytes, failure: OpenPGPError, namesCipher: Bool
    ) throws -> (SymmetricAlgorithm?, SecureBytes) {
        var bytes = block.bytes
        defer { wipe(&bytes) }
        guard var message = EMEPKCS1.decode(bytes) else { throw failure }
        defer { wipe(&message) }
        return try decodeSessionKey(message, failure: failure, namesCipher: namesCipher)
    }

    /// `cipher || key || checksum`, the plaintext of v3 PKESK session keys; v6 ones (`cipher`
    /// nil) have no cipher octet.
    static func encodeSessionKey(_ sessionKey: SecureBytes, cipher: SymmetricAlgorithm?) -> [UInt8] {
        sessionKey.withUnsafeBytes { key in (cipher.map { [$0.rawValue] } ?? []) + Array(key) + secretChecksum(key) }
    }

    /// The session key of ``encodeSessionKey(_:cipher:)``'s output. Without a cipher octet
    /// (v6) the key must have an AES key's size (16, 24 or 32 bytes).
    static func decodeSessionKey(
        _ bytes: [UInt8], failure: OpenPGPError, namesCipher: Bool = true
    ) throws -> (SymmetricAlgorithm?, SecureBytes) {
        guard bytes.count >= 3 else { throw failure }
        let cipher = namesCipher ? SymmetricAlgorithm(rawValue: bytes[0]) : nil
        let key = bytes[(namesCipher ? 1 : 0)..<(bytes.count - 2)]
        guard cipher.map({ $0.keySize == key.count }) ?? [16, 24, 32].contains(key.count),
            secretChecksum(key) == Array(bytes.suffix(2))
        else {
            throw failure
        }
        return (cipher, SecureBytes(key))
    }

    /// The RFC 6637 §7 KDF: one hash over a counter, the shared point and the parameters.
    private static func ecdhKEK(
        shared: SecureBytes, key: PublicKeyPacket, kdfHash: HashAlgorithm, kdfCipher: SymmetricAlgorithm
    ) throws -> SecureBytes {
        guard let curve = key.curve else { throw OpenPGPError(.malformedPacket, "ECDH key without a curve") }
        guard let kekSize = kdfCipher.keySize, [SymmetricAlgorithm.aes128, .aes192, .aes256].contains(kdfCipher) else {
            throw OpenPGPError(.unsupportedAlgorithm, "ECDH key-wrap cipher \(kdfCipher) is not supported")
        }
        var parameters: [UInt8] = []
        try parameters.appendOneOctetLengthField(curve.oid, "a curve OID")
        parameters += [key.algorithm.rawValue, 3, 1, kdfHash.rawValue, kdfCipher.rawValue]
        parameters += Array("Anonymous Sender    ".utf8)
        parameters += key.fingerprint.bytes
        let context = try HashContext(kdfHash)
        context.update([0, 0, 0, 1] as [UInt8])
        shared.withUnsafeBytes { context.update($0) }
        context.update(parameters)
        var digest = context.finalize()
        defer { wipe(&digest) }
        guard digest.count >= kekSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "ECDH KDF hash \(kdfHash) is too short for \(kdfCipher)")
        }
        return SecureBytes(digest.prefix(kekSize))
    }
}
