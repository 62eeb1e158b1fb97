import Testing

@testable import Mail

/// Boundaries and Message-IDs come from `RandomToken`: right length, right alphabet, every
/// character equally likely (bytes that would bias the choice are dropped).
@Suite("Random tokens")
struct RandomTokenTests {
    @Test func tokensHaveTheRequestedLengthAndAlphabet() {
        let alphanumerics = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let base32 = Set("abcdefghijklmnopqrstuvwxyz234567")
        for count in [0, 1, 7, 8, 9, 24, 30, 100] {
            let token = RandomToken.alphanumeric(count)
            #expect(token.count == count)
            #expect(token.allSatisfy(alphanumerics.contains))
            let other = RandomToken.base32(count)
            #expect(other.count == count)
            #expect(other.allSatisfy(base32.contains))
        }
        #expect(RandomToken.alphanumeric(30) != RandomToken.alphanumeric(30))
    }

    @Test func everyCharacterIsEquallyLikely() {
        // 620,000 characters: each of the 62 is expected 10,000 times, with a standard
        // deviation of about 99; a character outside 9,000...11,000 means a biased mapping
        // (a plain `byte % 62` gives the first 8 characters about 12,100 each, the rest 9,700).
        var counts: [Character: Int] = [:]
        for _ in 0..<6_200 {
            for character in RandomToken.alphanumeric(100) {
                counts[character, default: 0] += 1
            }
        }
        #expect(counts.count == 62)
        #expect(
            counts.values.allSatisfy { (9_000...11_000).contains($0) },
            "\(counts.sorted { $0.value < $1.value }.prefix(3))")
    }
}
