import Foundation
import Testing

@testable import OpenPGP

@Suite("Key model: revocation reasons, expiry, direct-key signatures")
struct KeyModelTests {
    @Test func revokedKeyReportsItsReasonAndCannotEncrypt() throws {
        let key = try SecretKey.generate(userID: "Eve <eve@example.org>")
        #expect(key.certificate.primaryKey.revocationReason == nil)
        #expect(key.certificate.primaryKey.revocationDate == nil)
        let revocationTime = Date(timeIntervalSince1970: TimeInterval(Int(Date().timeIntervalSince1970) + 10))
        let revocation = try KeyForge(key).revocation(2, "laptop stolen", created: revocationTime)
        let certificate = try #require(try Keyring(bytes: key.certificate.serialized() + revocation).certificates.first)
        #expect(certificate.isRevoked)
        #expect(certificate.primaryKey.revocationReason == RevocationReason(code: .compromised, text: "laptop stolen"))
        #expect(certificate.primaryKey.revocationReason?.isSoft == false)
        #expect(certificate.primaryKey.revocationDate == revocationTime)
        #expect(certificate.encryptionKeys().isEmpty)
        #expect(certificate.signingKeys().isEmpty)
    }

    @Test func revokedSubkeyLeavesThePrimaryUsable() throws {
        let key = try SecretKey.generate(userID: "Finn <finn@example.org>")
        let subkey = try #require(key.certificate.subkeys.first)
        let revocation = try KeyForge(key).subkeyRevocation(subkey, 3, "rotated")
        let certificate = try #require(try Keyring(bytes: key.certificate.serialized() + revocation).certificates.first)
        #expect(!certificate.isRevoked)
        #expect(certificate.subkeys[0].isRevoked)
        #expect(certificate.subkeys[0].revocationReason == RevocationReason(code: .retired, text: "rotated"))
        #expect(certificate.subkeys[0].revocationReason?.isSoft == true)
        #expect(certificate.encryptionKeys().isEmpty)
        #expect(certificate.signingKeys().map(\.fingerprint) == [key.fingerprint])
    }

    @Test func revocationByAnotherKeyIsIgnored() throws {
        let key = try SecretKey.generate(userID: "Gus <gus@example.org>")
        let stranger = try SecretKey.generate(userID: "Stranger <s@example.org>")
        // The stranger's revocation, placed on Gus's primary key: its signature does not verify.
        let strangerRevocation = try KeyForge(stranger).revocation(0, "")
        let primaryPacket = try KeyForge(key).primaryPacket
        let signature = Array(strangerRevocation.dropFirst(try KeyForge(stranger).primaryPacket.count))
        let certificate = try #require(
            try Keyring(bytes: key.certificate.serialized() + primaryPacket + signature).certificates.first)
        #expect(!certificate.isRevoked)
        #expect(certificate.primaryKey.revocationReason == nil)
        #expect(certificate.encryptionKeys().count == 1)
    }

    @Test func expirationDatesOfCertificateAndSubkeys() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let key = try SecretKey.generate(
            userID: "Hana <hana@example.org>", creationDate: created, validity: .seconds(86_400))
        #expect(key.certificate.expirationDate == created + 86_400)
        #expect(key.certificate.subkeys[0].expirationDate == created + 86_400)
        #expect(key.certificate.encryptionKeys(at: created + 3_600).count == 1)
        #expect(key.certificate.encryptionKeys(at: created + 86_400).isEmpty)
        let forever = try SecretKey.generate(userID: "Ida <ida@example.org>")
        #expect(forever.certificate.expirationDate == nil)
    }

    @Test func directKeySignatureExpiryAppliesWhenTheUserIDSaysNothing() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let key = try SecretKey.generate(userID: "Jo <jo@example.org>", creationDate: created)
        let direct = try KeyForge(key).directKey(created: created + 60, subpackets: [.keyExpiration(7 * 86_400)])
        let certificate = try #require(try Keyring(bytes: key.certificate.serialized() + direct).certificates.first)
        #expect(certificate.expirationDate == created + 7 * 86_400)
        #expect(certificate.isUsable(at: created + 86_400))
        #expect(!certificate.isUsable(at: created + 8 * 86_400))
        #expect(certificate.encryptionKeys(at: created + 8 * 86_400).isEmpty)
        // The user ID's own flags still win over the direct-key signature's.
        #expect(certificate.primaryKey.flags == [.certify, .sign])
    }

    @Test func directKeySignatureFlagsApplyWhenTheUserIDSaysNothing() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let key = try SecretKey.generate(userID: "Kim <kim@example.org>", creationDate: created)
        let forge = try KeyForge(key)
        // A key whose only user ID certification states neither flags nor expiry, and whose
        // direct-key signature says "certify only" and "expires after a day".
        let userID = try forge.userID("Kim <kim@example.org>", created: created + 60)
        let direct = try forge.directKey(
            created: created + 60, subpackets: [.keyFlags(.certify), .keyExpiration(86_400)])
        let block = direct + userID
        let certificate = try Certificate(bytes: block)
        #expect(certificate.primaryKey.isBound)
        #expect(certificate.primaryKey.flags == .certify)
        #expect(certificate.expirationDate == created + 86_400)
        #expect(certificate.signingKeys(at: created + 3_600).isEmpty)
        // Without the direct-key signature the algorithm's defaults apply and nothing expires.
        let plain = try Certificate(bytes: forge.primaryPacket + userID)
        #expect(plain.primaryKey.flags == [.certify, .sign])
        #expect(plain.expirationDate == nil)
        #expect(plain.signingKeys(at: created + 3_600).count == 1)
    }
}
