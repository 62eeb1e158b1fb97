import COpenSSL

/// libcrypto cipher objects, fetched once per process: fetching looks the algorithm up in
/// the provider tables, which costs more than encrypting a small message.
///
/// `@unchecked Sendable`: fetched `EVP_CIPHER` objects are immutable and documented as safe to
/// share between threads (the `EVP_CIPHER_CTX`s made from them are not shared); the table is
/// filled once by a `static let` initialiser and never changed. The objects are never freed.
final class CipherTable: @unchecked Sendable {
    /// The CFB ciphers libcrypto has, by OpenPGP algorithm.
    let cfb: [SymmetricAlgorithm: OpaquePointer]
    /// AES key wrap (RFC 3394) by key-encryption key size in bytes: 16, 24 and 32.
    let keyWrap: [Int: OpaquePointer]

    static let shared = CipherTable()

    private init() {
        LibCrypto.initialize()
        var cfb: [SymmetricAlgorithm: OpaquePointer] = [:]
        for rawValue in UInt8.min...UInt8.max {
            let algorithm = SymmetricAlgorithm(rawValue: rawValue)
            if let name = algorithm.libcryptoCFBName, let cipher = EVP_CIPHER_fetch(nil, name, nil) {
                cfb[algorithm] = cipher
            }
        }
        var keyWrap: [Int: OpaquePointer] = [:]
        for (size, name) in [(16, "AES-128-WRAP"), (24, "AES-192-WRAP"), (32, "AES-256-WRAP")] {
            if let cipher = EVP_CIPHER_fetch(nil, name, nil) { keyWrap[size] = cipher }
        }
        // Ciphers a provider lacks (legacy ones without the legacy provider) leave errors.
        LibCrypto.clearErrors()
        self.cfb = cfb
        self.keyWrap = keyWrap
    }
}
