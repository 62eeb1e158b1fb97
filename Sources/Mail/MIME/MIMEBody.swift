import Foundation

/// The content of a MIME part. Parts are built with `MIMEPart`'s factories, which validate
/// the body against its transfer encoding; the cases are public for inspection.
public enum MIMEBody: Sendable {
    /// Text in a charset, written with the part's transfer encoding (CRLF line breaks).
    case text(String, charset: Charset)
    /// In-memory bytes. With 7bit/8bit they are text with CRLF line breaks; with base64 or
    /// quoted-printable they are arbitrary data.
    case bytes([UInt8])
    /// A file, read in chunks at render time and written as base64; never loaded whole.
    case file(URL)
    /// Child parts separated by a boundary.
    case multipart(Multipart)
    /// Body bytes already in the part's transfer encoding, written verbatim.
    case preEncoded([UInt8])
    /// Body bytes already in the part's transfer encoding, produced at render time.
    case stream(MIMEBodyStream)
    /// A complete entity (headers, blank line, body) written verbatim, e.g. the exact bytes
    /// covered by a multipart/signed signature.
    case renderedEntity([UInt8])
}

/// The children of a multipart body and the boundary that separates them.
public struct Multipart: Sendable {
    /// The boundary, guaranteed not to occur in the children's encoded content.
    public let boundary: String
    /// The child parts, in order (at least one).
    public let parts: [MIMEPart]
}

/// Produces body bytes on demand.
public protocol MIMEByteSource {
    /// The next chunk of bytes, or nil at the end.
    mutating func nextChunk() throws -> [UInt8]?
}

/// Body bytes produced at render time, for example by a streaming encryption pipeline.
///
/// `makeSource` is called once per render; to keep renders identical it must produce the
/// same bytes each time. The bytes must already be in the part's transfer encoding: CRLF
/// line breaks, lines of at most 998 octets, no line starting with an enclosing boundary.
/// The renderer checks this as the bytes pass and throws `invalidBody` or `invalidBoundary`.
public struct MIMEBodyStream: Sendable {
    let makeSource: @Sendable () throws -> any MIMEByteSource

    /// Creates a stream body from a source factory.
    public init(_ makeSource: @escaping @Sendable () throws -> any MIMEByteSource) {
        self.makeSource = makeSource
    }
}
