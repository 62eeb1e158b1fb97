import Foundation

/// How literal data is marked (RFC 9580 §5.9).
public enum LiteralFormat: UInt8, Sendable, Hashable {
    case binary = 0x62  // 'b'
    case text = 0x74  // 't'
    case utf8 = 0x75  // 'u'
}

/// Writes a Literal Data packet and feeds the same bytes to the signature hashes, with line
/// endings canonicalised for text signatures. The packet keeps the bytes as written.
final class LiteralDataStage: WriterStage {
    private let body: PartialLengthStage
    private var hasher: DocumentHasher

    init(format: LiteralFormat, fileName: String, date: Date?, hashes: [HashContext], textSignatures: Bool, next: WriterStage) throws {
        hasher = DocumentHasher(contexts: hashes, textMode: textSignatures)
        body = try PartialLengthStage(tag: .literalData, next: next)
        let name = Array(fileName.utf8.prefix(255))
        var header: [UInt8] = [format.rawValue, UInt8(name.count)] + name
        header.appendUInt32(date.map { UInt32(clamping: Int64($0.timeIntervalSince1970)) } ?? 0)
        try body.write(header)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        try body.write(bytes)
    }

    /// Finishes the literal packet only; the stages after it stay open for the signatures.
    func finish() throws {
        try body.finishPacket()
    }
}
