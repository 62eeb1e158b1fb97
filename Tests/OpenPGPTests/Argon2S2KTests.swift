import Foundation
import Testing

@testable import OpenPGP

/// Serialized: several tests derive with 2 GiB, one at a time.
@Suite("Argon2 S2K", .serialized)
struct Argon2S2KTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources")

    /// RFC 9580 Appendix A.12: "Hello, world!" in a v4 SKESK with Argon2 (t = 1, p = 4,
    /// m = 21, passphrase "password") and a v1 SEIPD packet; the session keys are the
    /// messages' own `Comment:` lines.
    static let samples: [(file: String, cipher: SymmetricAlgorithm, sessionKey: String)] = [
        ("rfc9580-a12-argon2-aes128.asc", .aes128, "01FE16BBACFD1E7B78EF3B865187374F"),
        ("rfc9580-a12-argon2-aes192.asc", .aes192, "27006DAE68E509022CE45A14E569E91001C2955AF8DFE194"),
        ("rfc9580-a12-argon2-aes256.asc", .aes256, "BBEDA55B9AAE63DAC45D4F49D89DACF4AF37FEFC13BAB2F1F8E18FB74580D8B0"),
    ]

    static func sample(_ file: String) throws -> [UInt8] {
        Array(try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8).utf8)
    }

    /// A v4 SKESK body with an Argon2 specifier of the given raw parameters and a dummy
    /// encrypted session key.
    static func skesk(passes: UInt8, parallelism: UInt8, memoryExponent: UInt8) -> [UInt8] {
        [4, SymmetricAlgorithm.aes256.rawValue, 4] + [UInt8](repeating: 0xA5, count: 16)
            + [passes, parallelism, memoryExponent] + [UInt8](repeating: 0x5A, count: 33)
    }

    /// The SKESK packet bodies of a message written to `passphrases` with `kdf`.
    static func skeskBodies(passphrases: [String], kdf: PassphraseKDF) throws -> [UInt8] {
        try OpenPGPMessage.encrypt(
            Array("payload".utf8), for: [], passphrases: passphrases,
            options: MessageOptions(armor: false, passphraseKDF: kdf))
    }

    // MARK: RFC 9580 sample messages

    /// Each derivation takes 2 GiB; the three messages are read one after the other.
    @Test func rfc9580SampleMessagesDecrypt() throws {
        for sample in Self.samples {
            let sink = MemoryPlaintextSink()
            let report = try OpenPGPMessage.decrypt(
                from: ArrayByteSource(try Self.sample(sample.file)), to: sink, using: [], passphrases: ["password"],
                revealSessionKey: true, limits: .inMemory)
            #expect(sink.data == Array("Hello, world!".utf8), "\(sample.file)")
            #expect(report.decryptedWithPassphrase)
            #expect(report.symmetricAlgorithm == sample.cipher)
            #expect(report.sessionKey?.algorithm == sample.cipher)
            #expect(report.sessionKey?.key == SecureBytes(PublicKeyTestSupport.hex(sample.sessionKey)))
        }
    }

    @Test func rfc9580SampleSpecifierIsReadAndWrittenBack() throws {
        let packet = try #require(
            try PacketFraming.parse(Armor.decodeIfArmored(Self.sample(Self.samples[0].file))).first)
        #expect(packet.tag == .symmetricKeyEncryptedSessionKey)
        var reader = ByteReader(Array(packet.body.dropFirst(2)))
        let s2k = try S2K(reading: &reader)
        #expect(s2k.kind == .argon2)
        #expect(s2k.argon2 == .recommended)
        #expect(s2k.argon2?.memoryKiB == 2 << 20)
        #expect(s2k.salt == Array(packet.body[3..<19]))
        #expect(s2k.serialized == Array(packet.body[2..<22]))
    }

    /// The key-encryption key of the AES-128 sample: Argon2id of "password" with its salt,
    /// t = 1, p = 4, m = 21, 16 octets (the `argon2` command gives the same), which decrypts the
    /// SKESK to the message's published session key (checked above).
    @Test func rfc9580SampleKeyEncryptionKey() throws {
        let salt = PublicKeyTestSupport.hex("9c 52 f8 3c 27 f9 5e 50 d5 35 44 0e cd ff 31 36")
        let s2k = S2K(argon2Salt: salt, parameters: .recommended)
        let key = try s2k.deriveKey(passphrase: SecureBytes(Array("password".utf8)), keySize: 16)
        #expect(key == SecureBytes(PublicKeyTestSupport.hex("84a3643c39d5f550526d1939e857fa66")))
    }

    // MARK: Parameters

    @Test func parametersFollowRFC9580() throws {
        for (t, p, m) in [(1, 1, 3), (255, 255, 31), (1, 4, 5), (1, 5, 6), (3, 4, 16)] {
            let parameters = try S2K.Argon2Parameters(passes: t, parallelism: p, memoryExponent: m)
            #expect(parameters.serialized == [UInt8(t), UInt8(p), UInt8(m)])
        }
        // t, p non-zero octets; 2^m at least 8p KiB (m ≥ 3 + ceil(log2 p)); m at most 31.
        for (t, p, m) in [
            (0, 4, 21), (256, 4, 21), (1, 0, 21), (1, 256, 21), (1, 1, 2), (1, 4, 4), (1, 5, 5), (1, 4, 32),
        ] {
            #expect(
                errorCode { _ = try S2K.Argon2Parameters(passes: t, parallelism: p, memoryExponent: m) }
                    == .invalidArgument, "t = \(t), p = \(p), m = \(m)")
        }
    }

    @Test(
        arguments: [(0, 4, 21), (1, 0, 21), (1, 1, 2), (1, 4, 4), (1, 4, 32), (1, 255, 10)] as [(UInt8, UInt8, UInt8)])
    func invalidSpecifiersAreMalformed(passes: UInt8, parallelism: UInt8, memoryExponent: UInt8) throws {
        let body = Self.skesk(passes: passes, parallelism: parallelism, memoryExponent: memoryExponent)
        var reader = ByteReader(Array(body.dropFirst(2)), baseOffset: 100, packetTag: 3)
        let error = try #require(throws: OpenPGPError.self) { try S2K(reading: &reader) }
        #expect(error.code == .malformedPacket)
        #expect(error.offset == 117)
        #expect(error.packetTag == 3)
    }

    @Test func truncatedSpecifierIsTruncated() throws {
        var reader = ByteReader([4] + [UInt8](repeating: 1, count: 16) + [1, 4])
        #expect(errorCode { _ = try S2K(reading: &reader) } == .truncatedPacket)
    }

    // MARK: Work limits

    @Test func memoryAndPassesBeyondTheLimitsAreRefusedBeforeAllocating() throws {
        let password = [SecureBytes(Array("password".utf8))]
        // 4 GiB, 2 TiB (an allocation attempt would fail or take minutes), 17 passes.
        for (t, m) in [(1, 22), (1, 31), (17, 10)] as [(UInt8, UInt8)] {
            let body = Self.skesk(passes: t, parallelism: 4, memoryExponent: m)
            let error = try #require(throws: OpenPGPError.self) {
                try SKESK.sessionKeys([(body, 40)], passphrases: password, limits: SessionKeyLimits())
            }
            #expect(error.code == .workLimitExceeded)
            #expect(error.offset == 40)
            #expect(error.packetTag == PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
        }
        let error = try #require(throws: OpenPGPError.self) {
            try SKESK.sessionKeys(
                [(Self.skesk(passes: 1, parallelism: 4, memoryExponent: 22), 0)], passphrases: password,
                limits: SessionKeyLimits())
        }
        #expect(error.message == "the Argon2 S2K asks for 2^22 KiB of memory; at most 2^21 KiB are allowed")
        // A reader may lower the limits: the RFC's own 2 GiB is then refused too.
        let tight = SessionKeyLimits(maxArgon2MemoryExponent: 20)
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(
                    try Self.sample(Self.samples[0].file), using: [], passphrases: ["password"],
                    sessionKeyLimits: tight)
            } == .workLimitExceeded)
    }

    @Test func repeatedDerivationsAreDoneOnce() throws {
        let message = try Self.skeskBodies(
            passphrases: ["right"], kdf: .argon2(passes: 1, parallelism: 1, memoryExponent: 10))
        let skesk = try #require(PacketFraming.parse(message).first)
        // The same specifier three times: one derivation, three session keys.
        var budget = S2KBudget(SessionKeyLimits(maxArgon2Work: 1 << 10))
        let keys = try SKESK.sessionKeys(
            Array(repeating: (skesk.body, 0), count: 3), passphrases: [SecureBytes(Array("right".utf8))],
            limits: SessionKeyLimits(), budget: &budget)
        #expect(keys.count == 3)
        #expect(budget.derivations == 1)
        #expect(budget.argon2Spent == 1 << 10)
        // Another passphrase is another derivation.
        var second = S2KBudget(SessionKeyLimits())
        _ = try SKESK.sessionKeys(
            [(skesk.body, 0)], passphrases: ["right", "other"].map { SecureBytes(Array($0.utf8)) },
            limits: SessionKeyLimits(), budget: &second)
        #expect(second.derivations == 2)
        #expect(second.argon2Spent == 2 << 10)
    }

    @Test func argon2WorkPerMessageIsBudgeted() throws {
        // Three passphrases: three SKESKs, each with its own salt.
        let message = try Self.skeskBodies(
            passphrases: ["one", "two", "three"], kdf: .argon2(passes: 2, parallelism: 1, memoryExponent: 10))
        let packets = try PacketFraming.parse(message).filter { $0.tag == .symmetricKeyEncryptedSessionKey }
        #expect(packets.count == 3)
        var budget = S2KBudget(SessionKeyLimits(maxArgon2Work: 5 << 10))
        let error = try #require(throws: OpenPGPError.self) {
            try SKESK.sessionKeys(
                packets.map { ($0.body, $0.offset) }, passphrases: [SecureBytes(Array("three".utf8))],
                limits: SessionKeyLimits(), budget: &budget)
        }
        #expect(error.code == .workLimitExceeded)
        #expect(
            error.message
                == "recovering the session key would take more than 5120 KiB of Argon2 work (passes × memory; 4096 KiB spent, 2048 KiB more needed)"
        )
        #expect(error.offset == packets[2].offset)
        #expect(budget.derivations == 2)
        // With enough budget the third packet opens.
        let enough = SessionKeyLimits(maxArgon2Work: 6 << 10)
        #expect(
            try OpenPGPMessage.decrypt(message, using: [], passphrases: ["three"], sessionKeyLimits: enough).data
                == Array("payload".utf8))
    }

    // MARK: Writing

    @Test func messagesAreWrittenWithArgon2WhenAsked() throws {
        let message = try Self.skeskBodies(passphrases: ["one", "two"], kdf: .argon2LowMemory)
        let packets = try PacketFraming.parse(message).filter { $0.tag == .symmetricKeyEncryptedSessionKey }
        #expect(packets.count == 2)
        var salts: Set<[UInt8]> = []
        for packet in packets {
            #expect(Array(packet.body.prefix(2)) == [4, SymmetricAlgorithm.aes256.rawValue])
            var reader = ByteReader(Array(packet.body.dropFirst(2)))
            let s2k = try S2K(reading: &reader)
            #expect(s2k.kind == .argon2)
            #expect(s2k.argon2 == .lowMemory)
            #expect(s2k.salt.count == 16)
            salts.insert(s2k.salt)
        }
        #expect(salts.count == 2)
        for passphrase in ["one", "two"] {
            let decrypted = try OpenPGPMessage.decrypt(message, using: [], passphrases: [passphrase])
            #expect(decrypted.data == Array("payload".utf8))
        }
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["three"]) }
                == .decryptionFailed)
    }

    @Test func theDefaultStaysIteratedAndSalted() throws {
        #expect(MessageOptions().passphraseKDF == .iteratedAndSalted)
        let message = try Self.skeskBodies(passphrases: ["one"], kdf: MessageOptions().passphraseKDF)
        let packet = try #require(PacketFraming.parse(message).first)
        #expect(
            Array(packet.body.prefix(4)) == [4, SymmetricAlgorithm.aes256.rawValue, 3, HashAlgorithm.sha256.rawValue])
        #expect(try PassphraseKDF.argon2Default.s2k().argon2 == .recommended)
        #expect(try PassphraseKDF.argon2LowMemory.s2k().argon2 == .lowMemory)
    }

    @Test func invalidWriterParametersAreRefused() {
        for kdf: PassphraseKDF in [
            .argon2(passes: 0, parallelism: 4, memoryExponent: 16),
            .argon2(passes: 1, parallelism: 4, memoryExponent: 4),
            .argon2(passes: 1, parallelism: 4, memoryExponent: 40),
        ] {
            #expect(errorCode { _ = try Self.skeskBodies(passphrases: ["one"], kdf: kdf) } == .invalidArgument)
        }
        // Valid, but more than a default reader accepts.
        let heavy = PassphraseKDF.argon2(passes: 17, parallelism: 1, memoryExponent: 10)
        #expect(errorCode { _ = try Self.skeskBodies(passphrases: ["one"], kdf: heavy) } == .workLimitExceeded)
    }
}
