import Foundation
import Testing

@testable import OpenPGP

/// Shared helpers and published key material for the public-key algorithm tests.
enum PublicKeyTestSupport {
    /// Bytes from hexadecimal that may be spread over several lines.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        guard let decoded = bytes(fromHex: digits) else {
            Issue.record("bad hex in a test vector")
            return []
        }
        return decoded
    }

    /// The error code `body` throws, nil when it returns.
    static func code(_ body: () throws -> Void) -> OpenPGPError.Code? { errorCode(of: body) }

    /// The OpenPGPError `body` throws, nil when it returns or throws something else.
    static func error(_ body: () throws -> Void) -> OpenPGPError? {
        do {
            try body()
            return nil
        } catch {
            return error as? OpenPGPError
        }
    }

    static let created: UInt32 = 1_700_000_000

    /// A certified key from a signing primary and an encryption subkey.
    static func key(
        _ userID: String, primary: (PublicKeyParameters, PublicKeyAlgorithm, SecretParameters),
        subkey: (PublicKeyParameters, PublicKeyAlgorithm, SecretParameters)
    ) throws -> SecretKey {
        let primaryPacket = try PublicKeyPacket(creationTime: created, algorithm: primary.1, parameters: primary.0)
        let subkeyPacket = try PublicKeyPacket(creationTime: created, algorithm: subkey.1, parameters: subkey.0)
        return try SecretKey.assemble(
            userIDs: [userID], primary: (primaryPacket, primary.2), subkey: (subkeyPacket, subkey.2), created: created,
            expiry: nil)
    }

    // MARK: RFC 6979 A.2.2: DSA, 2048-bit p, 256-bit q

    static let dsaP = hex(
        """
        9DB6FB5951B66BB6FE1E140F1D2CE5502374161FD6538DF1648218642F0B5C48
        C8F7A41AADFA187324B87674FA1822B00F1ECF8136943D7C55757264E5A1A44F
        FE012E9936E00C1D3E9310B01C7D179805D3058B2A9F4BB6F9716BFE6117C6B5
        B3CC4D9BE341104AD4A80AD6C94E005F4B993E14F091EB51743BF33050C38DE2
        35567E1B34C3D6A5C0CEAA1A0F368213C3D19843D0B4B09DCB9FC72D39C8DE41
        F1BF14D4BB4563CA28371621CAD3324B6A2D392145BEBFAC748805236F5CA2FE
        92B871CD8F9C36D3292B5509CA8CAA77A2ADFC7BFD77DDA6F71125A7456FEA15
        3E433256A2261C6A06ED3693797E7995FAD5AABBCFBE3EDA2741E375404AE25B
        """)
    static let dsaQ = hex("F2C3119374CE76C9356990B465374A17F23F9ED35089BD969F61C6DDE9998C1F")
    static let dsaG = hex(
        """
        5C7FF6B06F8F143FE8288433493E4769C4D988ACE5BE25A0E24809670716C613
        D7B0CEE6932F8FAA7C44D2CB24523DA53FBE4F6EC3595892D1AA58C4328A06C4
        6A15662E7EAA703A1DECF8BBB2D05DBE2EB956C142A338661D10461C0D135472
        085057F3494309FFA73C611F78B32ADBB5740C361C9F35BE90997DB2014E2EF5
        AA61782F52ABEB8BD6432C4DD097BC5423B285DAFB60DC364E8161F4A2A35ACA
        3A10B1C4D203CC76A470A33AFDCBDD92959859ABD8B56E1725252D78EAC66E71
        BA9AE3F1DD2487199874393CD4D832186800654760E1E34C09E4D155179F9EC0
        DC4473F996BDCE6EED1CABED8B6F116F7AD9CF505DF0F998E34AB27514B0FFE7
        """)
    static let dsaX = hex("69C7548C21D0DFEA6B9A51C9EAD4E27C33D3B3F180316E5BCAB92C933F0E4DBC")
    static let dsaY = hex(
        """
        667098C654426C78D7F8201EAC6C203EF030D43605032C2F1FA937E5237DBD94
        9F34A0A2564FE126DC8B715C5141802CE0979C8246463C40E6B6BDAA2513FA61
        1728716C2E4FD53BC95B89E69949D96512E873B9C8F8DFD499CC312882561ADE
        CB31F658E934C0C197F2C4D96B05CBAD67381E7B768891E4DA3843D24D94CDFB
        5126E9B8BF21E8358EE0E0A30EF13FD6A664C0DCE3731F7FB49A4845A4FD8254
        687972A2D382599C9BAC4E0ED7998193078913032558134976410B89D2C171D1
        23AC35FD977219597AA7D15C1A9A428E59194F75C721EBCBCFAE44696A499AFA
        74E04299F132026601638CB87AB79190D4A0986315DA8EEC6561C938996BEADF
        """)
    static var dsaParameters: PublicKeyParameters { .dsa(p: dsaP, q: dsaQ, g: dsaG, y: dsaY) }

    // MARK: RFC 6979 A.2.5: ECDSA on P-256

    static let p256X = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
    static let p256Point =
        [0x04]
        + hex(
            """
            60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6
            7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299
            """)

    // MARK: RFC 7919 ffdhe2048: a safe prime with generator 2, for ElGamal keys

    static let ffdhe2048 = hex(
        """
        FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B2
        02AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136AD
        E73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E
        02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26
        C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF
        """)

    /// A fresh ElGamal key pair in the ffdhe2048 group.
    static func elgamalKey() throws -> (PublicKeyParameters, SecretParameters) {
        let x = SecureBytes.random(count: 32)
        let y = try ElGamal.publicValue(p: ffdhe2048, g: [2], x: x)
        return (.elgamal(p: ffdhe2048, g: [2], y: y), .elgamal(x: x))
    }

    /// A DSA (RFC 6979 key) + ElGamal key.
    static func dsaElGamalKey() throws -> SecretKey {
        let (elgamal, elgamalSecret) = try elgamalKey()
        return try key(
            "DSA <dsa@example.org>", primary: (dsaParameters, .dsa, .dsa(x: SecureBytes(dsaX))),
            subkey: (elgamal, .elgamalEncryptOnly, elgamalSecret))
    }

    /// An ECDSA + ECDH key on any supported Weierstrass curve.
    static func ecKey(
        _ curve: Curve, kdfHash: HashAlgorithm = .sha256, kdfCipher: SymmetricAlgorithm = .aes128
    ) throws -> SecretKey {
        let group = try WeierstrassCurve(curve)
        let signing = try group.generate()
        let encryption = try group.generate()
        return try key(
            "EC <ec@example.org>",
            primary: (.ecdsa(curve: curve, point: signing.point), .ecdsa, .ecdsa(scalar: signing.scalar)),
            subkey: (
                .ecdh(curve: curve, point: encryption.point, kdfHash: kdfHash, kdfCipher: kdfCipher), .ecdh,
                .ecdh(scalar: encryption.scalar)
            ))
    }

    /// Signs and encrypts `data` from `key` to `key`, reads it back and checks everything.
    static func expectRoundTrip(
        _ key: SecretKey, hash: HashAlgorithm = .sha256, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let data = Array("round trip through \(key.certificate.primaryKey.algorithm)\n".utf8)
        // Exactly the hash asked for: the automatic upgrade has tests of its own.
        let options = MessageOptions(hash: hash, ensureValidSignatureHash: false)
        let message = try OpenPGPMessage.encrypt(data, for: [key.certificate], signedBy: [key], options: options)
        let result = try OpenPGPMessage.decrypt(message, using: [key], verifyingWith: [key.certificate])
        #expect(result.data == data, sourceLocation: sourceLocation)
        #expect(result.decryptionKey == key.certificate.subkeys.first?.fingerprint, sourceLocation: sourceLocation)
        #expect(result.signatures.map(\.status) == [.good], sourceLocation: sourceLocation)
        #expect(result.signatures.first?.hashAlgorithm == hash, sourceLocation: sourceLocation)
    }

    /// Decryption errors for PKESK bodies changed by each of `edits`, in order.
    static func pkeskErrors(for key: SecretKey, _ edits: [([UInt8]) -> [UInt8]]) throws -> [OpenPGPError?] {
        let message = try OpenPGPMessage.encrypt(
            Array("secret".utf8), for: [key.certificate], options: MessageOptions(armor: false))
        let packets = try PacketFraming.parse(message)
        return edits.map { edit in
            let body = edit(packets[0].body)
            let changed = PacketFraming.packet(tag: .publicKeyEncryptedSessionKey, body: body) + packets[1].serialized
            return error { _ = try OpenPGPMessage.decrypt(changed, using: [key]) }
        }
    }
}
