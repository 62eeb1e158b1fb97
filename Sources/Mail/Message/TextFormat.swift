/// How a plain-text body is laid out on the wire.
public enum TextFormat: Sendable, Hashable {
    /// Lines as written (`format=fixed`, the default).
    case fixed
    /// RFC 3676 `format=flowed`: long lines are soft-broken after a space, so clients can
    /// re-wrap paragraphs to their window. With `delSp` (`DelSp=yes`) the space before each
    /// soft break is added for the break and removed again by the reader.
    case flowed(delSp: Bool = false)
}

/// RFC 3676 encoding and decoding of format=flowed text.
enum FlowedText {
    /// The longest line written, excluding the line break (RFC 3676 §4.2 recommends 78).
    static let lineWidth = 78

    /// `text` (lines separated by LF, CR or CRLF) as flowed lines joined by LF: trailing
    /// spaces before hard breaks removed (except the signature separator `-- `), long lines
    /// broken after a space, and lines starting with a space, `From ` or `>` space-stuffed.
    static func encode(_ text: String, delSp: Bool) -> String {
        var output: [String] = []
        for line in hardLines(text) {
            if line == "-- " {
                output.append(line)
                continue
            }
            var characters = Array(line)
            while characters.last == " " { characters.removeLast() }
            var start = 0
            while characters.count - start > lineWidth, let cut = breakIndex(in: characters, from: start) {
                output.append(stuffed(String(characters[start..<cut]) + (delSp ? " " : "")))
                start = cut
            }
            output.append(stuffed(String(characters[start...])))
        }
        return output.joined(separator: "\n")
    }

    /// Unflows RFC 3676 text (lines separated by LF, CR or CRLF) into its paragraphs: soft
    /// breaks removed (with their space when `delSp`), space-stuffing undone. Quote depths
    /// (`>`) are kept as written.
    static func decode(_ text: String, delSp: Bool) -> String {
        var output: [String] = []
        var paragraph = ""
        var isOpen = false
        for rawLine in hardLines(text) {
            var line = Substring(rawLine)
            if line.first == " " { line = line.dropFirst() }
            if line.last == " " && line != "-- " {
                paragraph += delSp ? line.dropLast() : line
                isOpen = true
            } else {
                paragraph += line
                output.append(paragraph)
                paragraph = ""
                isOpen = false
            }
        }
        if isOpen { output.append(paragraph) }
        return output.joined(separator: "\n")
    }

    private static func hardLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\r" || scalar == "\n" {
                lines.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        lines.append(current)
        return lines
    }

    /// The index just after the space where the line from `start` is soft-broken: the last
    /// space that keeps the line within `lineWidth` characters, else the first space; nil if
    /// none (an unbreakable word stays whole). A run of spaces is broken after its last space.
    private static func breakIndex(in line: [Character], from start: Int) -> Int? {
        var best: Int?
        var index = start + 1
        while index + 1 < line.count {
            if line[index] == " " && line[index + 1] != " " {
                if index + 1 - start <= lineWidth {
                    best = index + 1
                } else {
                    return best ?? index + 1
                }
            }
            index += 1
        }
        return best
    }

    private static func stuffed(_ line: String) -> String {
        line.hasPrefix(" ") || line.hasPrefix(">") || line.hasPrefix("From ") ? " " + line : line
    }
}
