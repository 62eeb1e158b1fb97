/// Checks generated body bytes as they pass: CRLF line breaks only, no NUL, lines of at most
/// 998 octets, ASCII for 7-bit encodings, and no line starting with an enclosing boundary.
struct StreamChecker {
    private let sevenBit: Bool
    private let delimiters: [[UInt8]]
    private let prefixLength: Int
    private var linePrefix: [UInt8] = []
    private var lineLength = 0
    private var afterCR = false

    init(sevenBit: Bool, boundaries: [[UInt8]]) {
        self.sevenBit = sevenBit
        delimiters = boundaries.map { [ASCII.hyphen, ASCII.hyphen] + $0 }
        prefixLength = delimiters.map(\.count).max() ?? 0
    }

    mutating func check(_ bytes: some Collection<UInt8>) throws {
        for byte in bytes {
            if afterCR {
                guard byte == ASCII.lf else { throw MailError(.invalidBody, "generated body contains a bare CR") }
                afterCR = false
                try endLine()
                continue
            }
            switch byte {
            case ASCII.cr:
                afterCR = true
            case ASCII.lf:
                throw MailError(.invalidBody, "generated body contains a bare LF")
            case ASCII.nul:
                throw MailError(.invalidBody, "generated body contains NUL")
            default:
                if sevenBit && byte >= 0x80 {
                    throw MailError(.invalidBody, "generated 7-bit body contains 8-bit data")
                }
                lineLength += 1
                if lineLength > HeaderWriter.hardLimit {
                    throw MailError(.invalidBody, "generated body has a line longer than 998 octets")
                }
                if linePrefix.count < prefixLength {
                    linePrefix.append(byte)
                    if linePrefix.count == prefixLength { try checkPrefix() }
                }
            }
        }
    }

    mutating func finish() throws {
        if afterCR { throw MailError(.invalidBody, "generated body ends with a bare CR") }
        try checkPrefix()
    }

    private mutating func endLine() throws {
        try checkPrefix()
        linePrefix.removeAll(keepingCapacity: true)
        lineLength = 0
    }

    private func checkPrefix() throws {
        for delimiter in delimiters where linePrefix.starts(with: delimiter) {
            throw MailError(.invalidBoundary, "generated body contains a line starting with an enclosing boundary")
        }
    }
}
