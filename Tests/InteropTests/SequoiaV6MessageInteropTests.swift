import Foundation
import OpenPGP
import TestSupport
import Testing

/// Signed and encrypted messages between v6 keys, both directions with Sequoia (pysequoia):
/// v6 PKESKs, SEIPDv2 negotiated from the certificates, v6 signatures inside. No gate: a
/// missing pysequoia fails these tests.
@Suite("pysequoia interop: v6 encrypted messages")
struct SequoiaV6MessageInteropTests {
    let data = Array("Grüße, v6 and AEAD.\n".utf8)

    /// A v6 key pysequoia generates (armored secret key).
    private func sequoiaKey() throws -> SecretKey {
        let output = try PySequoia.run(
            """
            tsk = Tsk.generate("Seq <seq@example.org>", profile=Profile.RFC9580)
            print(str(tsk))
            """)
        return try SecretKey(armored: String(decoding: output, as: UTF8.self))
    }

    @Test(arguments: [SecretKey.KeyType.curve25519, .curve448])
    func sequoiaReadsWhatWeSignAndEncrypt(type: SecretKey.KeyType) throws {
        let theirs = try sequoiaKey()
        let ours = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: type, version: .v6)
        var output: [UInt8] = []
        // pysequoia's verifying decrypt refuses a compressed layer ("Unexpected message
        // structure", SEIPDv1 alike); Sequoia itself does not compress.
        let writer = try MessageWriter(
            recipients: [theirs.certificate], signers: [ours], options: MessageOptions(compression: .uncompressed)
        ) { output += $0 }
        try writer.write(data)
        try writer.finish()
        #expect(writer.aeadAlgorithm != nil, "Sequoia's v6 certificate announces SEIPDv2")
        let decrypted = try PySequoia.run(
            """
            tsk = Tsk.from_bytes(open(sys.argv[1], "rb").read())
            signer = Cert.from_bytes(open(sys.argv[2], "rb").read())
            result = decrypt(open(sys.argv[3], "rb").read(), decryptor=tsk.decryptor(), store=lambda ids: [signer])
            print(",".join(str(s.certificate) for s in result.valid_sigs))
            sys.stdout.write(result.bytes.decode())
            """, inputs: [try theirs.serialized(), ours.certificate.serialized(), output])
        let text = String(decoding: decrypted, as: UTF8.self)
        #expect(text == ours.fingerprint.hex.lowercased() + "\n" + String(decoding: data, as: UTF8.self))
    }

    @Test func weReadWhatSequoiaSignsAndEncrypts() throws {
        let theirs = try sequoiaKey()
        let ours = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: .curve25519, version: .v6)
        let message = try PySequoia.run(
            """
            tsk = Tsk.from_bytes(open(sys.argv[1], "rb").read())
            recipient = Cert.from_bytes(open(sys.argv[2], "rb").read())
            sys.stdout.buffer.write(encrypt(open(sys.argv[3], "rb").read(), [recipient], signer=tsk.signer()))
            """, inputs: [try theirs.serialized(), ours.certificate.serialized(), data])
        let read = try OpenPGPMessage.decrypt(message, using: [ours], verifyingWith: [theirs.certificate])
        #expect(read.data == data)
        #expect(read.signatures.map(\.status) == [.good])
        #expect(read.decryptionKey.map { ours.certificate.component(with: $0) != nil } == true)
    }

    /// A secret key we seal with AEAD and Argon2 (S2K usage 253) is unlocked by Sequoia, and
    /// one Sequoia protects is unlocked by us.
    @Test func aeadProtectedKeysBothWays() throws {
        let ours = try SecretKey.generate(userIDs: ["Pat <pat@example.org>"], type: .curve25519, version: .v6)
        let sealed = try ours.serialized(passphrase: "sealed", keyProtection: .aead(.ocb, .argon2LowMemory))
        let output = try PySequoia.run(
            """
            tsk = Tsk.from_bytes(open(sys.argv[1], "rb").read())
            cert = Cert.from_bytes(open(sys.argv[2], "rb").read())
            signed = sign(tsk.signer("sealed"), b"unlocked", mode=SignatureMode.INLINE)
            print(",".join(str(s.certificate) for s in verify(bytes=signed, store=lambda ids: [cert]).valid_sigs))
            """, inputs: [sealed, ours.certificate.serialized()])
        #expect(String(decoding: output, as: UTF8.self) == ours.fingerprint.hex.lowercased() + "\n")
    }
}
