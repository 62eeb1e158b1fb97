/// Feeds text to signature hashes with every line ending as CRLF (RFC 9580 §5.2.1.2), for
/// data that arrives in pieces.
///
/// A LF not preceded by CR gets a CR before it; CRLF passes unchanged, also when the CR ends
/// one write and the LF starts the next. A bare CR is not a line ending (as in GnuPG) and is
/// hashed as it is.
struct TextCanonicalizer {
    private static let cr: [UInt8] = [0x0D]
    private var previousWasCR = false

    /// Hands `bytes`, canonicalised, to `sink` in as few pieces as possible.
    mutating func process(_ bytes: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) rethrows
    {
        guard !bytes.isEmpty else { return }
        var start = 0
        for index in 0..<bytes.count where bytes[index] == 0x0A {
            let precededByCR = index > 0 ? bytes[index - 1] == 0x0D : previousWasCR
            guard !precededByCR else { continue }
            if index > start { try sink(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) }
            try Self.cr.withUnsafeBytes(sink)
            start = index
        }
        if start < bytes.count { try sink(UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count])) }
        previousWasCR = bytes[bytes.count - 1] == 0x0D
    }

    /// `bytes` canonicalised in one piece: the in-memory form.
    static func canonicalize(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        var canonicalizer = TextCanonicalizer()
        bytes.withUnsafeBytes { canonicalizer.process($0) { out += $0 } }
        return out
    }
}

/// Hashes the signed data of one or more document signatures: as it is for binary
/// signatures (type 0x00), canonicalised for text signatures (type 0x01).
struct DocumentHasher {
    let contexts: [HashContext]
    private var text: TextCanonicalizer?

    init(contexts: [HashContext], textMode: Bool) {
        self.contexts = contexts
        text = textMode ? TextCanonicalizer() : nil
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if text == nil {
            for context in contexts { context.update(bytes) }
        } else {
            let contexts = contexts
            text!.process(bytes) { piece in
                for context in contexts { context.update(piece) }
            }
        }
    }
}
