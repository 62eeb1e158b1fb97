import Foundation
import TestSupport

/// Python's `email` package (`policy.default`) reading a message, as a mail client would.
enum PythonEmail {
    /// One part as `Message.walk()` yields it: embedded messages and their parts included.
    struct Part: Decodable, Sendable {
        /// `get_content_type()`.
        let contentType: String
        /// `get_filename()`: Content-Disposition `filename`, else Content-Type `name`, decoded.
        let filename: String?
        /// The Content-Type parameters, decoded.
        let parameters: [String: String]
        /// `is_attachment()`.
        let isAttachment: Bool
        /// The part's parse defects (class name and text).
        let defects: [String]
        /// The defects of its header values, as `Name: Class: text`.
        let headerDefects: [String]
        /// Every header as name and decoded value, in order.
        let headers: [[String]]
        /// Display name and addr-spec of each address, by lower-cased field name.
        let addresses: [String: [[String]]]

        /// The decoded value of the first header named `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }?.last
        }
    }

    /// The parts of a message, outermost first.
    struct Parse: Decodable, Sendable {
        let parts: [Part]
    }

    /// The script: parses the file named by its argument and prints the parse as JSON.
    static let script = """
        import email, email.policy, json, sys

        with open(sys.argv[1], "rb") as source:
            message = email.message_from_bytes(source.read(), policy=email.policy.default)
        parts = []
        for part in message.walk():
            headers, header_defects, addresses = [], [], {}
            for name, value in part.items():
                headers.append([name, str(value)])
                header_defects += ["%s: %s: %s" % (name, type(d).__name__, d) for d in getattr(value, "defects", ())]
                if hasattr(value, "addresses"):
                    addresses.setdefault(name.lower(), []).extend([a.display_name, a.addr_spec] for a in value.addresses)
            content_type = part.get("content-type")
            parts.append({
                "contentType": part.get_content_type(),
                "filename": part.get_filename(),
                "parameters": dict(content_type.params) if content_type is not None else {},
                "isAttachment": part.is_attachment(),
                "defects": ["%s: %s" % (type(d).__name__, d) for d in part.defects],
                "headerDefects": header_defects,
                "headers": headers,
                "addresses": addresses,
            })
        json.dump({"parts": parts}, sys.stdout)
        """

    /// Parses `message` with `python3` (the bytes go through a temporary file).
    static func parse(_ message: [UInt8]) throws -> Parse {
        let directory = try TemporaryDirectory(prefix: "python-email")
        let file = try directory.write("message.eml", message)
        let result = try ExternalProcess.run("python3", ["-c", script, file.path])
        return try JSONDecoder().decode(Parse.self, from: Data(result.stdout))
    }
}
