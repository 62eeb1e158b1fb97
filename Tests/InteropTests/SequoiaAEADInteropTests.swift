import Foundation
import TestSupport
import Testing

@testable import OpenPGP

/// SEIPDv2 against Sequoia (pysequoia): our AEAD password messages in every mode are read by
/// Sequoia, Sequoia's password messages are read by us, and tampered chunks are refused by both.
///
/// What pysequoia 0.1.35 writes: `encrypt(data, passwords=[…])` gives a v4 SKESK (AES-256,
/// iterated and salted S2K) and SEIPDv1 — it uses SEIPDv2 (AES-256, OCB, chunk size octet 6)
/// only towards recipients whose certificates announce it (RFC 9580 profile), behind v6 PKESKs.
/// Its `decrypt(…, passwords=[…])` reads v6 SKESK and SEIPDv2 in OCB, EAX and GCM.
@Suite("Sequoia interop: SEIPDv2 and SKESK v6")
struct SequoiaAEADInteropTests {
    static let password = "corrêct horse"
    let plaintext = Array("AEAD from PGPMail ✓\n".utf8) + (0..<20_000).map { UInt8(truncatingIfNeeded: $0 % 253) }

    func ourMessage(_ mode: AEADAlgorithm, cipher: SymmetricAlgorithm, exponent: Int) throws -> [UInt8] {
        try OpenPGPMessage.encrypt(
            plaintext, for: [], passphrases: [Self.password],
            options: MessageOptions(
                cipher: cipher, aead: .always(mode), aeadChunkSizeExponent: exponent, compression: .uncompressed,
                armor: false))
    }

    @Test(arguments: [AEADAlgorithm.ocb, .eax, .gcm])
    func sequoiaReadsOurAEADMessages(_ mode: AEADAlgorithm) throws {
        for (cipher, exponent) in [(SymmetricAlgorithm.aes128, 0), (.aes256, 6), (.aes192, 12)] {
            let message = try ourMessage(mode, cipher: cipher, exponent: exponent)
            let packets = try PacketFraming.parse(message)
            #expect(packets.map { $0.body.first } == [6, 2])
            let output = try PySequoia.run(
                """
                data = open(sys.argv[1], 'rb').read()
                sys.stdout.buffer.write(decrypt(data, passwords=[\(pythonString(Self.password))]).bytes)
                """, inputs: [message])
            #expect(output == plaintext, "\(mode) \(cipher) chunk size octet \(exponent)")
        }
    }

    @Test(arguments: [AEADAlgorithm.ocb, .eax, .gcm])
    func tamperedChunksAreRefusedByBoth(_ mode: AEADAlgorithm) throws {
        let message = try ourMessage(mode, cipher: .aes128, exponent: 2)  // 256-byte chunks
        for position in [message.count / 3, message.count / 2, message.count - 20, message.count - 5] {
            var modified = message
            modified[position] ^= 0x20
            let sink = MemoryPlaintextSink()
            #expect(
                Self.code {
                    _ = try OpenPGPMessage.decrypt(
                        from: ArrayByteSource(modified), to: sink, using: [], passphrases: [Self.password])
                } == .integrityCheckFailed)
            #expect(sink.data == nil)
            let stderr = try PySequoia.failure(
                "data = open(sys.argv[1], 'rb').read()\ndecrypt(data, passwords=[\(pythonString(Self.password))])",
                inputs: [modified])
            #expect(!stderr.isEmpty)
        }
    }

    @Test func weReadSequoiaPasswordMessages() throws {
        let script = """
            data = open(sys.argv[1], 'rb').read()
            sys.stdout.buffer.write(encrypt(data, passwords=[\(pythonString(Self.password))], armor=False))
            """
        let message = try PySequoia.run(script, inputs: [plaintext])
        let packets = try PacketFraming.parse(message)
        // pysequoia writes SEIPDv1 behind a v4 SKESK for passwords.
        #expect(packets.map(\.tag) == [.symmetricKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
        #expect(packets.map { $0.body.first } == [4, 1])
        let result = try OpenPGPMessage.decrypt(message, using: [], passphrases: [Self.password])
        #expect(result.data == plaintext)
    }

    /// Sequoia's SEIPDv2 (towards an RFC 9580 certificate): the header is read and accepted;
    /// without the v6 key there is no session key, which is the only thing reported.
    @Test func sequoiaSEIPDv2HeaderIsAccepted() throws {
        let script = """
            import warnings
            warnings.simplefilter('ignore')
            cert = Cert.generate('Bob <bob@example.org>', profile=Profile.RFC9580)
            sys.stdout.buffer.write(encrypt(open(sys.argv[1], 'rb').read(), recipients=[cert], armor=False))
            """
        let message = try PySequoia.run(script, inputs: [plaintext])
        let packets = try PacketFraming.parse(message)
        #expect(packets.last?.tag == .symEncryptedIntegrityProtectedData)
        let body = try #require(packets.last?.body)
        #expect(body.first == 2)
        let header = try AEADPacketHeader(Array(body[1..<4]), tag: .symEncryptedIntegrityProtectedData, offset: 0)
        #expect(header.mode == .ocb && header.cipher == .aes256)
        #expect(
            Self.code { _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: [Self.password]) }
                == .noSuitableKey)
    }

    /// The `OpenPGPError` code `body` throws, nil when it returns; other errors are recorded.
    static func code(of body: () throws -> Void) -> OpenPGPError.Code? {
        do {
            try body()
            return nil
        } catch let error as OpenPGPError {
            return error.code
        } catch {
            Issue.record("expected an OpenPGPError, got \(error)")
            return nil
        }
    }

    /// A Python string literal for `text`.
    func pythonString(_ text: String) -> String {
        "bytes.fromhex('\(Array(text.utf8).map { String(format: "%02x", $0) }.joined())').decode('utf-8')"
    }
}
