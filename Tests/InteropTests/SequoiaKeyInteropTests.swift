import Foundation
import OpenPGP
import TestSupport
import Testing

/// RFC 9580 v6 keys and signatures exchanged with Sequoia (pysequoia). No gate: a missing
/// pysequoia fails these tests.
@Suite("pysequoia interop: v6 keys and signatures")
struct SequoiaKeyInteropTests {
    let data = Array("Grüße from PGPMail\n- a dash line\nlast line\n".utf8)

    /// A v6 key pysequoia generates: its armored secret key, and the fingerprint it reports.
    private func sequoiaKey() throws -> (key: SecretKey, fingerprint: String) {
        let output = try PySequoia.run(
            """
            tsk = Tsk.generate("Seq <seq@example.org>", profile=Profile.RFC9580)
            print(tsk.extract_certificate().fingerprint)
            print(str(tsk))
            """)
        let text = String(decoding: output, as: UTF8.self)
        let fingerprint = String(try #require(text.split(separator: "\n").first))
        return (try SecretKey(armored: text), fingerprint)
    }

    @Test func weReadSequoiaV6Keys() throws {
        let (key, fingerprint) = try sequoiaKey()
        #expect(key.fingerprint.hex.lowercased() == fingerprint)
        #expect(key.certificate.primaryKey.version == 6)
        #expect(key.certificate.primaryUserID?.value == "Seq <seq@example.org>")
        #expect(key.certificate.subkeys.allSatisfy { $0.version == 6 && $0.isBound })
        #expect(!key.certificate.signingKeys().isEmpty)
        #expect(!key.certificate.encryptionKeys().isEmpty)
    }

    @Test(arguments: [SecretKey.KeyType.curve25519, .curve448])
    func sequoiaReadsOurV6Keys(type: SecretKey.KeyType) throws {
        let key = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: type, version: .v6)
        let output = try PySequoia.run(
            """
            cert = Cert.from_bytes(open(sys.argv[1], "rb").read())
            print(cert.fingerprint)
            print(",".join(str(u) for u in cert.user_ids))
            tsk = Tsk.from_bytes(open(sys.argv[2], "rb").read())
            print(tsk.extract_certificate().fingerprint)
            """, inputs: [key.certificate.serialized(), try key.serialized()])
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == [key.fingerprint.hex.lowercased(), "Pat <pat@example.org>", key.fingerprint.hex.lowercased()])
    }

    @Test func sequoiaUnlocksOurProtectedV6Key() throws {
        let key = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: .curve25519, version: .v6)
        let output = try PySequoia.run(
            """
            tsk = Tsk.from_bytes(open(sys.argv[1], "rb").read())
            cert = Cert.from_bytes(open(sys.argv[2], "rb").read())
            signed = sign(tsk.signer("correct horse"), b"unlocked", mode=SignatureMode.INLINE)
            print(",".join(str(s.certificate) for s in verify(bytes=signed, store=lambda ids: [cert]).valid_sigs))
            """, inputs: [try key.serialized(passphrase: "correct horse"), key.certificate.serialized()])
        #expect(String(decoding: output, as: UTF8.self) == key.fingerprint.hex.lowercased() + "\n")
        // And the wrong passphrase fails there too.
        let failure = try PySequoia.failure(
            """
            tsk = Tsk.from_bytes(open(sys.argv[1], "rb").read())
            sign(tsk.signer("wrong"), b"locked", mode=SignatureMode.INLINE)
            """, inputs: [try key.serialized(passphrase: "correct horse")])
        #expect(!failure.isEmpty)
    }

    @Test func sequoiaReadsOurV6KeyWithoutUserID() throws {
        let key = try SecretKey.generate(userIDs: [], type: .curve25519, version: .v6)
        let output = try PySequoia.run(
            """
            cert = Cert.from_bytes(open(sys.argv[1], "rb").read())
            print(cert.fingerprint)
            """, inputs: [key.certificate.serialized()])
        #expect(String(decoding: output, as: UTF8.self) == key.fingerprint.hex.lowercased() + "\n")
    }

    @Test func weVerifySequoiaV6Signatures() throws {
        let output = try PySequoia.run(
            """
            tsk = Tsk.generate("Seq <seq@example.org>", profile=Profile.RFC9580)
            data = open(sys.argv[1], "rb").read()
            open(sys.argv[1] + ".key", "w").write(str(tsk.extract_certificate()))
            parts = [sign(tsk.signer(), data, mode=m).decode() for m in (SignatureMode.DETACHED, SignatureMode.INLINE, SignatureMode.CLEAR)]
            print("\\n=====\\n".join([str(tsk.extract_certificate())] + parts))
            """, inputs: [data])
        let parts = String(decoding: output, as: UTF8.self).components(separatedBy: "\n=====\n")
        try #require(parts.count == 4)
        let certificate = try Certificate(armored: parts[0])
        let detached = try OpenPGPMessage.verifyDetached(Array(parts[1].utf8), of: data, with: [certificate])
        #expect(detached.map(\.status) == [.good])
        let inline = try OpenPGPMessage.decrypt(Array(parts[2].utf8), using: [], verifyingWith: [certificate])
        #expect(inline.signatures.map(\.status) == [.good])
        #expect(inline.data == data)
        let cleartext = try OpenPGPMessage.verifyCleartext(parts[3], with: [certificate])
        #expect(cleartext.signatures.map(\.status) == [.good])
        #expect(cleartext.signatures.first?.signerFingerprint == certificate.fingerprint)
    }

    @Test(arguments: [SecretKey.KeyType.curve25519, .curve448])
    func sequoiaVerifiesOurV6Signatures(type: SecretKey.KeyType) throws {
        let key = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: type, version: .v6)
        let detached = try OpenPGPMessage.detachedSignature(for: data, by: [key])
        let inline = try OpenPGPMessage.sign(data, by: [key])
        let cleartext = try OpenPGPMessage.clearSign(data, by: [key])
        let output = try PySequoia.run(
            """
            cert = Cert.from_bytes(open(sys.argv[1], "rb").read())
            data = open(sys.argv[2], "rb").read()
            store = lambda ids: [cert]
            results = [
                verify(bytes=data, store=store, signature=Sig.from_bytes(open(sys.argv[3], "rb").read())),
                verify(bytes=open(sys.argv[4], "rb").read(), store=store),
                verify(bytes=open(sys.argv[5], "rb").read(), store=store),
            ]
            for result in results:
                print(",".join(str(s.certificate) for s in result.valid_sigs))
            """, inputs: [key.certificate.serialized(), data, detached, inline, cleartext])
        let fingerprint = key.fingerprint.hex.lowercased()
        #expect(String(decoding: output, as: UTF8.self) == "\(fingerprint)\n\(fingerprint)\n\(fingerprint)\n")
    }
}
