/// Creating and checking the cryptographic value of signatures, per algorithm.
enum SignatureCrypto {
    /// Checks `values` over `digest` with `key`. Throws `unsupportedAlgorithm` when this engine
    /// cannot check this kind of key; returns false for an invalid signature.
    static func verify(digest: [UInt8], values: [[UInt8]], algorithm: PublicKeyAlgorithm, key: PublicKeyPacket) throws -> Bool {
        guard algorithm == key.algorithm else { return false }
        switch key.parameters {
        case .eddsaLegacy(.ed25519, let point):
            guard point.count == 33, point[0] == 0x40, values.count == 2,
                let r = leftPadded(values[0], to: 32), let s = leftPadded(values[1], to: 32)
            else { return false }
            return Ed25519.verify(r + s, of: digest, publicKey: Array(point.dropFirst()))
        default:
            throw OpenPGPError(.unsupportedAlgorithm, "verifying \(key.algorithm) signatures\(key.curve.map { " on \($0)" } ?? "") is not supported yet")
        }
    }

    /// Signs `digest` with a decoded secret key.
    static func sign(digest: [UInt8], secret: SecretParameters, key: PublicKeyPacket) throws -> [[UInt8]] {
        switch secret {
        case .eddsaLegacy(let seed):
            let signature = try Ed25519.sign(digest, seed: seed)
            return [Array(signature.prefix(32)), Array(signature.suffix(32))]
        case .curve25519:
            throw OpenPGPError(.keyNotUsable, "key \(key.fingerprint) is an encryption key and cannot sign")
        }
    }
}

/// A key able to sign: its public packet and decoded secret.
struct SigningKey: Sendable {
    let publicKey: PublicKeyPacket
    let secret: SecretParameters

    /// Makes a v4 signature over whatever `feed` hashes, adding creation time and issuer.
    func makeSignature(
        type: SignatureType, hash: HashAlgorithm, creationTime: UInt32, extraHashedSubpackets: [Subpacket] = [],
        feed: (HashContext) throws -> Void
    ) throws -> SignaturePacket {
        let hashed = [Subpacket.creationTime(creationTime), .issuer(publicKey.fingerprint)] + extraHashedSubpackets
        let template = SignaturePacket(
            type: type, publicKeyAlgorithm: publicKey.algorithm, hashAlgorithm: hash, hashedSubpackets: hashed,
            unhashedSubpackets: [.issuerKeyID(publicKey.keyID)], hashPrefix: [], signatureValues: [])
        let context = try HashContext(hash)
        try feed(context)
        return try finish(template: template, context: context)
    }

    /// Completes a signature whose data has already been fed into `context`.
    func finish(template: SignaturePacket, context: HashContext) throws -> SignaturePacket {
        context.update(template.hashTrailer)
        let digest = context.finalize()
        let values = try SignatureCrypto.sign(digest: digest, secret: secret, key: publicKey)
        return SignaturePacket(
            type: template.type, publicKeyAlgorithm: template.publicKeyAlgorithm, hashAlgorithm: template.hashAlgorithm,
            hashedSubpackets: template.hashedSubpackets, unhashedSubpackets: template.unhashedSubpackets,
            hashPrefix: Array(digest.prefix(2)), signatureValues: values)
    }
}

extension SignaturePacket {
    /// Checks this signature over the data `feed` hashes, made by `key`.
    func verify(by key: PublicKeyPacket, feed: (HashContext) throws -> Void) throws -> Bool {
        let context = try HashContext(hashAlgorithm)
        try feed(context)
        return try verify(by: key, context: context)
    }

    /// Checks this signature when the signed data is already in `context`.
    func verify(by key: PublicKeyPacket, context: HashContext) throws -> Bool {
        guard !hasUnknownCriticalSubpacket, creationTime != nil else { return false }
        context.update(hashTrailer)
        let digest = context.finalize()
        guard digest.prefix(2).elementsEqual(hashPrefix) else { return false }
        return try SignatureCrypto.verify(digest: digest, values: signatureValues, algorithm: publicKeyAlgorithm, key: key)
    }
}
