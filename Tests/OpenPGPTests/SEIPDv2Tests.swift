import Foundation
import Testing

@testable import OpenPGP

/// SEIPDv2 (RFC 9580 §5.13.2) and v6 SKESK (§5.3.2): the RFC's sample messages with their
/// intermediate values, round trips in every mode, GnuPG's AEAD packet and v5 SKESK, and
/// tampering.
@Suite("SEIPDv2 and SKESK v6")
struct SEIPDv2Tests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources")
    static let hello = Array("Hello, world!".utf8)

    static func hex(_ text: String) -> [UInt8] { bytes(fromHex: text.replacingOccurrences(of: " ", with: "")) ?? [] }

    static func packets(_ file: String) throws -> [RawPacket] {
        let text = try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8)
        return try PacketFraming.parse(try Armor.decodeIfArmored(Array(text.utf8)))
    }

    static func message(_ file: String) throws -> [UInt8] {
        Array(try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8).utf8)
    }

    // MARK: RFC 9580 Appendix A

    /// A.8.3/A.8.4: the SEIPDv2 OCB packet opened with the given session key.
    @Test func rfcA8OpensWithTheSessionKey() throws {
        let sessionKey = Self.hex("dd708f6fa1ed65114d68d2343e7c2f1d")
        let packets = try Self.packets("rfc9580-a8-encrypted.asc")
        #expect(packets.map(\.tag) == [.publicKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
        let body = packets[1].body
        #expect(Array(body[0..<4]) == [2, 7, 2, 6])
        let salt = Array(body[4..<36])
        let info = Self.hex("d2 02 07 02 06")
        let derived = try HKDF.derive(.sha256, secret: sessionKey, salt: salt, info: info, count: 16 + 15 - 8)
        #expect(derived.bytes == Self.hex("4512f7149d863341527c6567d5bffc42 5faf3250212ff9"))

        let schedule = try AEADChunkSchedule.seipdV2(
            sessionKey: SecureBytes(sessionKey), cipher: .aes128, mode: .ocb, chunkSizeOctet: 6, salt: salt)
        #expect(schedule.iv == Self.hex("5faf3250212ff9"))
        #expect(schedule.nonce(0) == Self.hex("5faf3250212ff9 0000000000000000"))
        #expect(schedule.associatedData(0) == info)
        #expect(schedule.nonce(1) == Self.hex("5faf3250212ff9 0000000000000001"))
        #expect(schedule.finalAssociatedData(chunks: 1, length: 0x25) == Self.hex("d202070206 0000000000000025"))

        // The source alone: literal data packet, then a padding packet.
        let source = SEIPDv2Source(body: ArrayByteSource(Array(body[36...])), schedule: schedule, packetOffset: 0)
        let plain = try source.readToEnd()
        #expect(plain == Self.hex("cb1362000000000048656c6c6f2c20776f726c6421 d50ec5a293072991628147d72c8f86b7"))
        #expect(source.verified)

        // And the whole message through the reader.
        let sink = MemoryPlaintextSink()
        let report = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(try Self.message("rfc9580-a8-encrypted.asc")), to: sink, using: [],
            sessionKeys: [try SessionKey(algorithm: .aes128, key: SecureBytes(sessionKey))])
        #expect(sink.data == Self.hello)
        #expect(report.symmetricAlgorithm == .aes128)
    }

    struct PassphraseSample: Sendable, CustomStringConvertible {
        let file: String
        let mode: AEADAlgorithm
        let derivedKey: String
        let keyEncryptionKey: String
        let sessionKey: String
        let messageKeyAndIV: String
        var description: String { "\(mode)" }
    }

    /// A.9 (EAX), A.10 (OCB), A.11 (GCM): v6 SKESK + SEIPDv2, passphrase "password".
    static let samples = [
        PassphraseSample(
            file: "rfc9580-a9-eax.asc", mode: .eax, derivedKey: "154967e590aa1f923e1c0ac64c88f23d",
            keyEncryptionKey: "2fce331f39dd955cc41e95d870c72139", sessionKey: "3881bafe985412459b86c36f98cb9a5e",
            messageKeyAndIV: "b50422ac1c26be9ddd831d5bbb36b64f 78b833f2e94a60c0"),
        PassphraseSample(
            file: "rfc9580-a10-ocb.asc", mode: .ocb, derivedKey: "e80de243a362d93b9dc607ede96a7356",
            keyEncryptionKey: "38a9b345b5680bb61bb65d73eec7ecd9", sessionKey: "28e79ab82397d3c63de24ac217d7b791",
            messageKeyAndIV: "71662a11ee5b4e08144e6de883a00999 ebde12bb570dcf"),
        PassphraseSample(
            file: "rfc9580-a11-gcm.asc", mode: .gcm, derivedKey: "250281715bba7828ef71ef64c4784753",
            keyEncryptionKey: "7a6f9ab7f99f7ef8dbef841c650800f5", sessionKey: "1936fc8568980274bb900d8319360c77",
            messageKeyAndIV: "ea1438803cb8a47740ce9b54c338778d 4d2bdc2b"),
    ]

    @Test(arguments: samples) func rfcPassphraseSample(_ sample: PassphraseSample) throws {
        let packets = try Self.packets(sample.file)
        #expect(packets.map(\.tag) == [.symmetricKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
        let skesk = packets[0].body
        #expect(Array(skesk[0..<4]) == [6, skesk[1], 7, sample.mode.rawValue])

        // Intermediate values: S2K output, HKDF output, the session key.
        var reader = ByteReader(Array(skesk[5...]))
        let s2k = try S2K(reading: &reader)
        let password = SecureBytes(Array("password".utf8))
        let derived = try s2k.deriveKey(passphrase: password, keySize: 16)
        #expect(derived.bytes == Self.hex(sample.derivedKey))
        let info: [UInt8] = [0xC3, 6, 7, sample.mode.rawValue]
        let kek = try HKDF.derive(.sha256, secret: derived.bytes, info: info, count: 16)
        #expect(kek.bytes == Self.hex(sample.keyEncryptionKey))
        let recovered = try #require(try SKESK.decrypt(skesk, offset: 0, passphrase: password))
        #expect(recovered.cipher == nil)
        #expect(recovered.key.bytes == Self.hex(sample.sessionKey))
        #expect(try SKESK.decrypt(skesk, offset: 0, passphrase: SecureBytes(Array("wrong".utf8))) == nil)

        let seipd = packets[1].body
        let messageKey = try HKDF.derive(
            .sha256, secret: Self.hex(sample.sessionKey), salt: Array(seipd[4..<36]),
            info: [0xD2, 2, 7, sample.mode.rawValue, 6], count: Self.hex(sample.messageKeyAndIV).count)
        #expect(messageKey.bytes == Self.hex(sample.messageKeyAndIV))

        // The whole message.
        let sink = MemoryPlaintextSink()
        let report = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(try Self.message(sample.file)), to: sink, using: [], passphrases: ["password"],
            revealSessionKey: true)
        #expect(sink.data == Self.hello)
        #expect(report.decryptedWithPassphrase)
        #expect(report.symmetricAlgorithm == .aes128)
        #expect(report.sessionKey?.key.bytes == Self.hex(sample.sessionKey))
        #expect(
            errorCode { _ = try OpenPGPMessage.decrypt(try Self.message(sample.file), using: [], passphrases: ["x"]) }
                == .decryptionFailed)
    }

    // MARK: Round trips

    static let modes: [AEADAlgorithm] = [.ocb, .eax, .gcm]

    @Test(arguments: modes) func passphraseMessagesRoundTrip(_ mode: AEADAlgorithm) throws {
        for cipher in [SymmetricAlgorithm.aes128, .aes256] {
            for size in [0, 1, 63, 64, 65, 200, 1000] {
                let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                let message = try OpenPGPMessage.encrypt(
                    data, for: [], passphrases: ["pw"],
                    options: MessageOptions(
                        cipher: cipher, aead: .always(mode), aeadChunkSizeExponent: 0, compression: .uncompressed,
                        armor: false))
                let packets = try PacketFraming.parse(message)
                #expect(packets.map(\.tag) == [.symmetricKeyEncryptedSessionKey, .symEncryptedIntegrityProtectedData])
                #expect(packets[0].body.first == 6)
                #expect(Array(packets[1].body.prefix(4)) == [2, cipher.rawValue, mode.rawValue, 0])
                let result = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["other", "pw"])
                #expect(result.data == data, "\(mode) \(cipher) \(size) bytes")
                #expect(result.symmetricAlgorithm == cipher)
            }
        }
    }

    @Test func largeChunksAndCompressionRoundTrip() throws {
        let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        for exponent in [4, 12, 16] {
            let message = try OpenPGPMessage.encrypt(
                data, for: [], passphrases: ["pw"],
                options: MessageOptions(aead: .always(.ocb), aeadChunkSizeExponent: exponent))
            #expect(try OpenPGPMessage.decrypt(message, using: [], passphrases: ["pw"]).data == data)
        }
    }

    @Test func writerValidatesItsOptions() throws {
        for exponent in [-1, 17] {
            #expect(
                errorCode {
                    _ = try OpenPGPMessage.encrypt(
                        [1], for: [], passphrases: ["pw"],
                        options: MessageOptions(aead: .always(.ocb), aeadChunkSizeExponent: exponent))
                } == .invalidArgument)
        }
        #expect(
            errorCode {
                _ = try OpenPGPMessage.encrypt(
                    [1], for: [], passphrases: ["pw"],
                    options: MessageOptions(cipher: .camellia128, aead: .always(.gcm)))
            } == .unsupportedAlgorithm)
        // .never and .negotiated (for now) keep SEIPDv1 and v4 SKESK.
        for choice in [AEADChoice.never, .negotiated] {
            let message = try OpenPGPMessage.encrypt(
                [1, 2, 3], for: [], passphrases: ["pw"], options: MessageOptions(aead: choice, armor: false))
            let packets = try PacketFraming.parse(message)
            #expect(packets[0].body.first == 4 && packets[1].body.first == 1)
        }
    }

    @Test func severalSessionKeysAreTriedOnTheFirstChunk() throws {
        let data = Array(repeating: UInt8(0x61), count: 500)
        let sink = MemoryPlaintextSink()
        let message = try OpenPGPMessage.encrypt(
            data, for: [], passphrases: ["pw"],
            options: MessageOptions(aead: .always(.eax), aeadChunkSizeExponent: 0, compression: .uncompressed))
        let report = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(message), to: MemoryPlaintextSink(), using: [], passphrases: ["pw"],
            revealSessionKey: true)
        let right = try #require(report.sessionKey)
        let wrong = try SessionKey(algorithm: .aes128, key: SecureBytes.random(count: 16))
        _ = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(message), to: sink, using: [], sessionKeys: [wrong, right])
        #expect(sink.data == data)
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(
                    from: ArrayByteSource(message), to: MemoryPlaintextSink(), using: [], sessionKeys: [wrong])
            } == .integrityCheckFailed)
    }

    // MARK: Tampering and malformed data

    /// A sealed SEIPDv2 body (after the version, cipher, mode, chunk size octet and salt),
    /// with its schedule: `chunks` chunks of 64 bytes, chunk i filled with the byte i + 1.
    static func sealedChunks(_ chunks: Int, mode: AEADAlgorithm = .ocb) throws -> (AEADChunkSchedule, [UInt8]) {
        let key = SecureBytes.random(count: 16)
        final class Capture: WriterStage {
            var bytes: [UInt8] = []
            func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes += bytes }
            func finish() throws {}
        }
        let capture = Capture()
        let stage = try SEIPDv2Stage(
            algorithm: .aes128, mode: mode, chunkSizeExponent: 0, sessionKey: key, next: capture)
        for index in 0..<chunks { try stage.write([UInt8](repeating: UInt8(index + 1), count: 64)) }
        try stage.finish()
        let body = try PacketFraming.parse(capture.bytes)[0].body
        let schedule = try AEADChunkSchedule.seipdV2(
            sessionKey: key, cipher: .aes128, mode: mode, chunkSizeOctet: 0, salt: Array(body[4..<36]))
        return (schedule, Array(body[36...]))
    }

    /// Reads `sealed` in small pieces; returns what was released and the error code, if any.
    static func readReleased(
        _ schedule: AEADChunkSchedule, _ sealed: [UInt8], allOrNothingLimit: Int? = nil
    ) -> ([UInt8], OpenPGPError.Code?) {
        let source = SEIPDv2Source(
            body: ArrayByteSource(sealed), schedule: schedule, packetOffset: 0, allOrNothingLimit: allOrNothingLimit)
        var released: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 10)
        let code = errorCode {
            while true {
                let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if count == 0 { break }
                released += buffer[0..<count]
            }
            #expect(source.verified)
        }
        return (released, code)
    }

    @Test(arguments: modes) func aFlippedBitReleasesNothingOfItsChunk(_ mode: AEADAlgorithm) throws {
        let (schedule, sealed) = try Self.sealedChunks(5, mode: mode)
        #expect(sealed.count == 5 * 80 + 16)
        let (all, ok) = Self.readReleased(schedule, sealed)
        #expect(ok == nil && all.count == 320)
        for chunk in 0..<5 {
            for position in [0, 63, 64, 79] {  // ciphertext and tag
                var modified = sealed
                modified[chunk * 80 + position] ^= 0x04
                let (released, code) = Self.readReleased(schedule, modified)
                #expect(code == .integrityCheckFailed)
                #expect(released == Array(all.prefix(chunk * 64)), "chunk \(chunk) byte \(position)")
                #expect(!released.contains(UInt8(chunk + 1)))
            }
        }
        var finalTag = sealed
        finalTag[finalTag.count - 1] ^= 1
        let (released, code) = Self.readReleased(schedule, finalTag)
        #expect(code == .integrityCheckFailed)
        #expect(released.count == 256)  // the last chunk waits for the final tag
    }

    @Test func truncationIsDetected() throws {
        let (schedule, sealed) = try Self.sealedChunks(3)
        for cut in [1, 15, 16, 17, 40, 80, 96, sealed.count - 10, sealed.count] {
            let (released, code) = Self.readReleased(schedule, Array(sealed.dropLast(cut)))
            #expect(code == .integrityCheckFailed, "cut \(cut)")
            #expect(released.count <= 128)
        }
        // A dropped chunk (the final tag kept) fails the final tag.
        let (_, code) = Self.readReleased(schedule, Array(sealed[0..<80] + sealed[160...]))
        #expect(code == .integrityCheckFailed)
        // Extra bytes after the final tag are no final tag.
        #expect(Self.readReleased(schedule, sealed + [0]).1 == .integrityCheckFailed)
    }

    @Test func allOrNothingReleasesNothingUntilTheFinalTag() throws {
        let (schedule, sealed) = try Self.sealedChunks(4)
        let (all, ok) = Self.readReleased(schedule, sealed, allOrNothingLimit: 1 << 20)
        #expect(ok == nil && all.count == 256)
        var modified = sealed
        modified[3 * 80 + 5] ^= 1
        let (released, code) = Self.readReleased(schedule, modified, allOrNothingLimit: 1 << 20)
        #expect(code == .integrityCheckFailed && released.isEmpty)
        let (tooMuch, limitCode) = Self.readReleased(schedule, sealed, allOrNothingLimit: 200)
        #expect(limitCode == .workLimitExceeded && tooMuch.isEmpty)
    }

    /// The message with its SEIPD body changed by `edit`.
    static func editedMessage(_ edit: (inout [UInt8]) -> Void) throws -> [UInt8] {
        let message = try OpenPGPMessage.encrypt(
            Self.hello, for: [], passphrases: ["pw"], options: MessageOptions(aead: .always(.ocb), armor: false))
        var packets = try PacketFraming.parse(message)
        var body = packets[1].body
        edit(&body)
        packets[1] = RawPacket(
            tag: packets[1].tag, body: body, offset: 0, bodyOffset: 0, usedPartialLengths: false)
        return packets.flatMap(\.serialized)
    }

    @Test func badHeadersAreTyped() throws {
        let decrypt = { (message: [UInt8]) in
            errorCode { _ = try OpenPGPMessage.decrypt(message, using: [], passphrases: ["pw"]) }
        }
        #expect(decrypt(try Self.editedMessage { _ in }) == nil)
        #expect(decrypt(try Self.editedMessage { $0[3] = 17 }) == .malformedPacket)
        #expect(decrypt(try Self.editedMessage { $0[3] = 255 }) == .malformedPacket)
        #expect(decrypt(try Self.editedMessage { $0[2] = 4 }) == .unsupportedAlgorithm)
        #expect(decrypt(try Self.editedMessage { $0[2] = 0 }) == .unsupportedAlgorithm)
        #expect(decrypt(try Self.editedMessage { $0[1] = 10 }) == .unsupportedAlgorithm)  // Twofish
        #expect(decrypt(try Self.editedMessage { $0[0] = 3 }) == .unsupportedVersion)
        #expect(decrypt(try Self.editedMessage { $0.removeSubrange(20...) }) == .truncatedPacket)
        // Another AEAD mode in the header than the data was sealed with.
        #expect(decrypt(try Self.editedMessage { $0[2] = 1 }) == .integrityCheckFailed)
        #expect(decrypt(try Self.editedMessage { $0[40] ^= 1 }) == .integrityCheckFailed)
        #expect(decrypt(try Self.editedMessage { $0.removeLast(16) }) == .integrityCheckFailed)
    }

    @Test func tamperedMessagesAreDiscardedByTheReader() throws {
        let data = [UInt8](repeating: 0x33, count: 10_000)
        var message = try OpenPGPMessage.encrypt(
            data, for: [], passphrases: ["pw"],
            options: MessageOptions(
                aead: .always(.gcm), aeadChunkSizeExponent: 6, compression: .uncompressed, armor: false))
        message[message.count - 100] ^= 0x10
        let sink = MemoryPlaintextSink()
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(from: ArrayByteSource(message), to: sink, using: [], passphrases: ["pw"])
            } == .integrityCheckFailed)
        #expect(sink.data == nil)
    }

    // MARK: SKESK v6

    @Test func skeskV6IsParsedStrictly() throws {
        let key = SecureBytes.random(count: 32)
        let password = SecureBytes(Array("pw".utf8))
        for mode in Self.modes {
            let body = try SKESK.makeV6(sessionKey: key, messageCipher: .aes256, mode: mode, passphrase: password)
            #expect(body[0] == 6 && body[2] == 9 && body[3] == mode.rawValue)
            #expect(Int(body[1]) == 3 + Int(body[4]) + (mode.nonceSize ?? 0))
            #expect(try SKESK.decrypt(body, offset: 0, passphrase: password)?.key == key)
            var countWrong = body
            countWrong[1] += 1
            #expect(
                errorCode { _ = try SKESK.decrypt(countWrong, offset: 0, passphrase: password) } == .malformedPacket)
            var modeWrong = body
            modeWrong[3] = 9
            #expect(
                errorCode { _ = try SKESK.decrypt(modeWrong, offset: 0, passphrase: password) } == .unsupportedAlgorithm
            )
            #expect(
                errorCode { _ = try SKESK.decrypt(Array(body.prefix(30)), offset: 0, passphrase: password) } != nil)
            var tagWrong = body
            tagWrong[tagWrong.count - 1] ^= 1
            #expect(try SKESK.decrypt(tagWrong, offset: 0, passphrase: password) == nil)
        }
    }

    @Test func skeskV6RespectsTheWorkLimits() throws {
        let message = try Self.message("rfc9580-a10-ocb.asc")
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(
                    message, using: [], passphrases: ["password"],
                    sessionKeyLimits: SessionKeyLimits(maxS2KBytes: 1 << 20))
            } == .workLimitExceeded)
    }

    // MARK: GnuPG's AEAD Encrypted Data packet (tag 20)

    /// A tag 20 packet as GnuPG 2.3+ writes it (draft-koch-librepgp), built by hand:
    /// version 1, cipher, mode, chunk size octet, IV, then the chunks and the final tag.
    static func gnupgPacket(_ plaintext: [UInt8], key: SecureBytes, mode: AEADAlgorithm) throws -> [UInt8] {
        let iv = secureRandomBytes(mode.nonceSize ?? 0)
        let header: [UInt8] = [1, SymmetricAlgorithm.aes128.rawValue, mode.rawValue, 0]
        let schedule = AEADChunkSchedule(
            layout: .librePGP, cipher: try AEADCipher(mode, algorithm: .aes128, key: key), header: [0xD4] + header,
            iv: iv, chunkSizeOctet: 0)
        var body = header + iv
        var index: UInt64 = 0
        var offset = 0
        while offset < plaintext.count {
            let chunk = Array(plaintext[offset..<min(offset + 64, plaintext.count)])
            body += try schedule.cipher.seal(
                nonce: schedule.nonce(index), associatedData: schedule.associatedData(index), plaintext: chunk)
            offset += chunk.count
            index += 1
        }
        body += try schedule.cipher.seal(
            nonce: schedule.nonce(index),
            associatedData: schedule.finalAssociatedData(chunks: index, length: UInt64(plaintext.count)), plaintext: [])
        return PacketFraming.packet(tag: .aeadEncryptedData, body: body)
    }

    @Test(arguments: [AEADAlgorithm.ocb, .eax]) func gnupgAEADPacketIsRead(_ mode: AEADAlgorithm) throws {
        let data = Array(String(repeating: "GnuPG AEAD ", count: 30).utf8)
        let literal = PacketFraming.packet(tag: .literalData, body: [0x62, 0, 0, 0, 0, 0] + data)
        let key = SecureBytes.random(count: 16)
        let packet = try Self.gnupgPacket(literal, key: key, mode: mode)

        let sink = MemoryPlaintextSink()
        _ = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(packet), to: sink, using: [],
            sessionKeys: [try SessionKey(algorithm: .aes128, key: key)])
        #expect(sink.data == data)

        // With a v4 SKESK in front, as for a passphrase.
        let skesk = try SKESK.make(sessionKey: key, messageCipher: .aes128, passphrase: SecureBytes(Array("pw".utf8)))
        let message = PacketFraming.packet(tag: .symmetricKeyEncryptedSessionKey, body: skesk) + packet
        #expect(try OpenPGPMessage.decrypt(message, using: [], passphrases: ["pw"]).data == data)

        // With GnuPG's v5 SKESK (AEAD, the key straight from the S2K), as gpg 2.3+ writes it.
        let s2k = S2K.iteratedAndSalted(codedCount: 0x60)
        let password = SecureBytes(Array("pw".utf8))
        let nonce = secureRandomBytes(mode.nonceSize ?? 0)
        let sealedKey = try AEADCipher(
            mode, algorithm: .aes128, key: try s2k.deriveKey(passphrase: password, keySize: 16)
        )
        .seal(nonce: nonce, associatedData: [0xC3, 5, 7, mode.rawValue], plaintext: key.bytes)
        let v5 = [5, 7, mode.rawValue] + s2k.serialized + nonce + sealedKey
        #expect(try SKESK.decrypt(v5, offset: 0, passphrase: password)?.key == key)
        #expect(try SKESK.decrypt(v5, offset: 0, passphrase: SecureBytes(Array("no".utf8))) == nil)
        let gnupgMessage = PacketFraming.packet(tag: .symmetricKeyEncryptedSessionKey, body: v5) + packet
        #expect(try OpenPGPMessage.decrypt(gnupgMessage, using: [], passphrases: ["pw"]).data == data)
        // v5 belongs to GnuPG's packet only, not before SEIPD.
        #expect(
            try SKESK.sessionKeys(
                [(v5, 0)], passphrases: [password], limits: SessionKeyLimits(), for: .seipdV2(.aes128)
            ).isEmpty)

        // Its nonce is the IV with the chunk index xored in; the index is in the associated data.
        var modified = packet
        modified[modified.count - 40] ^= 1
        #expect(
            errorCode {
                _ = try OpenPGPMessage.decrypt(
                    from: ArrayByteSource(modified), to: MemoryPlaintextSink(), using: [],
                    sessionKeys: [try SessionKey(algorithm: .aes128, key: key)])
            } == .integrityCheckFailed)
    }

    @Test func librePGPNoncesXorTheIndex() throws {
        let schedule = AEADChunkSchedule(
            layout: .librePGP, cipher: try AEADCipher(.ocb, algorithm: .aes128, key: SecureBytes.random(count: 16)),
            header: [0xD4, 1, 7, 2, 0], iv: [UInt8](repeating: 0xF0, count: 15), chunkSizeOctet: 0)
        #expect(schedule.nonce(0) == [UInt8](repeating: 0xF0, count: 15))
        #expect(schedule.nonce(0x0102) == [UInt8](repeating: 0xF0, count: 13) + [0xF1, 0xF2])
        #expect(schedule.associatedData(3) == [0xD4, 1, 7, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3])
        #expect(
            schedule.finalAssociatedData(chunks: 1, length: 2) == [0xD4, 1, 7, 2, 0] + [0, 0, 0, 0, 0, 0, 0, 1] + [
                0, 0, 0, 0, 0, 0, 0, 2,
            ])
    }
}
