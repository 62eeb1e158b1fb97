/// Decrypted secret key parameters. Every secret lives in ``SecureBytes``.
enum SecretParameters: Sendable {
    /// Ed25519 (v4 EdDSA encoding): the 32-byte secret seed.
    case eddsaLegacy(seed: SecureBytes)
    /// X25519 for RFC 6637 ECDH: the 32-byte scalar in native (little-endian) order.
    case curve25519(scalar: SecureBytes)

    /// Decodes the cleartext secret MPIs of a key (checksum or hash already removed).
    static func parse(_ cleartext: [UInt8], for publicKey: PublicKeyPacket, offset: Int) throws -> SecretParameters {
        var reader = ByteReader(cleartext, baseOffset: offset, packetTag: PacketTag.secretKey.rawValue)
        switch publicKey.parameters {
        case .eddsaLegacy(.ed25519, _):
            var mpi = try reader.readMPI("the EdDSA secret")
            defer { wipe(&mpi) }
            guard var seed = leftPadded(mpi, to: 32) else { throw reader.malformed("an Ed25519 secret has 32 bytes") }
            defer { wipe(&seed) }
            return .eddsaLegacy(seed: SecureBytes(seed))
        case .ecdh(.curve25519, _, _, _):
            var mpi = try reader.readMPI("the ECDH secret")
            defer { wipe(&mpi) }
            // OpenPGP stores the Curve25519 scalar big-endian; X25519 wants it little-endian.
            guard var scalar = leftPadded(mpi, to: 32) else { throw reader.malformed("a Curve25519 secret has 32 bytes") }
            defer { wipe(&scalar) }
            scalar.reverse()
            return .curve25519(scalar: SecureBytes(scalar))
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm,
                "secret keys of type \(publicKey.algorithm)\(publicKey.curve.map { " on \($0)" } ?? "") are not supported yet",
                offset: offset, packetTag: PacketTag.secretKey.rawValue)
        }
    }

    /// The cleartext MPIs; the caller wipes the result.
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .eddsaLegacy(let seed):
            seed.withUnsafeBytes { out.appendMPI(Array($0)) }
        case .curve25519(let scalar):
            scalar.withUnsafeBytes { out.appendMPI(Array($0.reversed())) }
        }
        return out
    }
}

/// The two-byte additive checksum of secret key material.
func secretChecksum(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    var sum: UInt16 = 0
    for byte in bytes { sum &+= UInt16(byte) }
    return [UInt8(sum >> 8), UInt8(sum & 0xFF)]
}
