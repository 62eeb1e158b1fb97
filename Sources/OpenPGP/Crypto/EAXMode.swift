import COpenSSL

/// EAX (Bellare, Rogaway, Wagner 2004; RFC 9580 §5.13.3), which libcrypto lacks, built from
/// its CTR mode and CMAC (OMAC1) over the same block cipher:
///
///     N' = OMAC⁰(nonce), H' = OMAC¹(header), C = CTR(N', plaintext), tag = N' ⊕ H' ⊕ OMAC²(C)
///
/// where OMACᵗ(M) is the CMAC of a block holding t in its last byte, followed by M.
/// Decryption checks the tag before it decrypts anything. Not shared across tasks.
final class EAXMode {
    private static let blockSize = 16
    private let ctr: OpaquePointer
    private let cmac: OpaquePointer

    init(algorithm: SymmetricAlgorithm, key: SecureBytes) throws {
        let table = AEADCipherTable.shared
        guard let ctrCipher = table.ctr[algorithm], let mac = table.cmac, let blockName = algorithm.libcryptoBlockName
        else {
            throw OpenPGPError(.unsupportedAlgorithm, "EAX with \(algorithm) is not supported")
        }
        guard let ctr = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        guard let cmac = EVP_MAC_CTX_new(mac) else {
            EVP_CIPHER_CTX_free(ctr)
            throw LibCrypto.failure("EVP_MAC_CTX_new(CMAC)")
        }
        self.ctr = ctr
        self.cmac = cmac
        let keyed = key.withUnsafeBytes { keyBytes -> Bool in
            let keyPointer = keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard EVP_CipherInit_ex2(ctr, ctrCipher, keyPointer, nil, 1, nil) == 1 else { return false }
            return (blockName + "-CBC").withCString { cipherName in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(
                        Self.cipherParameter, UnsafeMutablePointer(mutating: cipherName), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_init(cmac, keyPointer, keyBytes.count, &parameters) == 1
            }
        }
        guard keyed else { throw LibCrypto.failure("setting up EAX with \(algorithm)") }
    }

    deinit {
        // Freeing the contexts wipes their key schedules.
        EVP_CIPHER_CTX_free(ctr)
        EVP_MAC_CTX_free(cmac)
    }

    /// Encrypts `plaintext` into `output` (ciphertext, then the 16-byte tag).
    func seal(
        nonce: [UInt8], header: [UInt8], plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
        let nonceMAC = try omac(0, nonce.withUnsafeBytes { Array($0) })
        let headerMAC = try header.withUnsafeBytes { try omac(1, $0) }
        let ciphertext = UnsafeMutableRawBufferPointer(rebasing: output[0..<plaintext.count])
        try counterMode(nonceMAC, plaintext, into: ciphertext)
        let cipherMAC = try omac(2, UnsafeRawBufferPointer(ciphertext))
        for index in 0..<Self.blockSize {
            output[plaintext.count + index] = nonceMAC[index] ^ headerMAC[index] ^ cipherMAC[index]
        }
    }

    /// Checks `tag` and only then decrypts `ciphertext` into `output`; throws
    /// `integrityCheckFailed` (with nothing written) on a mismatch.
    func open(
        nonce: [UInt8], header: [UInt8], ciphertext: UnsafeRawBufferPointer, tag: [UInt8],
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        let nonceMAC = try omac(0, nonce.withUnsafeBytes { Array($0) })
        let headerMAC = try header.withUnsafeBytes { try omac(1, $0) }
        let cipherMAC = try omac(2, ciphertext)
        var expected = (0..<Self.blockSize).map { nonceMAC[$0] ^ headerMAC[$0] ^ cipherMAC[$0] }
        defer { wipe(&expected) }
        guard tag.count == Self.blockSize, CRYPTO_memcmp(expected, tag, Self.blockSize) == 0 else {
            throw OpenPGPError(.integrityCheckFailed, "the EAX authentication tag does not match")
        }
        try counterMode(nonceMAC, ciphertext, into: output)
    }

    private func omac(_ domain: UInt8, _ message: [UInt8]) throws -> [UInt8] {
        try message.withUnsafeBytes { try omac(domain, $0) }
    }

    /// CMAC of a block with `domain` in its last byte, followed by `message`.
    private func omac(_ domain: UInt8, _ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        var prefix = [UInt8](repeating: 0, count: Self.blockSize)
        prefix[Self.blockSize - 1] = domain
        var mac = [UInt8](repeating: 0, count: Self.blockSize)
        var length = 0
        // A null key re-initialises CMAC with the key set in `init`.
        guard EVP_MAC_init(cmac, nil, 0, nil) == 1, EVP_MAC_update(cmac, prefix, prefix.count) == 1,
            message.isEmpty
                || EVP_MAC_update(cmac, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1,
            EVP_MAC_final(cmac, &mac, &length, mac.count) == 1, length == Self.blockSize
        else {
            throw LibCrypto.failure("CMAC")
        }
        return mac
    }

    /// CTR mode (a 128-bit big-endian counter) from `initialCounter`.
    private func counterMode(
        _ initialCounter: [UInt8], _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
        guard EVP_CipherInit_ex2(ctr, nil, nil, initialCounter, 1, nil) == 1 else {
            throw LibCrypto.failure("EAX counter")
        }
        guard input.count > 0, let source = input.baseAddress, let target = output.baseAddress else { return }
        var written: Int32 = 0
        guard
            EVP_CipherUpdate(
                ctr, target.assumingMemoryBound(to: UInt8.self), &written, source.assumingMemoryBound(to: UInt8.self),
                Int32(input.count)) == 1, Int(written) == input.count
        else {
            throw LibCrypto.failure("EAX counter mode")
        }
    }

    /// `OSSL_MAC_PARAM_CIPHER`, as a pointer that outlives the parameter array.
    private static var cipherParameter: UnsafePointer<CChar> {
        let name: StaticString = "cipher"
        return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
