/// An ordered list of header fields with case-insensitive lookup; names may repeat.
public struct MessageHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The fields in order.
    public private(set) var fields: [HeaderField]

    /// Creates a collection from fields.
    public init(_ fields: [HeaderField] = []) {
        self.fields = fields
    }

    /// Creates a collection from an array literal of fields.
    public init(arrayLiteral elements: HeaderField...) {
        self.fields = elements
    }

    /// Parses an RFC 5322 header block such as the PSMTP `OtherHeaders` string:
    /// `Name: value` lines separated by CRLF, LF or CR, continuation lines unfolded. Line breaks
    /// at the end are ignored.
    ///
    /// Each field is made like `MailMessage.addingHeader(name:value:)` makes it: unstructured,
    /// so non-ASCII words are RFC 2047-encoded when written (never raw UTF-8), except that the
    /// ASCII value of a known structured field (References, List-*, Autocrypt, …) is kept
    /// verbatim and a non-ASCII one is refused.
    ///
    /// Throws `invalidHeaderName` for a line without `:` or a bad name, and
    /// `invalidHeaderValue` for a blank or whitespace-only line before the end (it would end
    /// the header block), a continuation line with no field before it, or a bad value; the
    /// error's `input` is the offending line.
    public init(parsing text: String) throws {
        var fields: [HeaderField] = []
        var current: (name: String, value: String, line: Int)?
        func flush() throws {
            guard let field = current else { return }
            do {
                fields.append(try HeaderField.supplied(name: field.name, value: field.value))
            } catch let error as MailError {
                throw MailError(
                    error.code, "\(error.message) (line \(field.line))", header: error.header,
                    input: "\(field.name):\(field.value)")
            }
        }
        for (index, line) in MessageHeaders.lines(of: text).enumerated() {
            let number = index + 1
            if line.utf8.allSatisfy(ASCII.isWSP) {
                throw MailError(
                    .invalidHeaderValue, "line \(number) is blank; a blank line ends a header block", input: line)
            }
            if let first = line.utf8.first, ASCII.isWSP(first) {
                guard current != nil else {
                    throw MailError(
                        .invalidHeaderValue, "line \(number) continues a field but no field precedes it", input: line)
                }
                current?.value += line
                continue
            }
            try flush()
            guard let colon = line.firstIndex(of: ":") else {
                throw MailError(.invalidHeaderName, "line \(number) is not 'Name: value'", input: line)
            }
            let name = String(line[..<colon])
            do {
                try HeaderField.validate(name: name)
            } catch let error as MailError {
                throw MailError(error.code, "\(error.message) (line \(number))", input: line)
            }
            current = (name, String(line[line.index(after: colon)...]), number)
        }
        try flush()
        self.fields = fields
    }

    /// The lines of `text`, split at CRLF, LF or CR, without the line breaks at its end.
    private static func lines(of text: String) -> [String] {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == ASCII.cr || last == ASCII.lf { bytes.removeLast() }
        guard !bytes.isEmpty else { return [] }
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == ASCII.cr || byte == ASCII.lf else {
                index += 1
                continue
            }
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            index += (byte == ASCII.cr && index + 1 < bytes.count && bytes[index + 1] == ASCII.lf) ? 2 : 1
            start = index
        }
        lines.append(String(decoding: bytes[start...], as: UTF8.self))
        return lines
    }

    /// The start index.
    public var startIndex: Int { fields.startIndex }
    /// The end index.
    public var endIndex: Int { fields.endIndex }
    /// The field at `position`.
    public subscript(position: Int) -> HeaderField { fields[position] }

    /// The value of the first field named `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.matches(name) }?.value
    }

    /// The values of all fields named `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.matches(name) }.map(\.value)
    }

    /// All fields named `name`, in order.
    public func fields(named name: String) -> [HeaderField] {
        fields.filter { $0.matches(name) }
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { $0.matches(name) }
    }

    /// Appends a field.
    public mutating func append(_ field: HeaderField) {
        fields.append(field)
    }

    /// Appends the fields of another collection.
    public mutating func append(contentsOf other: MessageHeaders) {
        fields.append(contentsOf: other.fields)
    }

    /// Removes all fields named `name`.
    public mutating func removeAll(named name: String) {
        fields.removeAll { $0.matches(name) }
    }

    /// Replaces all fields named like `field` by `field`, at the position of the first one
    /// (appending if there was none).
    public mutating func set(_ field: HeaderField) {
        if let index = fields.firstIndex(where: { $0.matches(field.name) }) {
            fields = fields.enumerated().compactMap { offset, existing in
                offset == index ? field : (existing.matches(field.name) ? nil : existing)
            }
        } else {
            fields.append(field)
        }
    }

    /// A copy with `field` appended.
    public func appending(_ field: HeaderField) -> MessageHeaders {
        var copy = self
        copy.append(field)
        return copy
    }

    /// A copy without fields named `name`.
    public func removingAll(named name: String) -> MessageHeaders {
        var copy = self
        copy.removeAll(named: name)
        return copy
    }

    /// Whether rendering needs SMTPUTF8.
    public var requiresSMTPUTF8: Bool { fields.contains(where: \.requiresSMTPUTF8) }

    /// The wire form of all fields, folded at `maxLineLength`, each line ending in CRLF
    /// (without the blank line that ends a header block).
    public func rendered(maxLineLength: Int = HeaderField.defaultMaxLineLength) throws -> [UInt8] {
        var out: [UInt8] = []
        for field in fields { out += try field.rendered(maxLineLength: maxLineLength) }
        return out
    }

    /// The fields as `Name: value` lines (unencoded).
    public var description: String { fields.map(\.description).joined(separator: "\n") }
}
