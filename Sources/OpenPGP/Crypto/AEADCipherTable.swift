import COpenSSL

/// The libcrypto objects the AEAD modes use, fetched once per process (a fetch per chunk
/// would cost more than encrypting the chunk).
///
/// OCB and GCM exist in libcrypto for AES only. EAX is built here from CTR and CMAC, which
/// libcrypto has for AES and Camellia, so EAX works with both; Twofish has no AEAD mode.
///
/// `@unchecked Sendable`: fetched `EVP_CIPHER` and `EVP_MAC` objects are immutable and safe
/// to share between threads (the contexts made from them are not shared); the table is
/// filled once by a `static let` initialiser and never changed. The objects are never freed.
final class AEADCipherTable: @unchecked Sendable {
    /// OCB ciphers by key size in bytes (16, 24, 32).
    let ocb: [Int: OpaquePointer]
    /// GCM ciphers by key size in bytes.
    let gcm: [Int: OpaquePointer]
    /// CTR ciphers (the EAX keystream) by OpenPGP algorithm.
    let ctr: [SymmetricAlgorithm: OpaquePointer]
    /// libcrypto's CMAC (the EAX authenticator), if present.
    let cmac: OpaquePointer?

    static let shared = AEADCipherTable()

    private init() {
        LibCrypto.initialize()
        var ocb: [Int: OpaquePointer] = [:]
        var gcm: [Int: OpaquePointer] = [:]
        for bits in [128, 192, 256] {
            if let cipher = EVP_CIPHER_fetch(nil, "AES-\(bits)-OCB", nil) { ocb[bits / 8] = cipher }
            if let cipher = EVP_CIPHER_fetch(nil, "AES-\(bits)-GCM", nil) { gcm[bits / 8] = cipher }
        }
        var ctr: [SymmetricAlgorithm: OpaquePointer] = [:]
        for algorithm in SymmetricAlgorithm.eaxCapable {
            if let name = algorithm.libcryptoBlockName, let cipher = EVP_CIPHER_fetch(nil, name + "-CTR", nil) {
                ctr[algorithm] = cipher
            }
        }
        cmac = EVP_MAC_fetch(nil, "CMAC", nil)
        LibCrypto.clearErrors()
        self.ocb = ocb
        self.gcm = gcm
        self.ctr = ctr
    }
}

extension SymmetricAlgorithm {
    /// The ciphers EAX may run over here: the 128-bit block ciphers libcrypto has.
    static let eaxCapable: [SymmetricAlgorithm] = [
        .aes128, .aes192, .aes256, .camellia128, .camellia192, .camellia256,
    ]

    /// The libcrypto name of the block cipher without a mode, e.g. `AES-128`.
    var libcryptoBlockName: String? {
        switch self {
        case .aes128: "AES-128"
        case .aes192: "AES-192"
        case .aes256: "AES-256"
        case .camellia128: "CAMELLIA-128"
        case .camellia192: "CAMELLIA-192"
        case .camellia256: "CAMELLIA-256"
        default: nil
        }
    }

    /// Whether this engine can use this cipher with the AEAD `mode`: OCB and GCM with AES
    /// only (libcrypto has no other), EAX with AES and Camellia.
    public func supportsAEAD(_ mode: AEADAlgorithm) -> Bool {
        let table = AEADCipherTable.shared
        switch mode {
        case .ocb: return keySize.map { table.ocb[$0] != nil } ?? false && isAES
        case .gcm: return keySize.map { table.gcm[$0] != nil } ?? false && isAES
        case .eax: return table.ctr[self] != nil && table.cmac != nil
        default: return false
        }
    }

    private var isAES: Bool { self == .aes128 || self == .aes192 || self == .aes256 }
}
