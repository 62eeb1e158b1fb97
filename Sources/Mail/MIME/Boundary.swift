/// Multipart boundaries (RFC 2046 §5.1.1).
///
/// Generated boundaries start with `=_`, which base64 and quoted-printable output can never
/// contain, so only verbatim content (headers, 7bit/8bit bodies, pre-encoded bytes and nested
/// boundaries) has to be searched; file bodies, always base64, need no look at all.
enum Boundary {
    /// Characters RFC 2046 allows in a boundary.
    static func isBoundaryChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: Array("'()+_,-./:=? ".utf8).contains(byte)
        }
    }

    /// Throws `invalidBoundary` unless `boundary` has 1...70 boundary characters and does not
    /// end with a space.
    static func validate(_ boundary: String) throws {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.allSatisfy(isBoundaryChar), bytes.last != ASCII.space else {
            throw MailError(.invalidBoundary, "a boundary has 1 to 70 characters of RFC 2046 bchars", input: boundary)
        }
    }

    /// A random boundary that occurs in none of `haystacks`.
    static func generate(avoiding haystacks: [[UInt8]]) throws -> String {
        // 178 random bits: a collision is practically impossible, but it is still checked.
        for _ in 0..<8 {
            let candidate = "=_" + RandomToken.alphanumeric(30)
            if isFree(candidate, in: haystacks) { return candidate }
        }
        throw MailError(.invalidBoundary, "no free boundary found")
    }

    /// Whether `boundary` occurs in none of `haystacks`.
    static func isFree(_ boundary: String, in haystacks: [[UInt8]]) -> Bool {
        let needle = Array(boundary.utf8)
        return !haystacks.contains { BodyInspection.contains($0, needle) }
    }

    /// The verbatim bytes inside `parts` where a boundary could appear.
    static func verbatimContent(of parts: [MIMEPart]) throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        for part in parts {
            try collect(part, into: &result)
        }
        return result
    }

    private static func collect(_ part: MIMEPart, into result: inout [[UInt8]]) throws {
        switch part.body {
        case .renderedEntity(let bytes):
            result.append(bytes)
            return
        default:
            result.append(try part.headers.rendered())
        }
        switch part.body {
        case .text(let text, let charset):
            if part.transferEncoding?.isVerbatim == true { result.append(try charset.encode(text)) }
        case .bytes(let bytes):
            if part.transferEncoding?.isVerbatim == true { result.append(bytes) }
        case .preEncoded(let bytes):
            result.append(bytes)
        case .multipart(let multipart):
            result.append(Array(multipart.boundary.utf8))
            for child in multipart.parts { try collect(child, into: &result) }
        case .file, .stream, .renderedEntity:
            break  // base64 / checked while streaming / handled above
        }
    }
}

extension TransferEncoding {
    /// Whether the body is written as it is (no encoding that would hide a boundary).
    var isVerbatim: Bool { self == .sevenBit || self == .eightBit || self == .binary }
}
