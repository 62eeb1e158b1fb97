/// CRC-32 (IEEE 802.3, the one of zlib and PNG), to detect garbled queue entry files.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    private var state: UInt32 = 0xFFFF_FFFF

    /// Adds `bytes` to the checksum.
    mutating func update(_ bytes: some Sequence<UInt8>) {
        let table = Self.table
        var state = self.state
        for byte in bytes {
            state = table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
        }
        self.state = state
    }

    /// The checksum of everything added.
    var value: UInt32 {
        self.state ^ 0xFFFF_FFFF
    }
}
