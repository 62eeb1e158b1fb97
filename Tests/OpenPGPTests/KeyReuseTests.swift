import Testing

@testable import OpenPGP

/// The libcrypto keys kept with secret key material (``EVPKeyCache``) and the ciphers
/// fetched once per process (``CipherTable``): reused across messages and tasks.
@Suite("Key and cipher reuse")
struct KeyReuseTests {
    @Test func cacheKeepsTheFirstKeyForTheSamePublicPart() throws {
        let cache = EVPKeyCache()
        let seed = Ed25519.generateSeed()
        var made = 0
        func make() throws -> EVPKey {
            made += 1
            return try Ed25519.privateKey(seed: seed)
        }
        let first = try cache.key(publicPart: [1], make)
        #expect(try cache.key(publicPart: [1], make) === first)
        #expect(made == 1)
        // Other public values get a key of their own, and the kept one stays.
        #expect(try cache.key(publicPart: [2], make) !== first)
        #expect(try cache.key(publicPart: [1], make) === first)
        #expect(made == 2)
    }

    @Test(arguments: [SecretKey.KeyType.curve25519, .rsa(bits: 2048)])
    func oneKeySignsAndDecryptsManyMessagesFromManyTasks(_ type: SecretKey.KeyType) async throws {
        let alice = try SecretKey.generate(userID: "Alice <alice@example.org>", type: type)
        let bob = try SecretKey.generate(userID: "Bob <bob@example.org>", type: type)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var good = true
                    for index in 0..<4 {
                        let data = Array("message \(index) of task \(task)".utf8)
                        let message = try OpenPGPMessage.encrypt(data, for: [bob.certificate], signedBy: [alice])
                        let result = try OpenPGPMessage.decrypt(
                            message, using: [bob], verifyingWith: [alice.certificate])
                        good = good && result.data == data && result.signatures.map(\.status) == [.good]
                    }
                    return good
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 })
    }

    @Test func everyCipherWithALibcryptoNameIsFetchedOnce() {
        let table = CipherTable.shared
        for algorithm in [SymmetricAlgorithm.aes128, .aes192, .aes256, .camellia128, .camellia192, .camellia256] {
            #expect(table.cfb[algorithm] != nil)
            #expect(algorithm.libcryptoCFBCipher() == table.cfb[algorithm])
        }
        #expect(Set(table.keyWrap.keys) == [16, 24, 32])
        #expect(table.cfb[.twofish] == nil)
    }
}
