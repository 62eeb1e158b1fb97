import COpenSSL

/// The DER `SEQUENCE { r INTEGER, s INTEGER }` that libcrypto's DSA and ECDSA produce and
/// expect; OpenPGP carries r and s as MPIs. `ECDSA_SIG` serves both (DSA_SIG is the same DER).
enum DERSignature {
    /// DER from the MPI magnitudes of r and s.
    static func encode(r: [UInt8], s: [UInt8]) throws -> [UInt8] {
        guard let signature = ECDSA_SIG_new() else { throw LibCrypto.failure("ECDSA_SIG_new") }
        defer { ECDSA_SIG_free(signature) }
        guard let rNumber = BN_bin2bn(r, Int32(r.count), nil) else { throw LibCrypto.failure("BN_bin2bn") }
        guard let sNumber = BN_bin2bn(s, Int32(s.count), nil) else {
            BN_free(rNumber)
            throw LibCrypto.failure("BN_bin2bn")
        }
        // ECDSA_SIG_set0 takes ownership of both numbers when it succeeds.
        guard ECDSA_SIG_set0(signature, rNumber, sNumber) == 1 else {
            BN_free(rNumber)
            BN_free(sNumber)
            throw LibCrypto.failure("ECDSA_SIG_set0")
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { throw LibCrypto.failure("i2d_ECDSA_SIG") }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else { throw LibCrypto.failure("i2d_ECDSA_SIG") }
        return out
    }

    /// r and s (big-endian, no leading zeros) from DER.
    static func decode(_ der: [UInt8]) throws -> (r: [UInt8], s: [UInt8]) {
        let parsed = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw LibCrypto.failure("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(parsed) }
        func bytes(_ number: OpaquePointer?) -> [UInt8] {
            let count = (Int(BN_num_bits(number)) + 7) / 8
            var out = [UInt8](repeating: 0, count: count)
            if count > 0 { _ = BN_bn2binpad(number, &out, Int32(count)) }
            return out
        }
        return (bytes(ECDSA_SIG_get0_r(parsed)), bytes(ECDSA_SIG_get0_s(parsed)))
    }
}
