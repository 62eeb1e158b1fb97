import Foundation

/// The libcrypto key of some secret key material, built on first use and kept as long as
/// the material: building it costs about as much as using it (an Ed25519 or X25519 key
/// derives its public point, an RSA key its CRT parameters and blinding).
///
/// `@unchecked Sendable`: the key is set once, under `lock`, and only read afterwards.
/// libcrypto allows one `EVP_PKEY` to be used by several threads at once as long as nobody
/// changes it; each operation makes its own `EVP_MD_CTX` or `EVP_PKEY_CTX`.
final class EVPKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: (key: EVPKey, publicPart: [UInt8])?

    init() {}

    /// The key `make` builds, made on the first call and reused by later calls with the same
    /// `publicPart` (the public values, such as an RSA modulus, that `make` combines with the
    /// secret); a call with other public values gets a key of its own, not kept.
    func key(publicPart: [UInt8] = [], _ make: () throws -> EVPKey) rethrows -> EVPKey {
        lock.lock()
        defer { lock.unlock() }
        if let cached {
            return cached.publicPart == publicPart ? cached.key : try make()
        }
        let key = try make()
        cached = (key, publicPart)
        return key
    }
}
