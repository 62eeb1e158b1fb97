/// GnuPG's keybox file (`pubring.kbx`, GnuPG 2.1 and later): a header blob, then one blob
/// per key. OpenPGP blobs carry a transferable public key; X.509 blobs and deleted (empty)
/// blobs are skipped, and so are ephemeral ones. Every length and offset is checked, and so is each blob's SHA-1
/// checksum.
///
/// Blob layout (all integers big-endian): `u32 length` (whole blob), `u8 type`, `u8 version`,
/// `u16 flags`, then per type. An OpenPGP blob continues with `u32 keyblock offset`,
/// `u32 keyblock length`, the key, user ID and signature tables, and ends with 20 bytes of
/// SHA-1 over everything before them.
enum Keybox {
    /// One OpenPGP key block found in a keybox, with where it starts in the file.
    struct KeyBlockBytes: Sendable {
        let bytes: [UInt8]
        let offset: Int
    }

    enum BlobType: UInt8 {
        case empty = 0
        case header = 1
        case openPGP = 2
        case x509 = 3
    }

    static let magic = Array("KBXf".utf8)
    static let headerLength = 32
    static let checksumLength = 20
    /// Length, type, version, flags, keyblock offset and length, key count and key-info size.
    static let openPGPFixedLength = 20
    static let minimumKeyInfoSize = 28
    /// Blob flag bit 1: a key kept only while GnuPG looked it up, not part of the keyring.
    static let ephemeralFlag: UInt16 = 0x0002

    /// Whether `bytes` start with a keybox header blob.
    static func isKeybox(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes[4] == BlobType.header.rawValue && Array(bytes[8..<12]) == magic
    }

    /// The OpenPGP key blocks of a keybox file, in file order.
    static func keyBlocks(_ bytes: [UInt8]) throws -> [KeyBlockBytes] {
        var blocks: [KeyBlockBytes] = []
        var position = 0
        var isFirst = true
        while position < bytes.count {
            let blob = try readBlob(bytes, at: position)
            if isFirst {
                guard blob.type == BlobType.header.rawValue, blob.length >= headerLength,
                    Array(bytes[position + 8..<position + 12]) == magic
                else { throw malformed("the file does not start with a keybox header blob", at: position) }
                isFirst = false
            } else {
                switch BlobType(rawValue: blob.type) {
                case .openPGP:
                    let block = try openPGPKeyBlock(bytes, blobStart: position, blobLength: blob.length)
                    // Ephemeral blobs hold keys GnuPG looked at but did not import.
                    if !block.isEphemeral { blocks.append(block.keyBlock) }
                case .header:
                    throw malformed("a second keybox header blob", at: position)
                case .empty, .x509:
                    break
                case nil:
                    // Unknown blob types carry no OpenPGP key: skip them.
                    break
                }
            }
            position += blob.length
        }
        guard !isFirst else { throw malformed("the keybox is empty", at: 0) }
        return blocks
    }

    /// The length and type of the blob at `start`, after checking it fits in the file.
    private static func readBlob(_ bytes: [UInt8], at start: Int) throws -> (length: Int, type: UInt8) {
        var reader = ByteReader(Array(bytes[start..<min(bytes.count, start + 5)]), baseOffset: start)
        let length = Int(try reader.readUInt32("a keybox blob length"))
        let type = try reader.readByte("a keybox blob type")
        guard length >= 5 else { throw malformed("keybox blob length \(length) is too small", at: start) }
        guard length <= bytes.count - start else {
            throw OpenPGPError(
                .truncatedPacket, "the keybox blob of \(length) bytes runs past the end of the file", offset: start)
        }
        return (length, type)
    }

    /// Validates an OpenPGP blob and returns its key block and whether it is ephemeral.
    private static func openPGPKeyBlock(
        _ bytes: [UInt8], blobStart: Int, blobLength: Int
    ) throws -> (keyBlock: KeyBlockBytes, isEphemeral: Bool) {
        let blob = Array(bytes[blobStart..<blobStart + blobLength])
        guard blobLength >= openPGPFixedLength + checksumLength else {
            throw malformed("an OpenPGP keybox blob of \(blobLength) bytes is too short", at: blobStart)
        }
        let checked = blobLength - checksumLength
        try verifyChecksum(blob, blobStart: blobStart)

        var reader = ByteReader(Array(blob[..<checked]), baseOffset: blobStart)
        _ = try reader.readBytes(6, "the blob header")
        let flags = try reader.readUInt16("the blob flags")
        let blockOffset = Int(try reader.readUInt32("the keyblock offset"))
        let blockLength = Int(try reader.readUInt32("the keyblock length"))
        let keyCount = Int(try reader.readUInt16("the number of keys"))
        let keyInfoSize = Int(try reader.readUInt16("the key information size"))
        guard keyCount >= 1 else { throw malformed("an OpenPGP keybox blob lists no key", at: blobStart + 16) }
        guard keyInfoSize >= minimumKeyInfoSize else {
            throw malformed("keybox key information of \(keyInfoSize) bytes is too small", at: blobStart + 18)
        }
        _ = try reader.readBytes(keyCount * keyInfoSize, "the key information table")
        _ = try reader.readBytes(Int(try reader.readUInt16("the serial number size")), "the serial number")
        let userIDCount = Int(try reader.readUInt16("the number of user IDs"))
        let userIDInfoSize = Int(try reader.readUInt16("the user ID information size"))
        _ = try reader.readBytes(userIDCount * userIDInfoSize, "the user ID table")
        let signatureCount = Int(try reader.readUInt16("the number of signatures"))
        let signatureInfoSize = Int(try reader.readUInt16("the signature information size"))
        _ = try reader.readBytes(signatureCount * signatureInfoSize, "the signature table")
        // Ownertrust, validity, reserved, recheck time, latest timestamp, creation time.
        _ = try reader.readBytes(16, "the blob trust and time fields")
        _ = try reader.readBytes(Int(try reader.readUInt32("the reserved space size")), "the reserved space")

        guard blockOffset >= reader.position, blockLength > 0, blockLength <= checked - blockOffset else {
            throw malformed(
                "keyblock at \(blockOffset) of \(blockLength) bytes lies outside its \(blobLength)-byte blob",
                at: blobStart + 8)
        }
        let keyBlock = KeyBlockBytes(
            bytes: Array(blob[blockOffset..<blockOffset + blockLength]), offset: blobStart + blockOffset)
        return (keyBlock, flags & ephemeralFlag != 0)
    }

    /// Checks the trailing SHA-1. Keyboxes written before GnuPG 2.1 stored an MD5 that
    /// GnuPG never checked, marked by four leading zero bytes; those are accepted unchecked.
    private static func verifyChecksum(_ blob: [UInt8], blobStart: Int) throws {
        let checked = blob.count - checksumLength
        let stored = Array(blob[checked...])
        if stored.prefix(4).allSatisfy({ $0 == 0 }) { return }
        guard try HashContext.digest(.sha1, Array(blob[..<checked])) == stored else {
            throw malformed("keybox blob checksum mismatch", at: blobStart + checked)
        }
    }

    private static func malformed(_ detail: String, at offset: Int) -> OpenPGPError {
        OpenPGPError(.malformedPacket, "keybox: \(detail)", offset: offset)
    }
}
