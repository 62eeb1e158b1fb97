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
    /// X25519 (algorithm 25, RFC 9580 §5.5.5.7): the 32-byte native public key.
    case x25519(publicKey: [UInt8])
    /// X448 (algorithm 26, §5.5.5.8): the 56-byte native public key.
    case x448(publicKey: [UInt8])
    /// Ed25519 (algorithm 27, §5.5.5.9): the 32-byte native public key.
    case ed25519(publicKey: [UInt8])
    /// Ed448 (algorithm 28, §5.5.5.10): the 57-byte native public key.
    case ed448(publicKey: [UInt8])
    /// An algorithm this engine does not know; the raw bytes are kept.
    case unknown(raw: [UInt8])
}

/// A public key or subkey packet body, version 4 or 6 (RFC 9580 §5.5.2); the parser reports
/// other versions as unsupported.
///
/// A v4 body is at most 65,535 bytes: the v4 fingerprint and every signature over the key hash
/// it behind a two-octet length, so a longer one is refused when it is read or made. A v6 body
/// is hashed behind a four-octet length and bounded only by its packet.
struct PublicKeyPacket: Sendable, Hashable {
    let version: UInt8
    let creationTime: UInt32
    let algorithm: PublicKeyAlgorithm
    let parameters: PublicKeyParameters
    /// The exact serialised body, hashed into fingerprints and signatures.
    let body: [UInt8]

    /// The longest body a v4 key's two-octet hash length can describe.
    static let maxBodyLength = Int(UInt16.max)

    init(
        version: UInt8 = 4, creationTime: UInt32, algorithm: PublicKeyAlgorithm, parameters: PublicKeyParameters
    ) throws {
        guard version == 4 || version == 6 else {
            throw OpenPGPError(.invalidArgument, "keys have version 4 or 6, not \(version)")
        }
        self.version = version
        self.creationTime = creationTime
        self.algorithm = algorithm
        self.parameters = parameters
        var body: [UInt8] = [version]
        body.appendUInt32(creationTime)
        body.append(algorithm.rawValue)
        let material = try Self.encode(parameters)
        if version == 6 {
            try Self.checkV6Algorithm(parameters) { OpenPGPError(.invalidArgument, $0) }
            guard let length = UInt32(exactly: material.count) else {
                throw OpenPGPError(.invalidArgument, "key material of \(material.count) bytes is too long")
            }
            body.appendUInt32(length)
        }
        body += material
        guard version == 6 || body.count <= Self.maxBodyLength else {
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
        guard version == 4 || version == 6 else {
            throw OpenPGPError(
                .unsupportedVersion, "version \(version) keys are not supported", offset: versionOffset,
                packetTag: reader.packetTag)
        }
        creationTime = try reader.readUInt32("the key creation time")
        algorithm = PublicKeyAlgorithm(rawValue: try reader.readByte("the key algorithm"))
        if version == 6 {
            // v6: a four-octet count of the key material bounds the public part exactly.
            let length = try reader.readUInt32("the key material length")
            guard let count = Int(exactly: length), count <= reader.remaining else {
                throw reader.truncated("the key material")
            }
            var material = ByteReader(
                try reader.readBytes(count, "the key material"), baseOffset: reader.absoluteOffset - count,
                packetTag: reader.packetTag)
            parameters = try Self.readParameters(algorithm, &material)
            guard material.isAtEnd else {
                throw material.malformed("the key material is longer than its algorithm needs")
            }
            try Self.checkV6Algorithm(parameters) { material.malformed($0) }
        } else {
            parameters = try Self.readParameters(algorithm, &reader)
            guard reader.position - start <= Self.maxBodyLength else {
                throw OpenPGPError(
                    .malformedPacket,
                    "a v4 key of \(reader.position - start) bytes is larger than its fingerprint can cover (\(Self.maxBodyLength) bytes)",
                    offset: versionOffset, packetTag: reader.packetTag)
            }
        }
        body = Array(reader.bytes[start..<reader.position])
    }

    /// The algorithm-specific public fields of `algorithm`.
    private static func readParameters(
        _ algorithm: PublicKeyAlgorithm, _ reader: inout ByteReader
    ) throws -> PublicKeyParameters {
        switch algorithm {
        case .rsaEncryptOrSign, .rsaEncryptOnly, .rsaSignOnly:
            return .rsa(n: try reader.readMPI("RSA n"), e: try reader.readMPI("RSA e"))
        case .dsa:
            return .dsa(
                p: try reader.readMPI("DSA p"), q: try reader.readMPI("DSA q"), g: try reader.readMPI("DSA g"),
                y: try reader.readMPI("DSA y"))
        case .elgamalEncryptOnly:
            return .elgamal(
                p: try reader.readMPI("ElGamal p"), g: try reader.readMPI("ElGamal g"),
                y: try reader.readMPI("ElGamal y"))
        case .ecdsa:
            return .ecdsa(curve: try readCurve(&reader), point: try reader.readMPI("an EC point"))
        case .eddsaLegacy:
            return .eddsaLegacy(curve: try readCurve(&reader), point: try reader.readMPI("an EC point"))
        case .ecdh:
            let curve = try readCurve(&reader)
            let point = try reader.readMPI("an EC point")
            let kdfLength = try reader.readByte("the KDF parameters")
            guard kdfLength >= 3 else { throw reader.malformed("ECDH KDF parameters are too short") }
            var kdf = ByteReader(
                try reader.readBytes(Int(kdfLength), "the KDF parameters"), baseOffset: reader.absoluteOffset)
            guard try kdf.readByte() == 1 else { throw reader.malformed("unknown ECDH KDF parameter version") }
            return .ecdh(
                curve: curve, point: point, kdfHash: HashAlgorithm(rawValue: try kdf.readByte()),
                kdfCipher: SymmetricAlgorithm(rawValue: try kdf.readByte()))
        case .x25519:
            return .x25519(publicKey: try reader.readBytes(X25519.keySize, "the X25519 public key"))
        case .x448:
            return .x448(publicKey: try reader.readBytes(X448.keySize, "the X448 public key"))
        case .ed25519:
            return .ed25519(publicKey: try reader.readBytes(Ed25519.keySize, "the Ed25519 public key"))
        case .ed448:
            return .ed448(publicKey: try reader.readBytes(Ed448.keySize, "the Ed448 public key"))
        default:
            // Unknown algorithm: we cannot tell where the public part ends, so take it all.
            return .unknown(raw: reader.readRest())
        }
    }

    /// RFC 9580 §9.2: v6 keys do not use the legacy Curve25519 encodings (EdDSALegacy, ECDH
    /// on Curve25519Legacy); `failure` makes the error for the caller's context.
    private static func checkV6Algorithm(
        _ parameters: PublicKeyParameters, _ failure: (String) -> OpenPGPError
    ) throws {
        switch parameters {
        case .eddsaLegacy:
            throw failure("a version 6 key cannot use EdDSALegacy")
        case .ecdh(.curve25519, _, _, _):
            throw failure("a version 6 key cannot use ECDH on Curve25519Legacy")
        default:
            break
        }
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
        case .x25519(let key), .x448(let key), .ed25519(let key), .ed448(let key):
            out += key
        case .unknown(let raw):
            out += raw
        }
        return out
    }

    /// The fingerprint: SHA-1 over ``hashPrefix`` for v4 keys, SHA-256 for v6 keys.
    var fingerprint: Fingerprint {
        // SHA-1 and SHA-256 are always present in libcrypto's default provider.
        let digest = try! HashContext.digest(version == 6 ? .sha256 : .sha1, hashPrefix)
        return Fingerprint(bytes: digest)
    }

    var keyID: KeyID { fingerprint.keyID }

    /// The bytes that stand for this key inside signature hashes and the fingerprint:
    /// `0x99 || two-octet length || body` (v4), `0x9B || four-octet length || body` (v6).
    var hashPrefix: [UInt8] {
        var out: [UInt8]
        if version == 6 {
            out = [0x9B]
            // A parsed body came from a packet, a made one was checked: both fit four octets.
            out.appendUInt32(UInt32(truncatingIfNeeded: body.count))
        } else {
            out = [0x99]
            // Both initialisers refuse v4 bodies longer than `maxBodyLength`.
            out.appendUInt16(UInt16(truncatingIfNeeded: body.count))
        }
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
        case .x25519, .ed25519: return 256
        case .x448, .ed448: return 448
        case .unknown: return 0
        }
    }
}
