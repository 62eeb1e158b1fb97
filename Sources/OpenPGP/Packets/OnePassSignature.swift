/// A one-pass signature packet (RFC 9580 §5.4): version 3 names the signer by key ID,
/// version 6 by fingerprint and carries the salt its signature hashes first.
struct OnePassSignature: Sendable, Hashable {
    let version: UInt8
    let type: SignatureType
    let hashAlgorithm: HashAlgorithm
    let publicKeyAlgorithm: PublicKeyAlgorithm
    /// The v6 signature's salt; empty for version 3.
    let salt: [UInt8]
    /// The signer's key ID (version 3) or fingerprint (version 6).
    let issuer: Issuer
    /// Whether this is the last one-pass signature before the signed data (RFC 9580's
    /// "nested" flag, 1).
    let isLast: Bool

    /// How a one-pass signature names its signer.
    enum Issuer: Sendable, Hashable {
        case keyID(KeyID)
        case fingerprint(Fingerprint)
    }

    /// A one-pass signature announcing a signature by `key`: version 6 with `salt` for a v6
    /// key, else version 3.
    init(
        type: SignatureType, hashAlgorithm: HashAlgorithm, key: PublicKeyPacket, salt: [UInt8], isLast: Bool
    ) {
        version = key.version == 6 ? 6 : 3
        self.type = type
        self.hashAlgorithm = hashAlgorithm
        publicKeyAlgorithm = key.algorithm
        self.salt = version == 6 ? salt : []
        issuer = version == 6 ? .fingerprint(key.fingerprint) : .keyID(key.keyID)
        self.isLast = isLast
    }

    init(body: [UInt8], offset: Int) throws {
        var reader = ByteReader(body, baseOffset: offset, packetTag: PacketTag.onePassSignature.rawValue)
        version = try reader.readByte("the one-pass signature version")
        guard version == 3 || version == 6 else {
            throw OpenPGPError(
                .malformedPacket, "unsupported one-pass signature packet version \(version)", offset: offset,
                packetTag: PacketTag.onePassSignature.rawValue)
        }
        type = SignatureType(rawValue: try reader.readByte("the signature type"))
        hashAlgorithm = HashAlgorithm(rawValue: try reader.readByte("the hash algorithm"))
        publicKeyAlgorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the public-key algorithm"))
        if version == 6 {
            salt = try reader.readBytes(Int(try reader.readByte("the salt size")), "the salt")
            issuer = .fingerprint(Fingerprint(bytes: try reader.readBytes(32, "the signer's fingerprint")))
        } else {
            salt = []
            issuer = .keyID(KeyID(bytes: try reader.readBytes(8, "the signer's key ID")))
        }
        isLast = try reader.readByte("the nested flag") != 0
        guard reader.isAtEnd else { throw reader.malformed("a one-pass signature packet is longer than its fields") }
    }

    /// The packet body.
    var body: [UInt8] {
        var out: [UInt8] = [version, type.rawValue, hashAlgorithm.rawValue, publicKeyAlgorithm.rawValue]
        // A salt has at most 32 bytes (`HashAlgorithm.v6SaltSize`).
        if version == 6 { out += [UInt8(truncatingIfNeeded: salt.count)] + salt }
        switch issuer {
        case .keyID(let keyID): out += keyID.bytes
        case .fingerprint(let fingerprint): out += fingerprint.bytes
        }
        return out + [isLast ? 1 : 0]
    }
}
