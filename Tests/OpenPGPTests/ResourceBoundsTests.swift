import Foundation
import Testing

@testable import OpenPGP

/// Denial-of-service bounds: parameter sizes before modular arithmetic.
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
        #expect(unprotected?.detail == "an ElGamal prime p has 65535 bits; at most 8192 bits are accepted")
        #expect(unprotected?.packetTag == PacketTag.secretKey.rawValue)

        // Protected: unlocking refuses it before the S2K work, not as a wrong passphrase.
        let subkey = try #require(key.certificate.subkeys.first)
        let secret = try #require(key.secrets[subkey.fingerprint])
        let body = try secret.serializedBody(passphrase: SecureBytes(Array("pw".utf8)))
        let locked = try SecretKeyPacket(body: body, offset: 0, tag: .secretSubkey)
        let unlocking = Support.error { _ = try locked.unlocked(passphrase: SecureBytes(Array("pw".utf8))) }
        #expect(unlocking?.code == .malformedPacket)
        #expect(unlocking?.detail.contains("65535 bits") == true)

        // As a recipient certificate it imports, and encrypting to it is refused at once.
        let certificate = try Certificate(bytes: key.certificate.serialized())
        #expect(certificate.subkeys.map(\.bitLength) == [65535])
        let encrypting = Support.error { _ = try OpenPGPMessage.encrypt([1, 2, 3], for: [certificate]) }
        #expect(encrypting?.code == .malformedPacket)
        #expect(encrypting?.detail.contains("at most 8192 bits") == true, "\(String(describing: encrypting))")

        // The primitives refuse it too, whatever calls them.
        #expect(Support.code { _ = try ElGamal.publicValue(p: p, g: [2], x: SecureBytes([2])) } == .malformedPacket)
        #expect(Support.code { _ = try ElGamal.decrypt(c1: [2], c2: [3], p: p, x: SecureBytes([2])) } == .malformedPacket)
    }

    @Test func largestAcceptedElGamalPrimeStillWorks() throws {
        let p = Self.oddNumber(bits: 8192)
        #expect(try ElGamal.publicValue(p: p, g: [2], x: SecureBytes([3])) == [8])
        let packet = PublicKeyPacket(creationTime: Support.created, algorithm: .elgamalEncryptOnly, parameters: .elgamal(p: p, g: [2], y: [8]))
        #expect(try Self.reread(packet, .elgamal(x: SecureBytes([3]))).parameters != nil)
    }

    @Test func oversizedDSAKeyIsRefusedBeforeThePairwiseCheck() throws {
        let p = Self.oddNumber(bits: 65535)
        let packet = PublicKeyPacket(
            creationTime: Support.created, algorithm: .dsa, parameters: .dsa(p: p, q: Support.dsaQ, g: [2], y: [4]))
        let error = Support.error { _ = try Self.reread(packet, .dsa(x: SecureBytes([2]))) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.detail == "a DSA prime p has 65535 bits; 1024–3072 bits are accepted")

        // As a certificate: read at once, its user ID unbound (the self-signature cannot be checked).
        let signature = try #require(try Support.dsaElGamalKey().certificate.userIDs.first?.selfSignature)
        let bytes = PacketFraming.packet(tag: .publicKey, body: packet.body)
            + PacketFraming.packet(tag: .userID, body: Array("Big <big@example.org>".utf8)) + signature.serialized
        let certificate = try Certificate(bytes: bytes)
        #expect(certificate.primaryKey.bitLength == 65535)
        #expect(certificate.primaryUserID == nil)
    }

    @Test func dsaSecretMustBeBelowQ() throws {
        // x = q + 2: as large as q but not below it, refused before the exponentiation.
        var x = Support.dsaQ
        x[x.count - 1] &+= 2
        let packet = PublicKeyPacket(creationTime: Support.created, algorithm: .dsa, parameters: Support.dsaParameters)
        #expect(!DSAPrimitives.isConsistent(p: Support.dsaP, q: Support.dsaQ, g: Support.dsaG, y: Support.dsaY, x: SecureBytes(x)))
        #expect(Support.code { _ = try Self.reread(packet, .dsa(x: SecureBytes(x))) } == .malformedPacket)
        #expect(try Self.reread(packet, .dsa(x: SecureBytes(Support.dsaX))).parameters != nil)
    }

    @Test func oversizedRSAKeyIsRefusedBeforeAnyArithmetic() throws {
        let n = Self.oddNumber(bits: 65535)
        let packet = PublicKeyPacket(creationTime: Support.created, algorithm: .rsaEncryptOrSign, parameters: .rsa(n: n, e: [1, 0, 1]))
        let secret = RSASecret(d: SecureBytes([3]), p: SecureBytes([5]), q: SecureBytes([7]), u: SecureBytes([1]))
        let error = Support.error { _ = try Self.reread(packet, .rsa(secret)) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.detail == "an RSA modulus has 65535 bits; at most 16384 bits are accepted")
        #expect(Support.code { _ = try RSAPrimitives.encryptRaw([1], n: n, e: [1, 0, 1]) } == .malformedPacket)
    }

    @Test func rsaPublicExponentIsBoundedForLargeModuli() throws {
        let e65 = Self.oddNumber(bits: 65)
        let large = Self.oddNumber(bits: 4096)
        let error = Support.error { try RSAPrimitives.validatePublic(n: large, e: e65) }
        #expect(error?.code == .malformedPacket)
        #expect(error?.detail == "the public exponent of an RSA modulus over 3072 bits has 65 bits; at most 64 bits are accepted")
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
}
