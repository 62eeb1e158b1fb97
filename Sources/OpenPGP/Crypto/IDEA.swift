/// IDEA (Lai and Massey, 1991): 64-bit block, 128-bit key (OpenPGP algorithm 1).
///
/// Encryption only (OpenPGP uses IDEA in CFB mode). The multiplication modulo 2¹⁶+1 takes
/// a data-dependent branch for zero operands, so this is not strictly constant-time.
final class IDEA: BlockEncryptor {
    static let blockSize = 8

    /// The 52 16-bit encryption subkeys, widened to 32 bits. Secret: wiped on deinit.
    private let subkeys: UnsafeMutablePointer<UInt32>

    /// - Throws: `invalidArgument` unless the key has 16 bytes.
    init(key: UnsafeRawBufferPointer) throws {
        guard key.count == 16 else {
            throw OpenPGPError(.invalidArgument, "an IDEA key has 16 bytes, got \(key.count)")
        }
        // The key as a 128-bit big-endian number; each group of eight subkeys is its
        // 16-bit words, and the next group comes after rotating it left by 25 bits.
        var high = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        var low = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        defer {
            withUnsafeMutableBytes(of: &high) { wipe($0) }
            withUnsafeMutableBytes(of: &low) { wipe($0) }
        }
        subkeys = .allocate(capacity: 52)
        var index = 0
        while true {
            for word in 0..<8 where index + word < 52 {
                let half = word < 4 ? high : low
                subkeys[index + word] = UInt32(truncatingIfNeeded: half >> (48 - 16 * (word % 4))) & 0xFFFF
            }
            index += 8
            guard index < 52 else { break }
            (high, low) = ((high << 25) | (low >> 39), (low << 25) | (high >> 39))
        }
    }

    deinit {
        wipe(UnsafeMutableRawBufferPointer(start: subkeys, count: 52 * 4))
        subkeys.deallocate()
    }

    func encryptBlock(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer) {
        let z = subkeys
        var x1 = UInt32(UInt16(bigEndian: input.loadUnaligned(fromByteOffset: 0, as: UInt16.self)))
        var x2 = UInt32(UInt16(bigEndian: input.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        var x3 = UInt32(UInt16(bigEndian: input.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        var x4 = UInt32(UInt16(bigEndian: input.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        var key = 0
        for _ in 0..<8 {
            x1 = multiply(x1, z[key])
            x2 = (x2 &+ z[key + 1]) & 0xFFFF
            x3 = (x3 &+ z[key + 2]) & 0xFFFF
            x4 = multiply(x4, z[key + 3])
            // The multiplication-addition structure.
            var t0 = multiply(x1 ^ x3, z[key + 4])
            let t1 = multiply((t0 &+ (x2 ^ x4)) & 0xFFFF, z[key + 5])
            t0 = (t0 &+ t1) & 0xFFFF
            x1 ^= t1
            x4 ^= t0
            (x2, x3) = (x3 ^ t1, x2 ^ t0)
            key += 6
        }
        // The output transformation undoes the last swap of the middle words.
        let y1 = multiply(x1, z[48])
        let y2 = (x3 &+ z[49]) & 0xFFFF
        let y3 = (x2 &+ z[50]) & 0xFFFF
        let y4 = multiply(x4, z[51])
        output.storeBytes(of: UInt16(truncatingIfNeeded: y1).bigEndian, toByteOffset: 0, as: UInt16.self)
        output.storeBytes(of: UInt16(truncatingIfNeeded: y2).bigEndian, toByteOffset: 2, as: UInt16.self)
        output.storeBytes(of: UInt16(truncatingIfNeeded: y3).bigEndian, toByteOffset: 4, as: UInt16.self)
        output.storeBytes(of: UInt16(truncatingIfNeeded: y4).bigEndian, toByteOffset: 6, as: UInt16.self)
    }
}

/// Multiplication modulo 2¹⁶+1 of 16-bit values in which 0 stands for 2¹⁶.
@inline(__always)
private func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
    let product = a &* b
    // The product is zero only if an operand is 2¹⁶ (≡ -1): then the result is 1 - a - b.
    guard product != 0 else { return (1 &- a &- b) & 0xFFFF }
    let low = product & 0xFFFF
    let high = product >> 16
    // 2¹⁶ ≡ -1, so low + 2¹⁶·high ≡ low - high (plus the modulus when that is negative).
    return (low &- high &+ (low < high ? 1 : 0)) & 0xFFFF
}
