/// One `name=value` parameter of a Content-Type or Content-Disposition field.
///
/// Values are Unicode text; rendering quotes them or uses RFC 2231 (`name*=utf-8''…`,
/// with continuations) when they are non-ASCII or too long for a line.
public struct MIMEParameter: Sendable, Hashable, CustomStringConvertible {
    /// The parameter name, lower-cased.
    public let name: String
    /// The decoded value.
    public let value: String

    /// Creates a parameter.
    ///
    /// Throws `invalidParameter` if the name is empty, longer than 64 characters or not made
    /// of RFC 2231 attribute characters, or if the value contains control characters.
    public init(_ name: String, _ value: String) throws {
        guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy(ASCII.isAttributeChar) else {
            throw MailError(.invalidParameter, "parameter name must be 1 to 64 token characters", input: name)
        }
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == ASCII.tab }) else {
            throw MailError(.invalidParameter, "parameter value contains control characters", input: value)
        }
        self.init(validatedName: ASCII.lowercased(name), value: value)
    }

    init(validatedName: String, value: String) {
        self.name = validatedName
        self.value = value
    }

    /// `name="value"` as a person would read it (not encoded).
    public var description: String { "\(name)=\(ParameterEncoding.quoted(value))" }
}

/// Quoting and RFC 2231 encoding of parameter values.
enum ParameterEncoding {
    /// `value` as a quoted-string, escaping `"` and `\`.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// `name=value` or `name="value"` for a printable ASCII value, else nil.
    static func plainPiece(for parameter: MIMEParameter) -> [UInt8]? {
        let value = parameter.value
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        if !value.isEmpty && value.utf8.allSatisfy(ASCII.isTokenChar) {
            return Array("\(parameter.name)=\(value)".utf8)
        }
        return Array("\(parameter.name)=\(quoted(value))".utf8)
    }

    /// The `name=value` pieces for a parameter, each at most `maxPieceLength` octets where
    /// possible; more than one piece means RFC 2231 continuations.
    static func pieces(for parameter: MIMEParameter, maxPieceLength: Int) -> [[UInt8]] {
        let name = parameter.name
        let value = parameter.value
        if let plain = plainPiece(for: parameter), plain.count <= maxPieceLength { return [plain] }
        // RFC 2231 extended form, split between Unicode scalars.
        let encodedScalars: [[UInt8]] = value.unicodeScalars.map { scalar in
            var out: [UInt8] = []
            for byte in String(scalar).utf8 {
                if ASCII.isAttributeChar(byte) {
                    out.append(byte)
                } else {
                    out += [ASCII.percent, ASCII.hexDigits[Int(byte >> 4)], ASCII.hexDigits[Int(byte & 0x0F)]]
                }
            }
            return out
        }
        let single = Array("\(name)*=utf-8''".utf8) + encodedScalars.joined()
        if single.count <= maxPieceLength { return [single] }
        var pieces: [[UInt8]] = []
        var current: [UInt8] = []
        func prefix(_ index: Int) -> [UInt8] {
            Array("\(name)*\(index)*=".utf8) + (index == 0 ? Array("utf-8''".utf8) : [])
        }
        current = prefix(0)
        var hasContent = false
        for unit in encodedScalars {
            if hasContent && current.count + unit.count > maxPieceLength {
                pieces.append(current)
                current = prefix(pieces.count)
                hasContent = false
            }
            current += unit
            hasContent = true
        }
        pieces.append(current)
        return pieces
    }

    /// Decodes `%XX` escapes of an RFC 2231 extended value; malformed escapes stay literal.
    static func percentDecode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == ASCII.percent, index + 2 < input.count,
                let high = ASCII.hexValue(input[index + 1]), let low = ASCII.hexValue(input[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(input[index])
                index += 1
            }
        }
        return out
    }
}
