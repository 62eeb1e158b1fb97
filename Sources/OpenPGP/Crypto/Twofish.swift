/// Twofish (Schneier, Kelsey, Whiting, Wagner, Hall, Ferguson, 1998): 128-bit block, 128-,
/// 192- or 256-bit key. OpenPGP uses it with 256-bit keys (algorithm 10).
///
/// "Full keying": key setup folds the key-dependent S-boxes and the MDS matrix into four
/// 256-entry tables, so one round is eight table lookups and a few additions. Lookups indexed
/// by secret data are not constant-time (cache timing); no table-based Twofish is, and
/// libcrypto has no Twofish to use instead.
final class Twofish: BlockEncryptor {
    static let blockSize = 16

    /// The four g-function tables (4 × 256 words) followed by the 40 round subkeys. Secret:
    /// wiped on deinit.
    private let schedule: UnsafeMutablePointer<UInt32>
    private static let scheduleCount = 4 * 256 + 40

    /// - Throws: `invalidArgument` unless the key has 16, 24 or 32 bytes.
    init(key: UnsafeRawBufferPointer) throws {
        guard key.count == 16 || key.count == 24 || key.count == 32 else {
            throw OpenPGPError(.invalidArgument, "a Twofish key has 16, 24 or 32 bytes, got \(key.count)")
        }
        let k = key.count / 8
        // The key as little-endian words M0…M(2k-1), split into even (Me) and odd (Mo) words.
        var even = [UInt32](repeating: 0, count: k)
        var odd = [UInt32](repeating: 0, count: k)
        var sBoxKey = [UInt32](repeating: 0, count: k)
        defer {
            even.withUnsafeMutableBytes { wipe($0) }
            odd.withUnsafeMutableBytes { wipe($0) }
            sBoxKey.withUnsafeMutableBytes { wipe($0) }
        }
        for i in 0..<k {
            even[i] = UInt32(littleEndian: key.loadUnaligned(fromByteOffset: 8 * i, as: UInt32.self))
            odd[i] = UInt32(littleEndian: key.loadUnaligned(fromByteOffset: 8 * i + 4, as: UInt32.self))
            // S(k-1-i) = RS · (key bytes 8i … 8i+7); the S-box key list is S(k-1), …, S0.
            var word: UInt32 = 0
            for row in 0..<4 {
                var value: UInt8 = 0
                for column in 0..<8 {
                    let byte = key.load(fromByteOffset: 8 * i + column, as: UInt8.self)
                    value ^= TwofishTables.multiply(TwofishTables.rs[row * 8 + column], byte, modulus: 0x14D)
                }
                word |= UInt32(value) << (8 * row)
            }
            sBoxKey[k - 1 - i] = word
        }

        schedule = .allocate(capacity: Self.scheduleCount)
        for byte in 0..<4 {
            for x in 0..<256 {
                schedule[256 * byte + x] =
                    TwofishTables.mds[256 * byte + Int(Self.permute(UInt8(x), byte: byte, key: sBoxKey))]
            }
        }
        let rho: UInt32 = 0x0101_0101
        for i in 0..<20 {
            let a = Self.h(UInt32(2 * i) &* rho, key: even)
            let b = rotateLeft(Self.h(UInt32(2 * i + 1) &* rho, key: odd), 8)
            schedule[1024 + 2 * i] = a &+ b
            schedule[1024 + 2 * i + 1] = rotateLeft(a &+ (b &<< 1), 9)
        }
    }

    deinit {
        wipe(UnsafeMutableRawBufferPointer(start: schedule, count: Self.scheduleCount * 4))
        schedule.deallocate()
    }

    /// The function h of the paper: each byte of `x` through its chain of q permutations
    /// keyed by `key`, then the MDS matrix.
    private static func h(_ x: UInt32, key: [UInt32]) -> UInt32 {
        var result: UInt32 = 0
        for byte in 0..<4 {
            let permuted = permute(UInt8(truncatingIfNeeded: x >> (8 * byte)), byte: byte, key: key)
            result ^= TwofishTables.mds[256 * byte + Int(permuted)]
        }
        return result
    }

    /// The q-permutation chain of h for byte `byte`, with k = `key.count` key words.
    private static func permute(_ value: UInt8, byte: Int, key: [UInt32]) -> UInt8 {
        // For each stage, bit `byte` tells whether that byte goes through q1 (set) or q0.
        func q(_ stage: UInt8, _ y: UInt8) -> UInt8 {
            (stage >> byte) & 1 == 1 ? TwofishTables.q1[Int(y)] : TwofishTables.q0[Int(y)]
        }
        func keyByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: key[index] >> (8 * byte)) }
        var y = value
        if key.count == 4 { y = q(0b1001, y) ^ keyByte(3) }
        if key.count >= 3 { y = q(0b0011, y) ^ keyByte(2) }
        y = q(0b1010, y) ^ keyByte(1)
        y = q(0b1100, y) ^ keyByte(0)
        return q(0b0101, y)
    }

    func encryptBlock(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer) {
        let s = schedule
        let k = schedule + 1024
        @inline(__always) func g(_ x: UInt32) -> UInt32 {
            s[Int(x & 0xFF)] ^ s[256 + Int((x &>> 8) & 0xFF)] ^ s[512 + Int((x &>> 16) & 0xFF)] ^ s[768 + Int(x &>> 24)]
        }
        var a = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) ^ k[0]
        var b = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) ^ k[1]
        var c = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) ^ k[2]
        var d = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) ^ k[3]
        // Two rounds per pass, so the halves trade places without moves.
        var round = 8
        while round < 40 {
            var t0 = g(a)
            var t1 = g(rotateLeft(b, 8))
            c = rotateRight(c ^ (t0 &+ t1 &+ k[round]), 1)
            d = rotateLeft(d, 1) ^ (t0 &+ (t1 &<< 1) &+ k[round + 1])
            t0 = g(c)
            t1 = g(rotateLeft(d, 8))
            a = rotateRight(a ^ (t0 &+ t1 &+ k[round + 2]), 1)
            b = rotateLeft(b, 1) ^ (t0 &+ (t1 &<< 1) &+ k[round + 3])
            round += 4
        }
        // Output whitening undoes the last swap.
        output.storeBytes(of: (c ^ k[4]).littleEndian, toByteOffset: 0, as: UInt32.self)
        output.storeBytes(of: (d ^ k[5]).littleEndian, toByteOffset: 4, as: UInt32.self)
        output.storeBytes(of: (a ^ k[6]).littleEndian, toByteOffset: 8, as: UInt32.self)
        output.storeBytes(of: (b ^ k[7]).littleEndian, toByteOffset: 12, as: UInt32.self)
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &<< n) | (x &>> (32 - n)) }

@inline(__always)
private func rotateRight(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 - n)) }

/// Twofish's fixed tables, built once from the definitions in the paper (§4.3.5, §4.3.2,
/// §4.3.3) rather than typed in as 256-entry lists.
private enum TwofishTables {
    /// The 8-bit permutations q0 and q1.
    static let q0 = permutation(
        [0x8, 0x1, 0x7, 0xD, 0x6, 0xF, 0x3, 0x2, 0x0, 0xB, 0x5, 0x9, 0xE, 0xC, 0xA, 0x4],
        [0xE, 0xC, 0xB, 0x8, 0x1, 0x2, 0x3, 0x5, 0xF, 0x4, 0xA, 0x6, 0x7, 0x0, 0x9, 0xD],
        [0xB, 0xA, 0x5, 0xE, 0x6, 0xD, 0x9, 0x0, 0xC, 0x8, 0xF, 0x3, 0x2, 0x4, 0x7, 0x1],
        [0xD, 0x7, 0xF, 0x4, 0x1, 0x2, 0x6, 0xE, 0x9, 0xB, 0x3, 0x0, 0x8, 0x5, 0xC, 0xA])
    static let q1 = permutation(
        [0x2, 0x8, 0xB, 0xD, 0xF, 0x7, 0x6, 0xE, 0x3, 0x1, 0x9, 0x4, 0x0, 0xA, 0xC, 0x5],
        [0x1, 0xE, 0x2, 0xB, 0x4, 0xC, 0x3, 0x7, 0x6, 0xD, 0xA, 0x5, 0xF, 0x9, 0x0, 0x8],
        [0x4, 0xC, 0x7, 0x5, 0x1, 0x6, 0x9, 0xA, 0x0, 0xE, 0xD, 0x8, 0x2, 0xB, 0x3, 0xF],
        [0xB, 0x9, 0x5, 0x1, 0xC, 0x3, 0xD, 0xE, 0x6, 0x4, 0x7, 0xF, 0x2, 0x0, 0x8, 0xA])

    /// Column j of the MDS matrix times each byte value, packed little-endian, at 256 × j.
    static let mds: [UInt32] = {
        let matrix: [UInt8] = [
            0x01, 0xEF, 0x5B, 0x5B,
            0x5B, 0xEF, 0xEF, 0x01,
            0xEF, 0x5B, 0x01, 0xEF,
            0xEF, 0x01, 0xEF, 0x5B,
        ]
        var table = [UInt32](repeating: 0, count: 1024)
        for column in 0..<4 {
            for value in 0..<256 {
                var word: UInt32 = 0
                for row in 0..<4 {
                    word |= UInt32(multiply(matrix[row * 4 + column], UInt8(value), modulus: 0x169)) << (8 * row)
                }
                table[256 * column + value] = word
            }
        }
        return table
    }()

    /// The Reed-Solomon matrix that derives the S-box key from the key, row by row.
    static let rs: [UInt8] = [
        0x01, 0xA4, 0x55, 0x87, 0x5A, 0x58, 0xDB, 0x9E,
        0xA4, 0x56, 0x82, 0xF3, 0x1E, 0xC6, 0x68, 0xE5,
        0x02, 0xA1, 0xFC, 0xC1, 0x47, 0xAE, 0x3D, 0x19,
        0xA4, 0x55, 0x87, 0x5A, 0x58, 0xDB, 0x9E, 0x03,
    ]

    /// Multiplication in GF(2⁸) with the given reduction polynomial.
    static func multiply(_ a: UInt8, _ b: UInt8, modulus: UInt16) -> UInt8 {
        var result: UInt16 = 0
        var x = UInt16(a)
        var y = b
        while y != 0 {
            if y & 1 == 1 { result ^= x }
            x <<= 1
            if x & 0x100 != 0 { x ^= modulus }
            y >>= 1
        }
        return UInt8(result)
    }

    /// A q permutation from its four 4-bit tables t0…t3.
    private static func permutation(_ t0: [UInt8], _ t1: [UInt8], _ t2: [UInt8], _ t3: [UInt8]) -> [UInt8] {
        // Rotate a nibble right by one bit.
        func ror4(_ x: UInt8) -> UInt8 { ((x >> 1) | (x << 3)) & 0xF }
        return (0..<256).map { x in
            var a = UInt8(x >> 4)
            var b = UInt8(x & 0xF)
            (a, b) = (a ^ b, a ^ ror4(b) ^ ((a << 3) & 0xF))
            (a, b) = (t0[Int(a)], t1[Int(b)])
            (a, b) = (a ^ b, a ^ ror4(b) ^ ((a << 3) & 0xF))
            (a, b) = (t2[Int(a)], t3[Int(b)])
            return b << 4 | a
        }
    }
}
