import COpenSSL

/// HKDF (RFC 5869) over libcrypto's `EVP_KDF`, as RFC 9580 uses it: SHA-256 for X25519 and
/// SEIPDv2 key derivation, SHA-512 for X448.
enum HKDF {
    /// Derives `count` bytes from `secret` with the given salt and info.
    static func derive(
        _ hash: HashAlgorithm, secret: [UInt8], salt: [UInt8] = [], info: [UInt8], count: Int
    ) throws -> SecureBytes {
        LibCrypto.initialize()
        guard hash == .sha256 || hash == .sha384 || hash == .sha512, let name = hash.textName else {
            throw OpenPGPError(.unsupportedAlgorithm, "HKDF with \(hash) is not supported")
        }
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw LibCrypto.failure("EVP_KDF_fetch(HKDF)") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw LibCrypto.failure("EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(context) }

        var output = [UInt8](repeating: 0, count: count)
        var secret = secret
        var salt = salt
        var info = info
        let status = name.withCString { digestName in
            secret.withUnsafeMutableBytes { key in
                salt.withUnsafeMutableBytes { saltBytes in
                    info.withUnsafeMutableBytes { infoBytes in
                        var parameters: [OSSL_PARAM] = [
                            OSSL_PARAM_construct_utf8_string(
                                parameterName("digest"), UnsafeMutablePointer(mutating: digestName), 0),
                            OSSL_PARAM_construct_octet_string(parameterName("key"), key.baseAddress, key.count),
                            OSSL_PARAM_construct_octet_string(
                                parameterName("info"), infoBytes.baseAddress, infoBytes.count),
                        ]
                        if !saltBytes.isEmpty {
                            parameters.append(
                                OSSL_PARAM_construct_octet_string(
                                    parameterName("salt"), saltBytes.baseAddress, saltBytes.count))
                        }
                        parameters.append(OSSL_PARAM_construct_end())
                        return output.withUnsafeMutableBytes { out in
                            EVP_KDF_derive(
                                context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count, parameters)
                        }
                    }
                }
            }
        }
        defer { wipe(&output) }
        guard status == 1 else { throw LibCrypto.failure("HKDF") }
        return SecureBytes(output)
    }

    /// A parameter name that outlives the `OSSL_PARAM` array (which keeps the pointer, so a
    /// temporary C string from a Swift `String` would dangle).
    private static func parameterName(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
