import COpenSSL

/// libcrypto digest objects, fetched once per algorithm.
///
/// `@unchecked Sendable`: fetched `EVP_MD` objects are immutable and documented as safe to
/// share between threads; the table itself is filled once by a `static let` initialiser.
private final class DigestTable: @unchecked Sendable {
    let digests: [HashAlgorithm: OpaquePointer]

    init() {
        LibCrypto.initialize()
        var table: [HashAlgorithm: OpaquePointer] = [:]
        let names: [(HashAlgorithm, String)] = [
            (.md5, "MD5"), (.sha1, "SHA1"), (.ripemd160, "RIPEMD160"), (.sha224, "SHA224"),
            (.sha256, "SHA256"), (.sha384, "SHA384"), (.sha512, "SHA512"),
            (.sha3_256, "SHA3-256"), (.sha3_512, "SHA3-512"),
        ]
        for (algorithm, name) in names {
            if let md = EVP_MD_fetch(nil, name, nil) { table[algorithm] = md }
        }
        LibCrypto.clearErrors()
        digests = table
    }

    static let shared = DigestTable()
}

extension HashAlgorithm {
    /// The libcrypto digest for this algorithm, or an `unsupportedAlgorithm` error.
    func evpDigest() throws -> OpaquePointer {
        guard let md = DigestTable.shared.digests[self] else {
            throw OpenPGPError(.unsupportedAlgorithm, "hash algorithm \(self) is not available")
        }
        return md
    }

    /// Whether this engine can compute this hash.
    public var isSupported: Bool { DigestTable.shared.digests[self] != nil }
}

/// An incremental hash computation. Not shared across tasks.
final class HashContext {
    let algorithm: HashAlgorithm
    private let context: OpaquePointer

    init(_ algorithm: HashAlgorithm) throws {
        self.algorithm = algorithm
        let md = try algorithm.evpDigest()
        guard let context = EVP_MD_CTX_new() else { throw LibCrypto.failure("EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex2(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw LibCrypto.failure("EVP_DigestInit_ex2")
        }
        self.context = context
    }

    private init(copying other: HashContext) throws {
        algorithm = other.algorithm
        guard let context = EVP_MD_CTX_new() else { throw LibCrypto.failure("EVP_MD_CTX_new") }
        guard EVP_MD_CTX_copy_ex(context, other.context) == 1 else {
            EVP_MD_CTX_free(context)
            throw LibCrypto.failure("EVP_MD_CTX_copy_ex")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        // Cannot fail for an initialised software digest.
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    /// A copy of the running state, to finish one branch while the other continues.
    func copy() throws -> HashContext { try HashContext(copying: self) }

    /// Finishes the computation; the context must not be used afterwards.
    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }

    /// One-shot convenience.
    static func digest(_ algorithm: HashAlgorithm, _ parts: [UInt8]...) throws -> [UInt8] {
        let context = try HashContext(algorithm)
        for part in parts { context.update(part) }
        return context.finalize()
    }
}

/// Byte containers whose storage can be read in place.
protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
