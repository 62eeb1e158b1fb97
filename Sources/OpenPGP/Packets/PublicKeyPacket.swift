/// The algorithm-specific public parameters of a key (RFC 9580 §5.5.5).
public enum PublicKeyParameters: Sendable, Hashable {
    case rsa(n: [UInt8], e: [UInt8])
    case dsa(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8])
    case elgamal(p: [UInt8], g: [UInt8], y: [UInt8])
    case ecdsa(curve: Curve, point: [UInt8])
    /// v4 EdDSA: the point is `0x40` followed by the native public key.
    case eddsaLegacy(curve: Curve, point: [UInt8])
    /// RFC 6637 ECDH with its KDF hash and key-wrap cipher.
    case ecdh(curve: Curve, point: [UInt8], kdfHash: HashAlgorithm, kdfCipher: SymmetricAlgorithm)
    /// An algorithm this engine does not know; the raw bytes are kept.
    case unknown(raw: [UInt8])
}

/// A public key or subkey packet body (versions 4; the parser reports others as unsupported).
///
/// The body is at most 65,535 bytes: the v4 fingerprint and every signature over the key hash
/// it behind a two-octet length, so a longer one is refused when it is read or made.
struct PublicKeyPacket: Sendable, Hashable {
    let version: UInt8
    let creationTime: UInt32
    let algorithm: PublicKeyAlgorithm
    let parameters: PublicKeyParameters
    /// The exact serialised body, hashed into fingerprints and signatures.
    let body: [UInt8]

    /// The longest body a v4 key's two-octet hash length can describe.
    static let maxBodyLength = Int(UInt16.max)

    init(creationTime: UInt32, algorithm: PublicKeyAlgorithm, parameters: PublicKeyParameters) throws {
        self.version = 4
        self.creationTime = creationTime
        self.algorithm = algorithm
        self.parameters = parameters
        var body: [UInt8] = [4]
        body.appendUInt32(creationTime)
        body.append(algorithm.rawValue)
        body += try Self.encode(parameters)
        guard body.count <= Self.maxBodyLength else {
            throw OpenPGPError(
                .invalidArgument,
                "a key of \(body.count) bytes is larger than a v4 key may be (\(Self.maxBodyLength) bytes)")
        }
        self.body = body
    }

    /// Parses a packet body; `reader` is left after the public part (secret keys continue there).
    init(reading reader: inout ByteReader) throws {
        let start = reader.position
        let versionOffset = reader.absoluteOffset
        version = try reader.readByte("the key version")
        guard version == 4 else {
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) keys are not supported yet", offset: versionOffset,
                packetTag: reader.packetTag)
        }
        creationTime = try reader.readUInt32("the key creation time")
        algorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the key algorithm"))
        switch algorithm {
        case .rsaEncryptOrSign, .rsaEncryptOnly, .rsaSignOnly:
            parameters = .rsa(n: try reader.readMPI("RSA n"), e: try reader.readMPI("RSA e"))
        case .dsa:
            parameters = .dsa(
                p: try reader.readMPI("DSA p"), q: try reader.readMPI("DSA q"), g: try reader.readMPI("DSA g"),
                y: try reader.readMPI("DSA y"))
        case .elgamalEncryptOnly:
            parameters = .elgamal(
                p: try reader.readMPI("ElGamal p"), g: try reader.readMPI("ElGamal g"),
                y: try reader.readMPI("ElGamal y"))
        case .ecdsa:
            parameters = .ecdsa(curve: try Self.readCurve(&reader), point: try reader.readMPI("an EC point"))
        case .eddsaLegacy:
            parameters = .eddsaLegacy(curve: try Self.readCurve(&reader), point: try reader.readMPI("an EC point"))
        case .ecdh:
            let curve = try Self.readCurve(&reader)
            let point = try reader.readMPI("an EC point")
            let kdfLength = try reader.readByte("the KDF parameters")
            guard kdfLength >= 3 else { throw reader.malformed("ECDH KDF parameters are too short") }
            var kdf = ByteReader(
                try reader.readBytes(Int(kdfLength), "the KDF parameters"), baseOffset: reader.absoluteOffset)
            guard try kdf.readByte() == 1 else { throw reader.malformed("unknown ECDH KDF parameter version") }
            parameters = .ecdh(
                curve: curve, point: point, kdfHash: HashAlgorithm(rawValue: try kdf.readByte()),
                kdfCipher: SymmetricAlgorithm(rawValue: try kdf.readByte()))
        default:
            // Unknown algorithm: we cannot tell where the public part ends, so take it all.
            parameters = .unknown(raw: reader.readRest())
        }
        guard reader.position - start <= Self.maxBodyLength else {
            throw OpenPGPError(
                .malformedPacket,
                "a v4 key of \(reader.position - start) bytes is larger than its fingerprint can cover (\(Self.maxBodyLength) bytes)",
                offset: versionOffset, packetTag: reader.packetTag)
        }
        body = Array(reader.bytes[start..<reader.position])
    }

    private static func readCurve(_ reader: inout ByteReader) throws -> Curve {
        let length = try reader.readByte("a curve OID length")
        guard length != 0, length != 0xFF else { throw reader.malformed("reserved curve OID length \(length)") }
        return Curve(oid: try reader.readBytes(Int(length), "a curve OID"))
    }

    private static func encode(_ parameters: PublicKeyParameters) throws -> [UInt8] {
        var out: [UInt8] = []
        switch parameters {
        case .rsa(let n, let e):
            for value in [n, e] { try out.appendMPI(value) }
        case .dsa(let p, let q, let g, let y):
            for value in [p, q, g, y] { try out.appendMPI(value) }
        case .elgamal(let p, let g, let y):
            for value in [p, g, y] { try out.appendMPI(value) }
        case .ecdsa(let curve, let point), .eddsaLegacy(let curve, let point):
            try out.appendOneOctetLengthField(curve.oid, "a curve OID")
            try out.appendMPI(point)
        case .ecdh(let curve, let point, let hash, let cipher):
            try out.appendOneOctetLengthField(curve.oid, "a curve OID")
            try out.appendMPI(point)
            out += [3, 1, hash.rawValue, cipher.rawValue]
        case .unknown(let raw):
            out += raw
        }
        return out
    }

    /// The v4 fingerprint: SHA-1 over `0x99 || length || body`.
    var fingerprint: Fingerprint {
        // SHA-1 is always present in libcrypto's default provider.
        let digest = try! HashContext.digest(.sha1, hashPrefix)
        return Fingerprint(bytes: digest)
    }

    var keyID: KeyID { fingerprint.keyID }

    /// The bytes that stand for this key inside signature hashes and the fingerprint.
    var hashPrefix: [UInt8] {
        var out: [UInt8] = [0x99]
        // Both initialisers refuse bodies longer than `maxBodyLength`.
        out.appendUInt16(UInt16(truncatingIfNeeded: body.count))
        return out + body
    }

    /// The curve, for elliptic-curve keys.
    var curve: Curve? {
        switch parameters {
        case .ecdsa(let curve, _), .eddsaLegacy(let curve, _), .ecdh(let curve, _, _, _): curve
        default: nil
        }
    }

    /// Key size in bits: the modulus/prime size, or the curve's field size.
    var bitLength: Int {
        func bits(_ mpi: [UInt8]) -> Int {
            let trimmed = mpi.drop { $0 == 0 }
            guard let first = trimmed.first else { return 0 }
            return (trimmed.count - 1) * 8 + 8 - first.leadingZeroBitCount
        }
        switch parameters {
        case .rsa(let n, _): return bits(n)
        case .dsa(let p, _, _, _), .elgamal(let p, _, _): return bits(p)
        case .ecdsa(let curve, _), .eddsaLegacy(let curve, _), .ecdh(let curve, _, _, _):
            switch curve {
            case .ed25519, .curve25519, .nistP256, .secp256k1, .brainpoolP256r1: return 256
            case .nistP384, .brainpoolP384r1: return 384
            case .brainpoolP512r1: return 512
            case .nistP521: return 521
            default: return 0
            }
        case .unknown: return 0
        }
    }
}
