/// How a chunked AEAD packet protects its chunks: the key, the nonce and associated data of
/// each chunk, and those of the final tag. Shared by the SEIPDv2 writer and reader and by
/// the reader of GnuPG's AEAD Encrypted Data packet.
struct AEADChunkSchedule {
    /// The two constructions in use.
    enum Layout {
        /// RFC 9580 SEIPDv2: nonce = IV ‖ index (IV of nonce size − 8 bytes); the associated
        /// data is the header alone, for the final tag followed by the plaintext length.
        case seipdV2
        /// GnuPG's AEAD Encrypted Data packet (tag 20, draft-koch-librepgp): nonce = IV with
        /// the index xored into its last 8 bytes; the associated data is the header and the
        /// index, for the final tag followed by the plaintext length.
        case librePGP
    }

    /// The largest chunk size octet RFC 9580 allows (4 MiB chunks).
    static let maxChunkSizeOctet: UInt8 = 16

    let layout: Layout
    let cipher: AEADCipher
    /// The packet header octets every associated data starts with.
    let header: [UInt8]
    let iv: [UInt8]
    /// Plaintext bytes per chunk.
    let chunkSize: Int

    init(layout: Layout, cipher: AEADCipher, header: [UInt8], iv: [UInt8], chunkSizeOctet: UInt8) {
        self.layout = layout
        self.cipher = cipher
        self.header = header
        self.iv = iv
        chunkSize = 1 << (Int(chunkSizeOctet) + 6)
    }

    /// The schedule of a SEIPDv2 packet (RFC 9580 §5.13.2): message key and IV from
    /// HKDF-SHA256(session key, salt, info = the packet header octets).
    static func seipdV2(
        sessionKey: SecureBytes, cipher algorithm: SymmetricAlgorithm, mode: AEADAlgorithm, chunkSizeOctet: UInt8,
        salt: [UInt8]
    ) throws -> AEADChunkSchedule {
        guard let keySize = algorithm.keySize, let nonceSize = mode.nonceSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "\(mode) with \(algorithm) is not supported")
        }
        guard sessionKey.count == keySize else {
            throw OpenPGPError(
                .invalidArgument, "a \(algorithm) session key has \(keySize) bytes, not \(sessionKey.count)")
        }
        let header: [UInt8] = [0xD2, 2, algorithm.rawValue, mode.rawValue, chunkSizeOctet]
        var secret = sessionKey.bytes
        defer { wipe(&secret) }
        let derived = try HKDF.derive(.sha256, secret: secret, salt: salt, info: header, count: keySize + nonceSize - 8)
        let (key, iv) = derived.withUnsafeBytes { (SecureBytes($0[0..<keySize]), Array($0[keySize...])) }
        let cipher = try AEADCipher(mode, algorithm: algorithm, key: key)
        return AEADChunkSchedule(
            layout: .seipdV2, cipher: cipher, header: header, iv: iv, chunkSizeOctet: chunkSizeOctet)
    }

    /// The nonce of chunk `index` (the final tag uses the number of chunks).
    func nonce(_ index: UInt64) -> [UInt8] {
        switch layout {
        case .seipdV2:
            return iv + index.bigEndianBytes
        case .librePGP:
            var nonce = iv
            let indexBytes = index.bigEndianBytes
            for position in 0..<8 { nonce[nonce.count - 8 + position] ^= indexBytes[position] }
            return nonce
        }
    }

    /// The associated data of chunk `index`.
    func associatedData(_ index: UInt64) -> [UInt8] {
        layout == .seipdV2 ? header : header + index.bigEndianBytes
    }

    /// The associated data of the final tag, after `chunks` chunks of `length` plaintext bytes.
    func finalAssociatedData(chunks: UInt64, length: UInt64) -> [UInt8] {
        associatedData(chunks) + length.bigEndianBytes
    }
}

extension UInt64 {
    /// The 8 big-endian bytes of this value.
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }
}
