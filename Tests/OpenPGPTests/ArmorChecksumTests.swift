import Testing

@testable import OpenPGP

@Suite("Armor checksum and line encoding")
struct ArmorChecksumTests {
    /// The bit-at-a-time definition of RFC 9580 §6.1.1, as the reference.
    private func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x186_4CFB }
            }
        }
        return crc & 0xFF_FFFF
    }

    private func crc(_ bytes: [UInt8], splitAt splits: [Int] = []) -> UInt32 {
        var crc = CRC24()
        var start = 0
        for end in splits + [bytes.count] {
            bytes[start..<end].withUnsafeBytes { crc.update($0) }
            start = end
        }
        return crc.value
    }

    @Test func checkValue() {
        // CRC-24/OpenPGP of "123456789".
        #expect(crc(Array("123456789".utf8)) == 0x21_CF02)
        #expect(crc([]) == 0xB7_04CE)
    }

    @Test func matchesTheRFCDefinitionWhateverTheSplits() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 9, 15, 16, 17, 63, 64, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = reference(bytes)
            #expect(crc(bytes) == expected, "\(length)")
            #expect(crc(bytes, splitAt: [length / 3, length / 2]) == expected, "\(length) split")
        }
    }

    @Test func linesMatchTheOneShotEncoder() {
        let bytes = (0..<(48 * 5)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        for newline in [[UInt8(0x0A)], [0x0D, 0x0A]] {
            var lines: [UInt8] = [1, 2]
            bytes.withUnsafeBytes { Base64.encodeLines($0, newline: newline, into: &lines) }
            var expected: [UInt8] = [1, 2]
            for line in 0..<5 {
                expected += Base64.encode(Array(bytes[line * 48..<(line + 1) * 48])) + newline
            }
            #expect(lines == expected)
        }
    }
}
