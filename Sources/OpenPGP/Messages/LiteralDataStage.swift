import Foundation

/// How literal data is marked (RFC 9580 §5.9).
public enum LiteralFormat: UInt8, Sendable, Hashable {
    case binary = 0x62  // 'b'
    case text = 0x74  // 't'
    case utf8 = 0x75  // 'u'
}

/// Writes a Literal Data packet and feeds the same bytes to the signature hashes.
///
/// Text data (`t`, `u`) is stored with CRLF line endings (RFC 4880 §5.9), so the stored bytes
/// are the canonical text a text signature covers: GnuPG hashes them as stored.
final class LiteralDataStage: WriterStage {
    private let body: PartialLengthStage
    private let hashes: [HashContext]
    private var text: TextCanonicalizer?

    init(format: LiteralFormat, fileName: String, date: Date?, hashes: [HashContext], next: WriterStage) throws {
        self.hashes = hashes
        text = format == .binary ? nil : TextCanonicalizer()
        body = try PartialLengthStage(tag: .literalData, next: next)
        let name = Array(fileName.utf8.prefix(255))
        var header: [UInt8] = [format.rawValue, UInt8(name.count)] + name
        header.appendUInt32(date.map { UInt32(openPGPTimestamp: $0) } ?? 0)
        try body.write(header)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard text != nil else { return try store(bytes) }
        try text!.process(bytes, into: store)
    }

    private func store(_ bytes: UnsafeRawBufferPointer) throws {
        for hash in hashes { hash.update(bytes) }
        try body.write(bytes)
    }

    /// Finishes the literal packet only; the stages after it stay open for the signatures.
    func finish() throws {
        try body.finishPacket()
    }
}
