/// A DKIM canonicalization algorithm (RFC 6376 §3.4), chosen separately for the header and the body.
///
/// `simple` tolerates almost no change in transit; `relaxed` survives whitespace changes, refolding and
/// header name case changes that relays commonly make, and is the usual choice (`c=relaxed/relaxed`).
public enum DKIMCanonicalization: String, Sendable, Hashable, CaseIterable {
    /// RFC 6376 §3.4.1 and §3.4.3: the field or body as it is, less empty lines at the end of the body.
    case simple
    /// RFC 6376 §3.4.2 and §3.4.4: whitespace reduced, header names lowercased, fields unfolded.
    case relaxed
}

extension DKIMCanonicalization {
    /// The canonical form of one header field, with its CRLF (RFC 6376 §3.4.1, §3.4.2).
    ///
    /// `field` is the whole field as it appears in the message, name, colon, value and any folding,
    /// without its final CRLF.
    func canonicalHeader(_ field: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .simple:
            return Array(field) + [ASCII.cr, ASCII.lf]
        case .relaxed:
            guard let colon = field.firstIndex(of: ASCII.colon) else { return Array(field) + [ASCII.cr, ASCII.lf] }
            var out: [UInt8] = []
            out.reserveCapacity(field.count + 2)
            // The name: lowercased, without the whitespace some writers leave before the colon.
            var name = field[field.startIndex..<colon]
            while let last = name.last, ASCII.isWSP(last) { name = name.dropLast() }
            out.append(contentsOf: name.map(Self.lowercased))
            out.append(ASCII.colon)
            // The value: unfolded, each run of whitespace one space, none at either end.
            var pendingSpace = false
            for byte in field[(colon + 1)...] {
                if byte == ASCII.cr || byte == ASCII.lf { continue }
                if ASCII.isWSP(byte) {
                    pendingSpace = true
                    continue
                }
                if pendingSpace && out.count > name.count + 1 { out.append(ASCII.space) }
                pendingSpace = false
                out.append(byte)
            }
            out.append(contentsOf: [ASCII.cr, ASCII.lf])
            return out
        }
    }

    /// Feeds the canonical body (RFC 6376 §3.4.3, §3.4.4) to `emit` in pieces, without copying it whole.
    ///
    /// `body` is everything after the empty line that ends the header section; lines end in CRLF
    /// (the signer has rejected bare CR and LF before). A last line without CRLF gets one.
    func canonicalizeBody(_ body: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
        let crlf: ArraySlice<UInt8> = [ASCII.cr, ASCII.lf]
        var pendingEmptyLines = 0
        var emittedAnything = false
        var reduced: [UInt8] = []
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            var lineEnd = lineStart
            while lineEnd < body.endIndex && body[lineEnd] != ASCII.cr { lineEnd += 1 }
            let line = body[lineStart..<lineEnd]
            // Skip the CRLF (or a CR at the very end, which the signer never passes on).
            lineStart = min(lineEnd + 2, body.endIndex)
            let content: ArraySlice<UInt8>
            switch self {
            case .simple:
                content = line
            case .relaxed:
                reduced.removeAll(keepingCapacity: true)
                var pendingSpace = false
                for byte in line {
                    if ASCII.isWSP(byte) {
                        pendingSpace = true
                        continue
                    }
                    if pendingSpace { reduced.append(ASCII.space) }
                    pendingSpace = false
                    reduced.append(byte)
                }
                // Whitespace at the end of the line is dropped: `pendingSpace` is not flushed.
                content = reduced[...]
            }
            if content.isEmpty {
                pendingEmptyLines += 1
                continue
            }
            for _ in 0..<pendingEmptyLines { emit(crlf) }
            pendingEmptyLines = 0
            emit(content)
            emit(crlf)
            emittedAnything = true
        }
        // Empty lines at the end are ignored. A simple body that is empty becomes one CRLF;
        // a relaxed one stays empty (RFC 6376 §3.4.3, §3.4.4).
        if !emittedAnything && self == .simple { emit(crlf) }
    }

    /// The canonical body as one array (for tests and small bodies).
    func canonicalBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        canonicalizeBody(body) { out.append(contentsOf: $0) }
        return out
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
