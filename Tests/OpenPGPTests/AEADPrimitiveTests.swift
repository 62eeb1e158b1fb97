import Foundation
import Testing

@testable import OpenPGP

/// The AEAD modes against published known answers: OCB (RFC 7253 Appendix A), EAX (the
/// Bellare–Rogaway–Wagner paper, Appendix G) and GCM (McGrew–Viega test cases).
@Suite("AEAD primitives")
struct AEADPrimitiveTests {
    struct Vector: Sendable, CustomStringConvertible {
        let key: String
        let nonce: String
        let header: String
        let plaintext: String
        /// Ciphertext followed by the 16-byte tag.
        let sealed: String
        var description: String { "\(nonce)/\(plaintext.count / 2) bytes" }
    }

    static let ocbKey = "000102030405060708090A0B0C0D0E0F"
    static let ocbLong = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627"

    /// RFC 7253 Appendix A (AES-128, 128-bit tags, 12-byte nonces).
    static let ocb: [Vector] = [
        Vector(
            key: ocbKey, nonce: "BBAA99887766554433221100", header: "", plaintext: "",
            sealed: "785407BFFFC8AD9EDCC5520AC9111EE6"),
        Vector(
            key: ocbKey, nonce: "BBAA99887766554433221101", header: "0001020304050607", plaintext: "0001020304050607",
            sealed: "6820B3657B6F615A5725BDA0D3B4EB3A257C9AF1F8F03009"),
        Vector(
            key: ocbKey, nonce: "BBAA9988776655443322110D", header: ocbLong, plaintext: ocbLong,
            sealed:
                "D5CA91748410C1751FF8A2F618255B68A0A12E093FF454606E59F9C1D0DDC54B65E8628E568BAD7AED07BA06A4A69483A7035490C5769E60"
        ),
        Vector(
            key: ocbKey, nonce: "BBAA9988776655443322110E", header: ocbLong, plaintext: "",
            sealed: "C5CD9D1850C141E358649994EE701B68"),
        Vector(
            key: ocbKey, nonce: "BBAA9988776655443322110F", header: "", plaintext: ocbLong,
            sealed:
                "4412923493C57D5DE0D700F753CCE0D1D2D95060122E9F15A5DDBFC5787E50B5CC55EE507BCB084E479AD363AC366B95A98CA5F3000B1479"
        ),
    ]

    /// The EAX paper, Appendix G (AES-128, 16-byte nonces).
    static let eax: [Vector] = [
        Vector(
            key: "233952DEE4D5ED5F9B9C6D6FF80FF478", nonce: "62EC67F9C3A4A407FCB2A8C49031A8B3",
            header: "6BFB914FD07EAE6B", plaintext: "", sealed: "E037830E8389F27B025A2D6527E79D01"),
        Vector(
            key: "91945D3F4DCBEE0BF45EF52255F095A4", nonce: "BECAF043B0A23D843194BA972C66DEBD",
            header: "FA3BFD4806EB53FA", plaintext: "F7FB", sealed: "19DD5C4C9331049D0BDAB0277408F67967E5"),
        Vector(
            key: "01F74AD64077F2E704C0F60ADA3DD523", nonce: "70C3DB4F0D26368400A10ED05D2BFF5E",
            header: "234A3463C1264AC6", plaintext: "1A47CB4933", sealed: "D851D5BAE03A59F238A23E39199DC9266626C40F80"),
        Vector(
            key: "8395FCF1E95BEBD697BD010BC766AAC3", nonce: "22E7ADD93CFC6393C57EC0B3C17D6B44",
            header: "126735FCC320D25A", plaintext: "CA40D7446E545FFAED3BD12A740A659FFBBB3CEAB7",
            sealed: "CB8920F87A6C75CFF39627B56E3ED197C552D295A7CFC46AFC253B4652B1AF3795B124AB6E"),
    ]

    /// McGrew–Viega "The Galois/Counter Mode of Operation", test cases 1–3 (AES-128).
    static let gcm: [Vector] = [
        Vector(
            key: "00000000000000000000000000000000", nonce: "000000000000000000000000", header: "", plaintext: "",
            sealed: "58E2FCCEFA7E3061367F1D57A4E7455A"),
        Vector(
            key: "00000000000000000000000000000000", nonce: "000000000000000000000000", header: "",
            plaintext: "00000000000000000000000000000000",
            sealed: "0388DACE60B6A392F328C2B971B2FE78AB6E47D42CEC13BDF53A67B21257BDDF"),
        Vector(
            key: "FEFFE9928665731C6D6A8F9467308308", nonce: "CAFEBABEFACEDBADDECAF888", header: "",
            plaintext:
                "D9313225F88406E5A55909C5AFF5269A86A7A9531534F7DA2E4C303D8A318A721C3C0C95956809532FCF0E2449A6B525B16AEDF5AA0DE657BA637B391AAFD255",
            sealed:
                "42831EC2217774244B7221B784D0D49CE3AA212F2C02A4E035C17E2329ACA12E21D514B25466931C7D8F6A5AAC84AA051BA30B396A0AAC973D58E091473F59854D5C2AF327CD64A62CF35ABD2BA6FAB4"
        ),
    ]

    static func hex(_ text: String) -> [UInt8] { bytes(fromHex: text) ?? [] }

    func check(_ mode: AEADAlgorithm, _ vector: Vector) throws {
        let nonce = Self.hex(vector.nonce)
        let cipher = try AEADCipher(
            mode, algorithm: .aes128, key: SecureBytes(Self.hex(vector.key)), nonceSize: nonce.count)
        let header = Self.hex(vector.header)
        let sealed = try cipher.seal(nonce: nonce, associatedData: header, plaintext: Self.hex(vector.plaintext))
        #expect(sealed == Self.hex(vector.sealed))
        #expect(try cipher.open(nonce: nonce, associatedData: header, sealed: sealed) == Self.hex(vector.plaintext))
        // Every flipped bit, in ciphertext or tag, and a changed header are refused.
        for index in [0, sealed.count / 2, sealed.count - 1] {
            var modified = sealed
            modified[index] ^= 0x80
            #expect(
                errorCode { _ = try cipher.open(nonce: nonce, associatedData: header, sealed: modified) }
                    == .integrityCheckFailed)
        }
        #expect(
            errorCode { _ = try cipher.open(nonce: nonce, associatedData: header + [0], sealed: sealed) }
                == .integrityCheckFailed)
    }

    @Test(arguments: ocb) func ocbMatchesRFC7253(_ vector: Vector) throws { try check(.ocb, vector) }
    @Test(arguments: eax) func eaxMatchesThePaper(_ vector: Vector) throws { try check(.eax, vector) }
    @Test(arguments: gcm) func gcmMatchesMcGrewViega(_ vector: Vector) throws { try check(.gcm, vector) }

    @Test func failedOpenReleasesNoPlaintext() throws {
        for mode in [AEADAlgorithm.ocb, .gcm, .eax] {
            let cipher = try AEADCipher(mode, algorithm: .aes256, key: SecureBytes.random(count: 32))
            let nonce = [UInt8](repeating: 7, count: cipher.nonceSize)
            let plaintext = [UInt8](repeating: 0x5A, count: 100)
            var sealed = try cipher.seal(nonce: nonce, associatedData: [1, 2], plaintext: plaintext)
            sealed[sealed.count - 1] ^= 1
            var output = [UInt8](repeating: 0xEE, count: plaintext.count)
            #expect(
                errorCode {
                    try sealed.withUnsafeBytes { input in
                        try output.withUnsafeMutableBytes {
                            try cipher.open(nonce: nonce, associatedData: [1, 2], sealed: input, into: $0)
                        }
                    }
                } == .integrityCheckFailed, "\(mode)")
            #expect(!output.contains(0x5A), "\(mode) left plaintext behind")
        }
    }

    @Test func cipherAndModeSupport() throws {
        for algorithm in [SymmetricAlgorithm.aes128, .aes192, .aes256] {
            for mode in [AEADAlgorithm.ocb, .eax, .gcm] {
                #expect(algorithm.supportsAEAD(mode), "\(mode) with \(algorithm)")
            }
        }
        // libcrypto has OCB and GCM for AES only; EAX is built here over Camellia's CTR and CMAC.
        #expect(!SymmetricAlgorithm.camellia128.supportsAEAD(.ocb))
        #expect(!SymmetricAlgorithm.camellia256.supportsAEAD(.gcm))
        #expect(SymmetricAlgorithm.camellia256.supportsAEAD(.eax))
        #expect(!SymmetricAlgorithm.twofish.supportsAEAD(.eax))
        #expect(!SymmetricAlgorithm.aes128.supportsAEAD(AEADAlgorithm(rawValue: 4)))
        let camellia = try AEADCipher(.eax, algorithm: .camellia128, key: SecureBytes.random(count: 16))
        let nonce = [UInt8](repeating: 1, count: 16)
        let sealed = try camellia.seal(nonce: nonce, associatedData: [], plaintext: Array("camellia".utf8))
        #expect(try camellia.open(nonce: nonce, associatedData: [], sealed: sealed) == Array("camellia".utf8))
        #expect(
            errorCode { _ = try AEADCipher(.ocb, algorithm: .twofish, key: SecureBytes.random(count: 32)) }
                == .unsupportedAlgorithm)
        #expect(
            errorCode { _ = try AEADCipher(.gcm, algorithm: .aes128, key: SecureBytes.random(count: 32)) }
                == .invalidArgument)
    }

    /// One cipher object seals many chunks with fresh nonces (the key schedule is reused).
    @Test func oneCipherManyNonces() throws {
        for mode in [AEADAlgorithm.ocb, .gcm, .eax] {
            let cipher = try AEADCipher(mode, algorithm: .aes128, key: SecureBytes.random(count: 16))
            var seen: Set<[UInt8]> = []
            for index in 0..<20 {
                let nonce = [UInt8](repeating: UInt8(index), count: cipher.nonceSize)
                let plaintext = [UInt8](repeating: 0x42, count: index * 7)
                let sealed = try cipher.seal(nonce: nonce, associatedData: [UInt8(index)], plaintext: plaintext)
                #expect(try cipher.open(nonce: nonce, associatedData: [UInt8(index)], sealed: sealed) == plaintext)
                seen.insert(sealed)
            }
            #expect(seen.count == 20)
        }
    }
}
