import Testing

@testable import OpenPGP

@Suite("HKDF")
struct HKDFTests {
    /// RFC 5869 Appendix A.1 (SHA-256, basic case).
    @Test func rfc5869CaseOne() throws {
        let okm = try HKDF.derive(
            .sha256, secret: [UInt8](repeating: 0x0B, count: 22), salt: Array(0x00...0x0C),
            info: Array(0xF0...0xF9), count: 42)
        #expect(
            okm.bytes.hexString.lowercased()
                == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// RFC 5869 Appendix A.3 (SHA-256, no salt, no info).
    @Test func rfc5869CaseThree() throws {
        let okm = try HKDF.derive(.sha256, secret: [UInt8](repeating: 0x0B, count: 22), info: [], count: 42)
        #expect(
            okm.bytes.hexString.lowercased()
                == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func refusesOtherHashes() {
        #expect(throws: OpenPGPError.self) { try HKDF.derive(.sha1, secret: [1], info: [], count: 16) }
    }
}
