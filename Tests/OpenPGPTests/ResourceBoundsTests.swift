import Foundation
import Testing

@testable import OpenPGP

/// Denial-of-service bounds: parameter sizes before modular arithmetic, and S2K work per
/// message.
@Suite("Resource bounds")
struct ResourceBoundsTests {
    typealias Support = PublicKeyTestSupport

    /// A random odd number of exactly `bits` bits (the largest MPI has 65,535).
    static func oddNumber(bits: Int) -> [UInt8] {
        var bytes = secureRandomBytes((bits + 7) / 8)
        let topBits = bits % 8 == 0 ? 8 : bits % 8
        bytes[0] = bytes[0] & UInt8(truncatingIfNeeded: (1 << topBits) - 1) | UInt8(1 << (topBits - 1))
        bytes[bytes.count - 1] |= 1
        return bytes
    }

    /// Writes `parameters` as an unprotected secret key packet body for `publicKey` and reads it back.
    static func reread(_ publicKey: PublicKeyPacket, _ parameters: SecretParameters) throws -> SecretKeyPacket {
        let body = try SecretKeyPacket(publicKey: publicKey, parameters: parameters).serializedBody(passphrase: nil)
        return try SecretKeyPacket(body: body, offset: 0, tag: .secretKey)
    }

    // MARK: Parameter sizes

    @Test func oversizedElGamalKeyIsRefusedBeforeAnyExponentiation() throws {
        // A consistent key (y = g^x mod p with x = 2) on a 65,535-bit p: without the size
        // bound it would be read (and a full-size x would cost over a minute).
        let p = Self.oddNumber(bits: 65535)
        let key = try Support.key(
            "Big <big@example.org>", primary: (Support.dsaParameters, .dsa, .dsa(x: SecureBytes(Support.dsaX))),
            subkey: (.elgamal(p: p, g: [2], y: [4]), .elgamalEncryptOnly, .elgamal(x: SecureBytes([2]))))

        let unprotected = Support.error { _ = try SecretKey(bytes: try key.serialized()) }
        #expect(unprotected?.code == .malformedPacket)
        #expect(unprotected?.message == "an ElGamal prime p has 65535 bits; at most 8192 bits are accepted")
        #expect(unprotected?.packetTag == PacketTag.secretKey.rawValue)

        // Protected: unlocking refuses it before the S2K work, not as a wrong passphrase.
        let subkey = try #require(key.certificate.subkeys.first)
        let secret = try #require(key.secrets[subkey.fingerprint])
        let body = try secret.serializedBody(passphrase: SecureBytes(Array("pw".utf8)))
        let locked = try SecretKeyPacket(body: body, offset: 0, tag: .secretSubkey)
        let unlocking = Support.error { _ = try locked.unlocked(passphrase: SecureBytes(Array("pw".utf8))) }
        #expect(unlocking?.code == .malformedPacket)
        #expect(unlocking?.message.contains("65535 bits") == true)

        // As a recipient certificate it imports, and encrypting to it is refused at once.
        let certificate = try Certificate(bytes: key.certificate.serialized())
        #expect(certificate.subkeys.map(\.bitLength) == [65535])
        let encrypting = Support.error { _ = try OpenPGPMessage.encrypt([1, 2, 3], for: [certificate]) }
        #expect(encrypting?.code == .malformedPacket)
        #expect(encrypting?.message.contains("at most 8192 bits") == true, "\(String(describing: encrypting))")

        // The primitives refuse it too, whatever calls them.
        #expect(Support.code { _ = try ElGamal.publicValue(p: p, g: [2], x: SecureBytes([2])) } == .malformedPacket)
        #expect(
            Support.code { _ = try ElGamal.decrypt(c1: [2], c2: [3], p: p, x: SecureBytes([2])) } == .malformedPacket)
    }

    @Test func largestAcceptedElGamalPrimeStillWorks() throws {
        let p = Self.oddNumber(bits: 8192)
        #expect(try ElGamal.publicValue(p: p, g: [2], x: SecureBytes([3])) == [8])
        let packet = try PublicKeyPacket(
            creationTime: Support.created, algorithm: .elgamalEncryptOnly, parameters: .elgamal(p: p, g: [2], y: [8]))
        #expect(try Self.reread(packet, .elgamal(x: SecureBytes([3]))).parameters != nil)
    }

    @Test func oversizedDSAKeyIsRefusedBeforeThePairwiseCheck() throws {
        let p = Self.oddNumber(bits: 65535)
        let packet = try PublicKeyPacket(
            creationTime: Support.created, algorithm: .dsa, parameters: .dsa(p: p, q: Support.dsaQ, g: [2], y: [4]))
        let error = Support.error { _ = try Self.reread(packet, .dsa(x: SecureBytes([2]))) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.message == "a DSA prime p has 65535 bits; 1024–3072 bits are accepted")

        // As a certificate: read at once, its user ID unbound (the self-signature cannot be checked).
        let signature = try #require(try Support.dsaElGamalKey().certificate.userIDs.first?.selfSignature)
        let bytes =
            PacketFraming.packet(tag: .publicKey, body: packet.body)
            + PacketFraming.packet(tag: .userID, body: Array("Big <big@example.org>".utf8)) + signature.serialized
        let certificate = try Certificate(bytes: bytes)
        #expect(certificate.primaryKey.bitLength == 65535)
        #expect(certificate.primaryUserID == nil)
    }

    @Test func dsaSecretMustBeBelowQ() throws {
        // x = q + 2: as large as q but not below it, refused before the exponentiation.
        var x = Support.dsaQ
        x[x.count - 1] &+= 2
        let packet = try PublicKeyPacket(
            creationTime: Support.created, algorithm: .dsa, parameters: Support.dsaParameters)
        #expect(
            !DSAPrimitives.isConsistent(
                p: Support.dsaP, q: Support.dsaQ, g: Support.dsaG, y: Support.dsaY, x: SecureBytes(x)))
        #expect(Support.code { _ = try Self.reread(packet, .dsa(x: SecureBytes(x))) } == .malformedPacket)
        #expect(try Self.reread(packet, .dsa(x: SecureBytes(Support.dsaX))).parameters != nil)
    }

    @Test func oversizedRSAKeyIsRefusedBeforeAnyArithmetic() throws {
        let n = Self.oddNumber(bits: 65535)
        let packet = try PublicKeyPacket(
            creationTime: Support.created, algorithm: .rsaEncryptOrSign, parameters: .rsa(n: n, e: [1, 0, 1]))
        let secret = RSASecret(d: SecureBytes([3]), p: SecureBytes([5]), q: SecureBytes([7]), u: SecureBytes([1]))
        let error = Support.error { _ = try Self.reread(packet, .rsa(secret)) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.message == "an RSA modulus has 65535 bits; at most 16384 bits are accepted")
        #expect(Support.code { _ = try RSAPrimitives.encryptRaw([1], n: n, e: [1, 0, 1]) } == .malformedPacket)
    }

    @Test func rsaPublicExponentIsBoundedForLargeModuli() throws {
        let e65 = Self.oddNumber(bits: 65)
        let large = Self.oddNumber(bits: 4096)
        let error = Support.error { try RSAPrimitives.validatePublic(n: large, e: e65) }
        #expect(error?.code == .malformedPacket)
        #expect(
            error?.message
                == "the public exponent of an RSA modulus over 3072 bits has 65 bits; at most 64 bits are accepted")
        #expect(Support.code { try RSAPrimitives.validatePublic(n: large, e: Self.oddNumber(bits: 64)) } == nil)
        // Up to 3072 bits libcrypto (and this engine) take any exponent below n.
        #expect(Support.code { try RSAPrimitives.validatePublic(n: Self.oddNumber(bits: 3072), e: e65) } == nil)
    }

    @Test func rsaSecretNumbersAreBoundedByTheModulus() throws {
        let (n, e, secret) = try RSAPrimitives.generate(bits: 2048)
        #expect(RSAPrimitives.isConsistent(n: n, e: e, secret: secret))
        let oversizedD = RSASecret(d: SecureBytes(Self.oddNumber(bits: 65535)), p: secret.p, q: secret.q, u: secret.u)
        #expect(!RSAPrimitives.isConsistent(n: n, e: e, secret: oversizedD))
        let oversizedP = RSASecret(d: secret.d, p: SecureBytes(Self.oddNumber(bits: 65535)), q: secret.q, u: secret.u)
        #expect(!RSAPrimitives.isConsistent(n: n, e: e, secret: oversizedP))
    }

    // MARK: S2K work per message

    /// Bytes one iterated and salted S2K at the maximum count (0xFF) hashes per digest.
    static let maxCount = 65_011_712

    /// A v4 SKESK body: AES-256, iterated and salted SHA-256 S2K at the maximum count, and
    /// an encrypted session key no passphrase opens.
    static func maxCountSKESK() -> [UInt8] {
        [4, SymmetricAlgorithm.aes256.rawValue, 3, HashAlgorithm.sha256.rawValue] + secureRandomBytes(8) + [0xFF]
            + secureRandomBytes(33)
    }

    /// A message for the passphrase "right" whose own SKESK comes after `decoys` maximum-count ones.
    static func message(decoys: Int) throws -> [UInt8] {
        let message = try OpenPGPMessage.encrypt(
            Array("payload".utf8), for: [], passphrases: ["right"], options: MessageOptions(armor: false))
        let decoyPackets = (0..<decoys).flatMap { _ in
            PacketFraming.packet(tag: .symmetricKeyEncryptedSessionKey, body: maxCountSKESK())
        }
        return decoyPackets + message
    }

    @Test func s2kWorkIsCountedPerDigest() {
        let maximum = S2K(
            kind: .iteratedAndSalted, hashAlgorithm: .sha256, salt: [UInt8](repeating: 1, count: 8), codedCount: 0xFF)
        #expect(maximum.byteCount == Self.maxCount)
        #expect(maximum.workBytes(passphraseLength: 5, keySize: 32) == Self.maxCount)
        // SHA-1 needs two digests for an AES-256 key: twice the work.
        let sha1 = S2K(kind: .iteratedAndSalted, hashAlgorithm: .sha1, salt: maximum.salt, codedCount: 0xFF)
        #expect(sha1.workBytes(passphraseLength: 5, keySize: 32) == 2 * Self.maxCount)
        // A passphrase longer than the count is hashed whole; simple S2K hashes it once.
        let small = S2K(kind: .iteratedAndSalted, hashAlgorithm: .sha256, salt: maximum.salt, codedCount: 0)
        #expect(small.workBytes(passphraseLength: 2000, keySize: 16) == 2008)
        #expect(S2K.legacyMD5.workBytes(passphraseLength: 10, keySize: 16) == 10)
    }

    @Test func manyMaxCountSKESKsAreRefusedBeforeAnyS2KWork() throws {
        let message = try Self.message(decoys: 100)
        let error = Support.error { _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["right"]) }
        #expect(error?.code == .workLimitExceeded)
        #expect(error?.message == "the message has 101 passphrase-encrypted session keys; at most 16 are tried")
        #expect(error?.psmtpErrorCode == 130)
        // Without a passphrase nothing is derived, and the message is simply not for us.
        #expect(Support.code { _ = try OpenPGPMessage.decrypt(message, using: []) } == .noSuitableKey)
    }

    @Test func s2kWorkPerMessageIsBudgeted() throws {
        // A decoy at the maximum count, then the message's own SKESK (33,554,432 bytes).
        let message = try Self.message(decoys: 1)
        let needed = Self.maxCount + 33_554_432
        #expect(try OpenPGPMessage.decrypt(message, using: [], passphrases: ["right"]).data == Array("payload".utf8))
        let tight = SessionKeyLimits(maxS2KBytes: needed - 1)
        let error = Support.error {
            _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["right"], sessionKeyLimits: tight)
        }
        #expect(error?.code == .workLimitExceeded)
        #expect(
            error?.message
                == "recovering the session key would hash more than \(needed - 1) bytes with S2K (\(Self.maxCount) bytes spent on 1 derivations, 33554432 more needed)"
        )
        #expect(error?.packetTag == PacketTag.symmetricKeyEncryptedSessionKey.rawValue)
    }

    @Test func theBudgetCoversEveryPacketAndPassphrase() throws {
        let packets = (0..<100).map { _ in (body: Self.maxCountSKESK(), offset: 0) }
        let passphrases = ["one", "two"].map { SecureBytes(Array($0.utf8)) }
        let limits = SessionKeyLimits(maxPassphrasePackets: 100, maxS2KBytes: 3 * Self.maxCount)
        var budget = S2KBudget(limit: limits.maxS2KBytes)
        let error = Support.error {
            _ = try SKESK.sessionKeys(packets, passphrases: passphrases, limits: limits, budget: &budget)
        }
        #expect(error?.code == .workLimitExceeded)
        // Both passphrases on the first packet, one on the second, and no more.
        #expect(budget.derivations == 3)
        #expect(budget.spent == 3 * Self.maxCount)
    }

    // MARK: Private-key operations per message

    /// A message to `key` preceded by `decoys` PKESKs with a wildcard key ID whose fields
    /// open to nothing: each asks for one private-key operation with every encryption key.
    static func wildcardMessage(to key: SecretKey, decoys: Int) throws -> [UInt8] {
        let message = try OpenPGPMessage.encrypt(
            Array("payload".utf8), for: [key.certificate], options: MessageOptions(armor: false))
        let packets = try PacketFraming.parse(message)
        let real = try #require(packets.first { $0.tag == .publicKeyEncryptedSessionKey })
        // Version, wildcard key ID, the same algorithm, then the real fields with the last
        // byte of the wrapped key changed.
        var decoy = [real.body[0]] + [UInt8](repeating: 0, count: 8) + Array(real.body[9...])
        decoy[decoy.count - 1] ^= 0xFF
        let decoys = (0..<decoys).flatMap { _ in PacketFraming.packet(tag: .publicKeyEncryptedSessionKey, body: decoy) }
        return decoys + message
    }

    @Test func privateKeyOperationsPerMessageAreBounded() throws {
        let key = try SecretKey.generate(userID: "Wildcards <wildcards@example.org>")
        let flood = try Self.wildcardMessage(to: key, decoys: 1_000)
        let error = Support.error { _ = try OpenPGPMessage.decrypt(flood, using: [key]) }
        #expect(error?.code == .workLimitExceeded)
        #expect(error?.message == "the message asks for more than 32 private-key operations to find its session key")
        // Within the bound, the decoys are tried and the real PKESK still opens.
        let few = try Self.wildcardMessage(to: key, decoys: 31)
        #expect(try OpenPGPMessage.decrypt(few, using: [key]).data == Array("payload".utf8))
        let tight = SessionKeyLimits(maxPublicKeyAttempts: 31)
        #expect(
            Support.code { _ = try OpenPGPMessage.decrypt(few, using: [key], sessionKeyLimits: tight) }
                == .workLimitExceeded)
    }
}
