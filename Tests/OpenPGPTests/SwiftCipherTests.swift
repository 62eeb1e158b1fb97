import COpenSSL
import Testing

@testable import OpenPGP

/// Encrypts one block with a Swift cipher.
private func encrypt<Cipher: BlockEncryptor>(_ cipher: Cipher, _ block: [UInt8]) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: block.count)
    block.withUnsafeBytes { input in
        output.withUnsafeMutableBytes { cipher.encryptBlock(input.baseAddress!, $0.baseAddress!) }
    }
    return output
}

private func twofish(key: [UInt8]) throws -> Twofish { try key.withUnsafeBytes { try Twofish(key: $0) } }
private func idea(key: [UInt8]) throws -> IDEA { try key.withUnsafeBytes { try IDEA(key: $0) } }
private func hex(_ text: String) throws -> [UInt8] { try #require(bytes(fromHex: text)) }

@Suite("Twofish and IDEA block ciphers")
struct BlockCipherVectorTests {
    /// Known answers from the Twofish paper (Schneier et al., "Twofish: A 128-Bit Block
    /// Cipher", Appendix A.1) and the reference submission's ECB_TBL.TXT.
    static let twofishKnownAnswers: [(key: String, plaintext: String, ciphertext: String)] = [
        ("00000000000000000000000000000000", "00000000000000000000000000000000", "9F589F5CF6122C32B6BFEC2F2AE8C35A"),
        (
            "0123456789ABCDEFFEDCBA98765432100011223344556677", "00000000000000000000000000000000",
            "CFD1D2E5A9BE9CDF501F13B892BD2248"
        ),
        (
            "0123456789ABCDEFFEDCBA987654321000112233445566778899AABBCCDDEEFF", "00000000000000000000000000000000",
            "37527BE0052334B89F0CFCCAE87CFA20"
        ),
        // ECB_TBL.TXT, KEYSIZE=256, I=1, 2, 3 and 49.
        (
            "0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000",
            "57FF739D4DC92C1BD7FC01700CC8216F"
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000000", "57FF739D4DC92C1BD7FC01700CC8216F",
            "D43BB7556EA32E46F2A282B7D45B4E0D"
        ),
        (
            "57FF739D4DC92C1BD7FC01700CC8216F00000000000000000000000000000000", "D43BB7556EA32E46F2A282B7D45B4E0D",
            "90AFE91BB288544F2C32DC239B2635E6"
        ),
        (
            "248A7F3528B168ACFDD1386E3F51E30C2E2158BC3E5FC714C1EEECA0EA696D48", "431058F4DBC7F734DA4F02F04CC4F459",
            "37FE26FF1CF66175F5DDF4C33B97A205"
        ),
    ]

    @Test func twofishMatchesPublishedKnownAnswers() throws {
        for vector in Self.twofishKnownAnswers {
            let cipher = try twofish(key: try hex(vector.key))
            #expect(encrypt(cipher, try hex(vector.plaintext)).hexString == vector.ciphertext, "key \(vector.key)")
        }
    }

    /// The iterated table of ECB_TBL.TXT (also the paper's Appendix A.2): start from a zero
    /// key and block; each step the plaintext becomes the key's first 16 bytes (the rest
    /// shifts along) and the ciphertext the next plaintext. Expected results at I=49.
    @Test(arguments: [
        (16, "5D9D4EEFFA9151575524F115815A12E0"),
        (24, "E75449212BEEF9F4A390BD860A640941"),
        (32, "37FE26FF1CF66175F5DDF4C33B97A205"),
    ])
    func twofishIteratedTableAtI49(keySize: Int, expected: String) throws {
        var key = [UInt8](repeating: 0, count: keySize)
        var block = [UInt8](repeating: 0, count: 16)
        for _ in 1...49 {
            let ciphertext = encrypt(try twofish(key: key), block)
            key = Array((block + key).prefix(keySize))
            block = ciphertext
        }
        #expect(block.hexString == expected)
    }

    /// Known answers for IDEA: the example of Lai's thesis and the ETH/Ascom specification
    /// (also Handbook of Applied Cryptography, Example 7.108), and NESSIE's IDEA vectors.
    static let ideaKnownAnswers: [(key: String, plaintext: String, ciphertext: String)] = [
        ("00010002000300040005000600070008", "0000000100020003", "11FBED2B01986DE5"),
        ("00010002000300040005000600070008", "0102030405060708", "540E5FEA18C2F8B1"),
        ("00010002000300040005000600070008", "0019324B647D96AF", "9F0A0AB6E10CED78"),
        ("00010002000300040005000600070008", "F5202D5B9C671B08", "CF18FD7355E2C5C5"),
        ("00010002000300040005000600070008", "FAE6D2BEAA96826E", "85DF52005608193D"),
        ("006400C8012C019001F4025802BC0320", "05320A6414C819FA", "65BE87E7A2538AED"),
        // NESSIE: set 1 vectors 0 and 1, set 2 vector 0, set 3 vector 0.
        ("80000000000000000000000000000000", "0000000000000000", "B1F5F7F87901370F"),
        ("40000000000000000000000000000000", "0000000000000000", "B3927DFFB6358626"),
        ("00000000000000000000000000000000", "8000000000000000", "8001000180008000"),
        ("00000000000000000000000000000000", "0000000000000000", "0001000100000000"),
        ("000102030405060708090A0B0C0D0E0F", "DB2D4A92AA68273F", "0011223344556677"),
    ]

    @Test func ideaMatchesPublishedKnownAnswers() throws {
        for vector in Self.ideaKnownAnswers {
            let cipher = try idea(key: try hex(vector.key))
            #expect(encrypt(cipher, try hex(vector.plaintext)).hexString == vector.ciphertext, "key \(vector.key)")
        }
    }

    @Test func wrongKeySizesAreTypedErrors() throws {
        for size in [0, 15, 17, 31, 33] {
            #expect(throws: OpenPGPError.self) { try twofish(key: [UInt8](repeating: 1, count: size)) }
        }
        for size in [0, 8, 15, 17, 32] {
            #expect(throws: OpenPGPError.self) { try idea(key: [UInt8](repeating: 1, count: size)) }
        }
        #expect(throws: OpenPGPError.self) {
            try CFBCipher(.twofish, key: SecureBytes([UInt8](repeating: 1, count: 16)), encrypting: true)
        }
        #expect(throws: OpenPGPError.self) {
            try CFBCipher(.idea, key: SecureBytes([UInt8](repeating: 1, count: 16)), iv: [0, 0], encrypting: true)
        }
    }
}

/// AES through libcrypto's ECB mode, one block at a time: a test-only `BlockEncryptor` to
/// compare the Swift CFB mode with EVP's own CFB.
private final class EVPAESBlock: BlockEncryptor {
    static let blockSize = 16
    private let context: OpaquePointer

    init(key: [UInt8]) throws {
        LibCrypto.initialize()
        let cipher = try #require(EVP_CIPHER_fetch(nil, "AES-\(key.count * 8)-ECB", nil))
        defer { EVP_CIPHER_free(cipher) }
        context = try #require(EVP_CIPHER_CTX_new())
        #expect(EVP_CipherInit_ex2(context, cipher, key, nil, 1, nil) == 1)
        EVP_CIPHER_CTX_set_padding(context, 0)
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    func encryptBlock(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer) {
        var written: Int32 = 0
        _ = EVP_CipherUpdate(
            context, output.assumingMemoryBound(to: UInt8.self), &written, input.assumingMemoryBound(to: UInt8.self), 16
        )
    }
}

@Suite("CFB mode over Swift block ciphers")
struct SwiftCFBTests {
    /// A deterministic, non-repeating test pattern.
    static func pattern(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// CFB written out from its definition with single-block encryptions:
    /// C[i] = P[i] ⊕ E(C[i-1]), C[-1] = IV, the last block truncated.
    static func referenceCFB<Cipher: BlockEncryptor>(_ cipher: Cipher, iv: [UInt8], _ plaintext: [UInt8]) -> [UInt8] {
        var feedback = iv
        var output: [UInt8] = []
        var start = 0
        while start < plaintext.count {
            let keystream = encrypt(cipher, feedback)
            let block = plaintext[start..<min(start + Cipher.blockSize, plaintext.count)]
            let encrypted = zip(block, keystream).map { $0 ^ $1 }
            output += encrypted
            feedback = encrypted
            start += Cipher.blockSize
        }
        return output
    }

    /// Runs `input` through `transform` in pieces of the given sizes (cycled).
    static func run<Cipher>(_ transform: CFBMode<Cipher>, _ input: [UInt8], pieces: [Int]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count)
        var offset = 0
        var index = 0
        input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                while offset < input.count {
                    let length = min(pieces[index % pieces.count], input.count - offset)
                    transform.update(
                        UnsafeRawBufferPointer(rebasing: inBytes[offset..<offset + length]),
                        into: UnsafeMutableRawBufferPointer(rebasing: outBytes[offset..<offset + length]))
                    offset += length
                    index += 1
                }
            }
        }
        return output
    }

    static let splits: [[Int]] = [[1_000_000], [1], [3, 5, 7], [16], [17, 15, 1], [8, 64, 9]]

    @Test(arguments: [SymmetricAlgorithm.twofish, .idea])
    func swiftCFBMatchesTheDefinitionForAnySplit(algorithm: SymmetricAlgorithm) throws {
        let keySize = try #require(algorithm.keySize)
        let blockSize = try #require(algorithm.blockSize)
        let keyBytes = Self.pattern(keySize, seed: 7)
        let iv = Self.pattern(blockSize, seed: 9)
        let plaintext = Self.pattern(1000, seed: 11)
        /// Checks CFBMode over `make()` against the definition, for every split.
        func check<Cipher: BlockEncryptor>(_ make: () throws -> Cipher) throws -> [UInt8] {
            let expected = Self.referenceCFB(try make(), iv: iv, plaintext)
            #expect(expected != plaintext)
            for pieces in Self.splits {
                let encryptingCipher = try make()
                let decryptingCipher = try make()
                let encrypter = iv.withUnsafeBytes { CFBMode(cipher: encryptingCipher, iv: $0, encrypting: true) }
                #expect(Self.run(encrypter, plaintext, pieces: pieces) == expected, "split \(pieces)")
                let decrypter = iv.withUnsafeBytes { CFBMode(cipher: decryptingCipher, iv: $0, encrypting: false) }
                #expect(Self.run(decrypter, expected, pieces: pieces) == plaintext, "split \(pieces)")
            }
            return expected
        }
        let expected =
            algorithm == .twofish ? try check { try twofish(key: keyBytes) } : try check { try idea(key: keyBytes) }
        let key = SecureBytes(keyBytes)
        // CFBCipher chooses the Swift implementation, as libcrypto lacks these ciphers.
        #expect(try CFBCipher(algorithm, key: key, iv: iv, encrypting: true).update(plaintext) == expected)
        #expect(try CFBCipher(algorithm, key: key, iv: iv, encrypting: false).update(expected) == plaintext)
    }

    @Test(arguments: [16, 24, 32])
    func swiftCFBGivesTheSameBytesAsEVPCFB(keySize: Int) throws {
        let keyBytes = Self.pattern(keySize, seed: 3)
        let iv = Self.pattern(16, seed: 5)
        let plaintext = Self.pattern(4099, seed: 13)
        let algorithm: SymmetricAlgorithm = keySize == 16 ? .aes128 : keySize == 24 ? .aes192 : .aes256
        let evp = try CFBCipher(algorithm, key: SecureBytes(keyBytes), iv: iv, encrypting: true).update(plaintext)
        for pieces in Self.splits {
            let encryptingBlock = try EVPAESBlock(key: keyBytes)
            let decryptingBlock = try EVPAESBlock(key: keyBytes)
            let encrypter = iv.withUnsafeBytes { CFBMode(cipher: encryptingBlock, iv: $0, encrypting: true) }
            #expect(Self.run(encrypter, plaintext, pieces: pieces) == evp, "split \(pieces)")
            let decrypter = iv.withUnsafeBytes { CFBMode(cipher: decryptingBlock, iv: $0, encrypting: false) }
            #expect(Self.run(decrypter, evp, pieces: pieces) == plaintext, "split \(pieces)")
        }
    }

    @Test func inPlaceTransformationWorks() throws {
        let key = SecureBytes(Self.pattern(32))
        let plaintext = Self.pattern(100, seed: 2)
        let expected = try CFBCipher(.twofish, key: key, encrypting: true).update(plaintext)
        var buffer = plaintext
        let cipher = try CFBCipher(.twofish, key: key, encrypting: true)
        buffer.withUnsafeMutableBytes { cipher.update(UnsafeRawBufferPointer($0), into: $0) }
        #expect(buffer == expected)
    }

    @Test func everyOpenPGPCipherIsSupported() {
        let all: [SymmetricAlgorithm] = [
            .idea, .tripleDES, .cast5, .blowfish, .aes128, .aes192, .aes256, .twofish, .camellia128, .camellia192,
            .camellia256,
        ]
        for algorithm in all { #expect(algorithm.isSupported, "\(algorithm)") }
        #expect(!SymmetricAlgorithm.plaintext.isSupported)
        #expect(!SymmetricAlgorithm(rawValue: 100).isSupported)
    }

    @Test(arguments: [SymmetricAlgorithm.twofish, .idea])
    func messagesRoundTripWithSwiftCiphers(algorithm: SymmetricAlgorithm) throws {
        let key = try SecretKey.generate(userID: "Swift Cipher <cipher@example.org>")
        let plaintext = Self.pattern(200_000, seed: 17)
        let message = try OpenPGPMessage.encrypt(
            plaintext, for: [key.certificate], signedBy: [key], options: MessageOptions(cipher: algorithm))
        let result = try OpenPGPMessage.decrypt(message, using: [key], verifyingWith: [key.certificate])
        #expect(result.data == plaintext)
        #expect(result.symmetricAlgorithm == algorithm)
        #expect(result.signatures.map(\.status) == [.good])
    }
}
