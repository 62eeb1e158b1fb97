import Testing

@testable import OpenPGP

@Suite("Algorithm negotiation")
struct AlgorithmNegotiationTests {
    private static let v2Features: UInt8 = 0x09

    private func negotiation(
        _ recipients: [AlgorithmPreferences], passphrases: Bool = false, aeadWritable: Bool = true
    ) -> AlgorithmNegotiation {
        AlgorithmNegotiation(
            recipients: recipients, hasPassphrases: passphrases,
            writableCiphersuites: { aeadWritable && $0.cipher.isSupported },
            writableCipher: \.isSupported)
    }

    @Test func singlePreferredCipherIsUsed() throws {
        for cipher in [SymmetricAlgorithm.aes256, .camellia256, .twofish, .aes192] {
            let chosen = try negotiation([AlgorithmPreferences(symmetric: [cipher])]).encryption(MessageOptions())
            #expect(chosen == .init(cipher: cipher, aead: nil))
        }
    }

    @Test func intersectionInTheFirstRecipientsOrder() throws {
        let first = AlgorithmPreferences(symmetric: [.aes256, .camellia256, .aes192])
        let second = AlgorithmPreferences(symmetric: [.aes192, .camellia256])
        #expect(try negotiation([first, second]).encryption(MessageOptions()).cipher == .camellia256)
        #expect(try negotiation([second, first]).encryption(MessageOptions()).cipher == .aes192)
    }

    @Test func aes128IsImplicitlyAcceptedByEveryone() throws {
        let first = AlgorithmPreferences(symmetric: [.aes256])
        let second = AlgorithmPreferences(symmetric: [.camellia256])
        #expect(try negotiation([first, second]).encryption(MessageOptions()).cipher == .aes128)
        #expect(try negotiation([AlgorithmPreferences()]).encryption(MessageOptions()).cipher == .aes128)
        #expect(try negotiation([]).encryption(MessageOptions()).cipher == .aes128)
    }

    @Test func weakCiphersAreNeverChosenImplicitly() throws {
        let legacy = AlgorithmPreferences(symmetric: [.idea, .tripleDES, .cast5, .blowfish, .twofish])
        #expect(try negotiation([legacy]).encryption(MessageOptions()).cipher == .twofish)
        let onlyWeak = AlgorithmPreferences(symmetric: [.cast5, .tripleDES])
        #expect(try negotiation([onlyWeak]).encryption(MessageOptions()).cipher == .aes128)
        // Named explicitly, a weak cipher is used.
        #expect(try negotiation([onlyWeak]).encryption(MessageOptions(cipher: .cast5)).cipher == .cast5)
    }

    @Test func explicitCipherOverrides() throws {
        let prefers = AlgorithmPreferences(symmetric: [.aes256])
        #expect(try negotiation([prefers]).encryption(MessageOptions(cipher: .camellia128)).cipher == .camellia128)
    }

    @Test func seipdV2OnlyWhenEveryRecipientAnnouncesIt() throws {
        let modern = AlgorithmPreferences(
            symmetric: [.aes256], aeadCiphersuites: [AEADCiphersuite(.aes256, .gcm)], features: Self.v2Features)
        let old = AlgorithmPreferences(symmetric: [.aes256], features: 0x01)
        #expect(try negotiation([modern]).encryption(MessageOptions()) == .init(cipher: .aes256, aead: .gcm))
        #expect(try negotiation([modern, old]).encryption(MessageOptions()) == .init(cipher: .aes256, aead: nil))
        // Passphrases: their readers announce nothing.
        #expect(try negotiation([modern], passphrases: true).encryption(MessageOptions()).aead == nil)
        // Forced off.
        #expect(try negotiation([modern]).encryption(MessageOptions(aead: .never)).aead == nil)
        // Without a stated ciphersuite, the implicit AES-128/OCB.
        let bare = AlgorithmPreferences(features: Self.v2Features)
        #expect(try negotiation([bare]).encryption(MessageOptions()) == .init(cipher: .aes128, aead: .ocb))
    }

    @Test func aeadCiphersuiteIntersection() throws {
        let first = AlgorithmPreferences(
            aeadCiphersuites: [AEADCiphersuite(.aes256, .ocb), AEADCiphersuite(.aes256, .gcm)],
            features: Self.v2Features)
        let second = AlgorithmPreferences(
            aeadCiphersuites: [AEADCiphersuite(.aes256, .gcm)], features: Self.v2Features)
        #expect(try negotiation([first, second]).encryption(MessageOptions()) == .init(cipher: .aes256, aead: .gcm))
        // An explicit cipher keeps the mode they agree on for it.
        #expect(
            try negotiation([first, second]).encryption(MessageOptions(cipher: .aes128))
                == .init(cipher: .aes128, aead: .ocb))
    }

    @Test func unwritableAEADFallsBackOrFails() throws {
        let modern = AlgorithmPreferences(features: Self.v2Features)
        let engine = negotiation([modern], aeadWritable: false)
        #expect(try engine.encryption(MessageOptions()).aead == nil)
        #expect(throws: OpenPGPError.self) { try engine.encryption(MessageOptions(aead: .always(.eax))) }
    }

    @Test func hashFromPreferences() {
        let first = AlgorithmPreferences(hash: [.sha1, .sha512, .sha384])
        let second = AlgorithmPreferences(hash: [.sha384])
        #expect(negotiation([first, second]).hash(requested: nil) == .sha384)
        #expect(negotiation([first]).hash(requested: nil) == .sha512)
        #expect(negotiation([AlgorithmPreferences(hash: [.md5, .sha1])]).hash(requested: nil) == .sha256)
        #expect(negotiation([first]).hash(requested: .sha224) == .sha224)
        #expect(negotiation([]).hash(requested: nil) == .sha256)
    }

    @Test func certificatePreferencesOfAGeneratedKey() throws {
        let key = try SecretKey.generate(userID: "Prefs <prefs@example.org>")
        let preferences = key.certificate.preferences
        #expect(preferences.symmetric == [.aes256, .aes192, .aes128])
        #expect(preferences.hash.first == .sha512)
        #expect(preferences.features & 0x01 != 0)
        let message = try OpenPGPMessage.encrypt(Array("hello".utf8), for: [key.certificate])
        let read = try OpenPGPMessage.decrypt(message, using: [key])
        #expect(read.symmetricAlgorithm == .aes256)
    }
}
