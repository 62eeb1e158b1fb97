import COpenSSL

/// Process-wide libcrypto setup and error reporting.
enum LibCrypto {
    /// Whether the legacy provider (CAST5, Blowfish, IDEA, RIPEMD-160 on older builds) loaded.
    ///
    /// Loading any provider explicitly disables the implicit default provider, so both are
    /// loaded here. A `static let` initialiser runs exactly once, thread-safely.
    static let legacyProviderAvailable: Bool = {
        _ = OSSL_PROVIDER_load(nil, "default")
        return OSSL_PROVIDER_load(nil, "legacy") != nil
    }()

    /// Makes sure the providers are loaded; cheap after the first call.
    @inline(__always)
    static func initialize() {
        _ = legacyProviderAvailable
    }

    /// Builds an error from libcrypto's thread-local error queue, emptying it.
    static func failure(_ operation: String) -> OpenPGPError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let suffix = reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
        return OpenPGPError(.cryptoFailure, "\(operation) failed\(suffix)")
    }

    /// Empties the thread-local error queue after an expected failure (e.g. a bad signature).
    static func clearErrors() {
        ERR_clear_error()
    }
}

/// Fills `count` bytes from libcrypto's CSPRNG.
func secureRandomBytes(_ count: Int) -> [UInt8] {
    LibCrypto.initialize()
    var bytes = [UInt8](repeating: 0, count: count)
    guard count > 0 else { return bytes }
    let status = bytes.withUnsafeMutableBytes {
        RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
    }
    // RAND_bytes fails only if the CSPRNG cannot be seeded; continuing would be unsafe.
    precondition(status == 1, "libcrypto's random generator failed")
    return bytes
}

/// Overwrites memory that held secrets, in a way the optimiser may not remove.
func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
    bytes.removeAll()
}
