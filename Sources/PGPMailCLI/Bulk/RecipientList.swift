/// The recipients of `pgpmail bulk`: a CSV file with the header line `address,cert`, one
/// recipient per line, `cert` the path of that recipient's certificate (may be empty).
///
/// Fields may be quoted (`"…"`, a `""` inside stands for `"`); blank lines are skipped;
/// line endings may be LF or CRLF.
struct RecipientList: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        /// The 1-based line number in the file, for messages.
        var line: Int
        var address: String
        var certificatePath: String?
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    var entries: [Entry]

    init(csv text: String, name: String) throws {
        var entries: [Entry] = []
        var sawHeader = false
        // "\r\n" is one Character, a newline like "\n".
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                continue
            }
            let fields = try Self.fields(of: line, at: index + 1, in: name)
            guard sawHeader else {
                guard fields.map({ $0.trimmingSpaces.lowercased() }) == ["address", "cert"] else {
                    throw FormatError(description: "\(name): the first line must be the header 'address,cert'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 2 else {
                throw FormatError(
                    description: "\(name) line \(index + 1): expected 2 fields (address,cert), found \(fields.count)")
            }
            let address = fields[0].trimmingSpaces
            guard !address.isEmpty else {
                throw FormatError(description: "\(name) line \(index + 1): the address is empty")
            }
            let certificate = fields[1].trimmingSpaces
            entries.append(
                Entry(line: index + 1, address: address, certificatePath: certificate.isEmpty ? nil : certificate))
        }
        guard sawHeader else {
            throw FormatError(description: "\(name) is empty: expected the header 'address,cert' and recipients")
        }
        self.entries = entries
    }

    /// The fields of one CSV line.
    private static func fields(of line: Substring, at number: Int, in name: String) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var characters = line.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if inQuotes {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.allSatisfy({ $0 == " " }) {
                field = ""
                inQuotes = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        guard !inQuotes else {
            throw FormatError(description: "\(name) line \(number): a quoted field is not closed")
        }
        fields.append(field)
        return fields
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

/// The elements of an array as an `AsyncSequence`, for APIs that take one.
struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]

    struct AsyncIterator: AsyncIteratorProtocol {
        var iterator: IndexingIterator<[Element]>

        mutating func next() async -> Element? {
            self.iterator.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(iterator: self.elements.makeIterator())
    }
}
