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
    /// `Name: value` lines separated by CRLF or LF, continuation lines unfolded.
    /// Values are kept verbatim (structured). Throws `invalidHeaderName`/`invalidHeaderValue`.
    public init(parsing text: String) throws {
        var fields: [HeaderField] = []
        var current: (name: String, value: String)?
        func flush() throws {
            if let field = current {
                fields.append(try HeaderField(name: field.name, structuredValue: field.value))
            }
        }
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for line in lines {
            if let first = line.unicodeScalars.first, first == " " || first == "\t" {
                guard current != nil else {
                    throw MailError(.invalidHeaderValue, "continuation line without a field", input: String(line))
                }
                current?.value += String(line)
                continue
            }
            try flush()
            guard let colon = line.firstIndex(of: ":") else {
                throw MailError(.invalidHeaderName, "expected 'Name: value'", input: String(line))
            }
            current = (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        try flush()
        self.fields = fields
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
