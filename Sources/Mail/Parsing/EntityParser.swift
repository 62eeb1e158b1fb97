/// The MIME parser behind `MIMEEntity.parse`: header blocks and multipart splitting
/// (RFC 2046 §5.1.1). Every loop advances through the input, so it always terminates.
enum EntityParser {
    static let maxDepth = 64

    static let defaultContentType = ContentType(
        validatedType: "text", subtype: "plain",
        parameters: [MIMEParameter(validatedName: "charset", value: "us-ascii")])

    static let digestDefault = ContentType(validatedType: "message", subtype: "rfc822", parameters: [])

    static func parse(_ source: [UInt8], range: Range<Int>, depth: Int, defaultType: ContentType) throws -> MIMEEntity {
        guard depth <= maxDepth else {
            throw MailError(
                .malformedMIME, "multiparts nested deeper than \(maxDepth) levels", offset: range.lowerBound)
        }
        let (headers, headerRanges, bodyStart) = try parseHeaders(source, range: range)
        let bodyRange = bodyStart..<range.upperBound
        func value(_ name: String) -> String? {
            headers.first { ASCII.caseInsensitiveEquals($0.name, name) }?.rawValue
        }
        let contentType = try value("Content-Type").map { try ContentType(parsing: $0) } ?? defaultType
        let disposition = try value("Content-Disposition").map { try ContentDisposition(parsing: $0) }
        var children: [MIMEEntity] = []
        if contentType.isMultipart {
            guard let boundary = contentType[parameter: "boundary"], !boundary.isEmpty, boundary.utf8.count <= 200
            else {
                throw MailError(
                    .malformedMIME, "multipart without a usable boundary", header: "Content-Type",
                    offset: range.lowerBound)
            }
            let childDefault = contentType.subtype == "digest" ? digestDefault : defaultContentType
            for childRange in try splitMultipart(source, body: bodyRange, boundary: Array(boundary.utf8)) {
                children.append(try parse(source, range: childRange, depth: depth + 1, defaultType: childDefault))
            }
        }
        return MIMEEntity(
            headers: headers, headerRanges: headerRanges, contentType: contentType, contentDisposition: disposition,
            children: children, range: range, bodyRange: bodyRange, source: source)
    }

    /// The end of the line starting at `start` (index of its LF, or `limit`).
    private static func lineEnd(_ source: [UInt8], from start: Int, limit: Int) -> Int {
        var index = start
        while index < limit && source[index] != ASCII.lf { index += 1 }
        return index
    }

    /// `lineEnd` without a CR before the LF.
    private static func contentEnd(_ source: [UInt8], lineStart: Int, lineEnd: Int) -> Int {
        lineEnd > lineStart && source[lineEnd - 1] == ASCII.cr ? lineEnd - 1 : lineEnd
    }

    /// Parses the header block; returns the fields, the byte range of each field (its lines
    /// with their line breaks) and the offset where the body starts.
    static func parseHeaders(
        _ source: [UInt8], range: Range<Int>
    ) throws -> ([MIMEEntity.Header], [Range<Int>], Int) {
        var headers: [MIMEEntity.Header] = []
        var ranges: [Range<Int>] = []
        var current: (name: String, value: [UInt8], start: Int)?
        var lineStart = range.lowerBound
        func flush() {
            if let field = current {
                let value = String(decoding: ASCII.trimmingWSP(field.value[...]), as: UTF8.self)
                headers.append(MIMEEntity.Header(name: field.name, rawValue: value))
                ranges.append(field.start..<lineStart)
                current = nil
            }
        }
        while lineStart < range.upperBound {
            let end = lineEnd(source, from: lineStart, limit: range.upperBound)
            let next = min(end + 1, range.upperBound)
            let content = source[lineStart..<contentEnd(source, lineStart: lineStart, lineEnd: end)]
            if content.isEmpty {
                flush()
                return (headers, ranges, next)
            }
            if let first = content.first, ASCII.isWSP(first) {
                guard current != nil else {
                    throw MailError(.malformedMIME, "continuation line without a header field", offset: lineStart)
                }
                current?.value += content
            } else {
                flush()
                guard let colon = content.firstIndex(of: ASCII.colon) else {
                    throw MailError(.malformedMIME, "header line without ':'", offset: lineStart)
                }
                let name = ASCII.trimmingWSP(content[content.startIndex..<colon])
                guard !name.isEmpty, name.allSatisfy({ ASCII.isVCHAR($0) }) else {
                    throw MailError(.malformedMIME, "invalid header name", offset: lineStart)
                }
                current = (String(decoding: name, as: UTF8.self), Array(content[(colon + 1)...]), lineStart)
            }
            lineStart = next
        }
        // Headers only, no blank line: the body is empty.
        lineStart = range.upperBound
        flush()
        return (headers, ranges, range.upperBound)
    }

    /// The byte ranges of the body parts between `--boundary` delimiter lines. The CRLF
    /// before a delimiter belongs to the delimiter; preamble and epilogue are ignored.
    static func splitMultipart(_ source: [UInt8], body: Range<Int>, boundary: [UInt8]) throws -> [Range<Int>] {
        let delimiter = [ASCII.hyphen, ASCII.hyphen] + boundary
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = body.lowerBound
        while lineStart < body.upperBound {
            let end = lineEnd(source, from: lineStart, limit: body.upperBound)
            let line = source[lineStart..<contentEnd(source, lineStart: lineStart, lineEnd: end)]
            if line.starts(with: delimiter) {
                var rest = line.dropFirst(delimiter.count)
                let isClose = rest.starts(with: [ASCII.hyphen, ASCII.hyphen])
                if isClose { rest = rest.dropFirst(2) }
                if rest.allSatisfy(ASCII.isWSP) {
                    if let start = partStart {
                        var partEnd = lineStart
                        if partEnd > start && source[partEnd - 1] == ASCII.lf {
                            partEnd -= 1
                            if partEnd > start && source[partEnd - 1] == ASCII.cr { partEnd -= 1 }
                        }
                        parts.append(start..<partEnd)
                    }
                    if isClose {
                        guard !parts.isEmpty else {
                            throw MailError(.malformedMIME, "multipart has no body parts", offset: lineStart)
                        }
                        return parts
                    }
                    partStart = min(end + 1, body.upperBound)
                }
            }
            lineStart = end + 1
        }
        throw MailError(
            .malformedMIME, partStart == nil ? "multipart boundary not found" : "multipart closing delimiter missing",
            offset: body.lowerBound)
    }
}
