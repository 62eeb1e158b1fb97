import Foundation

/// The mailing-list fields of a message: List-Id (RFC 2919), the RFC 2369 URL lists and
/// one-click unsubscription (RFC 8058).
///
/// An immutable value, validated when created; `MailMessage.withListHeaders(_:)` installs it.
public struct ListHeaders: Sendable, Hashable {
    /// A List-Id: the list's identifier (`list-label.namespace`) and an optional description.
    public struct ListID: Sendable, Hashable {
        /// The identifier without `<>`, e.g. `announce.example.org`.
        public let id: String
        /// A human-readable description written before the identifier, if any.
        public let description: String?

        /// Creates a List-Id. `id` may carry `<>`. Throws `invalidHeaderValue` unless `id` is
        /// a dot-atom with at least one dot (at most 255 octets) and `description` has no
        /// CR, LF or NUL.
        public init(_ id: String, description: String? = nil) throws {
            var bytes = Array(ASCII.trimmingWSP(id).utf8)
            if bytes.first == ASCII.lessThan && bytes.last == ASCII.greaterThan && bytes.count >= 2 {
                bytes = Array(bytes.dropFirst().dropLast())
            }
            let isDotAtom =
                (3...255).contains(bytes.count) && bytes.contains(ASCII.dot) && bytes.first != ASCII.dot
                && bytes.last != ASCII.dot && !BodyInspection.contains(bytes, [ASCII.dot, ASCII.dot])
                && bytes.allSatisfy { $0 == ASCII.dot || ListHeaders.isAtext($0) }
            guard isDotAtom else {
                throw MailError(
                    .invalidHeaderValue, "a List-Id is a dot-atom such as 'announce.example.org'", header: "List-Id",
                    input: id)
            }
            if let description { try HeaderField.validate(value: description, name: "List-Id") }
            self.id = String(decoding: bytes, as: UTF8.self)
            let trimmed = description.map(ASCII.trimmingWSP)
            self.description = trimmed?.isEmpty == true ? nil : trimmed
        }
    }

    /// The list's identity (List-Id), if any.
    public let id: ListID?
    /// Where to unsubscribe (List-Unsubscribe), most preferred first.
    public let unsubscribe: [URL]
    /// Whether an HTTPS POST to the unsubscribe URL unsubscribes in one click
    /// (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`, RFC 8058).
    public let unsubscribePost: Bool
    /// Where to post to the list (List-Post).
    public let post: [URL]
    /// Where to get help (List-Help).
    public let help: [URL]
    /// Where to subscribe (List-Subscribe).
    public let subscribe: [URL]
    /// Who runs the list (List-Owner).
    public let owner: [URL]
    /// Where the archive is (List-Archive).
    public let archive: [URL]

    /// No list fields.
    public static let empty = ListHeaders(
        unchecked: nil, unsubscribe: [], unsubscribePost: false, post: [], help: [], subscribe: [], owner: [],
        archive: [])

    /// Creates list fields. Throws `invalidHeaderValue` for a URL without a scheme or with
    /// whitespace, `<`, `>` or non-ASCII characters, and for `unsubscribePost` without an
    /// `https` URL in `unsubscribe` (RFC 8058 §3.1).
    public init(
        id: ListID? = nil, unsubscribe: [URL] = [], unsubscribePost: Bool = false, post: [URL] = [],
        help: [URL] = [], subscribe: [URL] = [], owner: [URL] = [], archive: [URL] = []
    ) throws {
        for (name, urls) in [
            ("List-Unsubscribe", unsubscribe), ("List-Post", post), ("List-Help", help),
            ("List-Subscribe", subscribe), ("List-Owner", owner), ("List-Archive", archive),
        ] {
            for url in urls { try ListHeaders.validate(url, header: name) }
        }
        if unsubscribePost && !unsubscribe.contains(where: { $0.scheme?.lowercased() == "https" }) {
            throw MailError(
                .invalidHeaderValue, "one-click unsubscription needs an https List-Unsubscribe URL",
                header: "List-Unsubscribe-Post")
        }
        self.init(
            unchecked: id, unsubscribe: unsubscribe, unsubscribePost: unsubscribePost, post: post, help: help,
            subscribe: subscribe, owner: owner, archive: archive)
    }

    private init(
        unchecked id: ListID?, unsubscribe: [URL], unsubscribePost: Bool, post: [URL], help: [URL],
        subscribe: [URL], owner: [URL], archive: [URL]
    ) {
        self.id = id
        self.unsubscribe = unsubscribe
        self.unsubscribePost = unsubscribePost
        self.post = post
        self.help = help
        self.subscribe = subscribe
        self.owner = owner
        self.archive = archive
    }

    /// Whether no list field is set.
    public var isEmpty: Bool { self == .empty }

    /// The names of the fields this type writes and reads.
    public static let fieldNames = [
        "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe", "List-Post",
        "List-Owner", "List-Archive",
    ]

    /// The header fields in the order they are written.
    var fields: [HeaderField] {
        var fields: [HeaderField] = []
        if let id {
            if let description = id.description {
                if description.utf8.allSatisfy({ $0 < 0x80 }) {
                    fields.append(structured("List-Id", "\(ListHeaders.quoted(description)) <\(id.id)>"))
                } else {
                    fields.append(
                        HeaderField(validatedName: "List-Id", content: .unstructured("\(description) <\(id.id)>")))
                }
            } else {
                fields.append(structured("List-Id", "<\(id.id)>"))
            }
        }
        func urls(_ name: String, _ list: [URL]) {
            if !list.isEmpty {
                fields.append(structured(name, list.map { "<\($0.absoluteString)>" }.joined(separator: ", ")))
            }
        }
        urls("List-Help", help)
        urls("List-Unsubscribe", unsubscribe)
        if unsubscribePost { fields.append(structured("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")) }
        urls("List-Subscribe", subscribe)
        urls("List-Post", post)
        urls("List-Owner", owner)
        urls("List-Archive", archive)
        return fields
    }

    private func structured(_ name: String, _ value: String) -> HeaderField {
        HeaderField(validatedName: name, content: .structured(value))
    }

    // MARK: Parsing

    /// Reads the list fields of a parsed message. Fields that do not parse (such as
    /// `List-Post: NO`) are returned in `unparsed` so the caller can keep them verbatim.
    static func parse(_ headers: [MIMEEntity.Header]) -> (ListHeaders, unparsed: [MIMEEntity.Header]) {
        var unparsed: [MIMEEntity.Header] = []
        func first(_ name: String) -> MIMEEntity.Header? {
            headers.first { ASCII.caseInsensitiveEquals($0.name, name) }
        }
        func urls(_ name: String) -> [URL] {
            guard let field = first(name) else { return [] }
            guard let list = parseURLList(field.rawValue) else {
                unparsed.append(field)
                return []
            }
            return list
        }
        var id: ListID?
        if let field = first("List-Id") {
            id = parseListID(field)
            if id == nil { unparsed.append(field) }
        }
        let unsubscribe = urls("List-Unsubscribe")
        var unsubscribePost = false
        if let field = first("List-Unsubscribe-Post") {
            let oneClick = ASCII.caseInsensitiveEquals(
                ASCII.trimmingWSP(field.rawValue), "List-Unsubscribe=One-Click")
            if oneClick && unsubscribe.contains(where: { $0.scheme?.lowercased() == "https" }) {
                unsubscribePost = true
            } else {
                unparsed.append(field)
            }
        }
        let headers = ListHeaders(
            unchecked: id, unsubscribe: unsubscribe, unsubscribePost: unsubscribePost, post: urls("List-Post"),
            help: urls("List-Help"), subscribe: urls("List-Subscribe"), owner: urls("List-Owner"),
            archive: urls("List-Archive"))
        return (headers, unparsed)
    }

    /// `<url>, <url> (comment)` → the URLs; nil if anything else is outside the brackets or
    /// a URL is not acceptable. Whitespace inside the brackets is ignored (RFC 2369 §2).
    static func parseURLList(_ value: String) -> [URL]? {
        var lexer = HeaderLexer(value.utf8)
        var result: [URL] = []
        while true {
            guard (try? lexer.skipCFWS()) != nil else { return nil }
            if lexer.isAtEnd { break }
            if lexer.consume(ASCII.comma) { continue }
            guard lexer.consume(ASCII.lessThan) else { return nil }
            let inside = lexer.read { $0 != ASCII.greaterThan }
            guard lexer.consume(ASCII.greaterThan) else { return nil }
            let text = String(
                decoding: inside.filter { !ASCII.isWSP($0) && $0 != ASCII.cr && $0 != ASCII.lf }, as: UTF8.self)
            guard let url = URL(string: text), (try? validate(url, header: "List")) != nil else { return nil }
            result.append(url)
        }
        return result.isEmpty ? nil : result
    }

    private static func parseListID(_ field: MIMEEntity.Header) -> ListID? {
        let bytes = Array(field.rawValue.utf8)
        guard let open = bytes.lastIndex(of: ASCII.lessThan), let close = bytes.lastIndex(of: ASCII.greaterThan),
            open < close
        else { return nil }
        let id = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        var phrase = ASCII.trimmingWSP(String(decoding: bytes[..<open], as: UTF8.self))
        if phrase.hasPrefix("\"") {
            var lexer = HeaderLexer(phrase.utf8)
            if let unquoted = try? lexer.readQuotedString() { phrase = String(decoding: unquoted, as: UTF8.self) }
        } else {
            phrase = EncodedWord.decode(phrase)
        }
        return try? ListID(id, description: phrase.isEmpty ? nil : phrase)
    }

    // MARK: Helpers

    private static func validate(_ url: URL, header: String) throws {
        let text = url.absoluteString
        let acceptable =
            url.scheme?.isEmpty == false
            && text.utf8.allSatisfy { ASCII.isVCHAR($0) && $0 != ASCII.lessThan && $0 != ASCII.greaterThan }
            && text.utf8.count <= 900
        guard acceptable else {
            throw MailError(
                .invalidHeaderValue, "list URLs are absolute ASCII URLs without spaces or angle brackets",
                header: header, input: text)
        }
    }

    /// RFC 5322 atext.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// A quoted-string with `\` and `"` escaped.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
