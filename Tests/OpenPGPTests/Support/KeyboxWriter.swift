@testable import OpenPGP

/// Writes GnuPG keybox files the way GnuPG lays them out, so keybox reading is tested
/// without gpg (the interop tests read real ones).
enum KeyboxWriter {
    static func keybox(_ blobs: [[UInt8]]) -> [UInt8] {
        header() + blobs.flatMap { $0 }
    }

    static func header() -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt32(32)
        out += [1, 1, 0, 2] + Array("KBXf".utf8)
        out += [UInt8](repeating: 0, count: 4)
        out.appendUInt32(1_700_000_000)
        out.appendUInt32(1_700_000_000)
        out += [UInt8](repeating: 0, count: 8)
        return out
    }

    /// An OpenPGP blob (type 2, version 1) holding `keyBlock`, listing its keys.
    static func openPGPBlob(_ keyBlock: [UInt8], certificate: Certificate, flags: UInt8 = 0) throws -> [UInt8] {
        var tables: [UInt8] = []
        let keys = certificate.components
        tables.appendUInt16(UInt16(keys.count))
        tables.appendUInt16(28)
        for key in keys {
            tables += key.fingerprint.bytes
            tables.appendUInt32(0)
            tables += [0, 0, 0, 0]
        }
        tables.appendUInt16(0)  // serial number
        tables.appendUInt16(0)  // user IDs
        tables.appendUInt16(12)
        tables.appendUInt16(0)  // signatures
        tables.appendUInt16(4)
        tables += [UInt8](repeating: 0, count: 16)
        tables.appendUInt32(0)  // reserved space
        return try blob(type: 2, flags: flags, tables: tables, payload: keyBlock)
    }

    /// A blob of another type (3 = X.509, 0 = empty) with an opaque payload.
    static func otherBlob(type: UInt8, payload: [UInt8]) throws -> [UInt8] {
        try blob(
            type: type, flags: 0,
            tables: [0, 1, 0, 28] + [UInt8](repeating: 0, count: 28) + [0, 0, 0, 0, 0, 12, 0, 0, 0, 4]
                + [UInt8](repeating: 0, count: 20), payload: payload)
    }

    private static func blob(type: UInt8, flags: UInt8, tables: [UInt8], payload: [UInt8]) throws -> [UInt8] {
        let payloadOffset = 16 + tables.count
        let length = payloadOffset + payload.count + 20
        var out: [UInt8] = []
        out.appendUInt32(UInt32(length))
        out += [type, 1, 0, flags]
        out.appendUInt32(UInt32(payloadOffset))
        out.appendUInt32(UInt32(payload.count))
        out += tables + payload
        return out + (try HashContext.digest(.sha1, out))
    }
}
