/// String preparation for SCRAM user names and passwords (SASLprep, RFC 4013), and the
/// `saslname` escaping of RFC 5802 section 5.1.
///
/// Implemented: the RFC 4013 mapping (non-ASCII spaces become U+0020, the "commonly mapped
/// to nothing" characters of RFC 3454 table B.1 are removed) and the prohibited output
/// checks (control characters, private use, non-characters, surrogates, tagging and
/// display-changing characters). Not implemented, to stay free of Foundation and Unicode
/// tables: NFKC normalization, the unassigned code point check and the bidirectional
/// rule. Strings that are already in NFKC (all ASCII and nearly all real passwords) are
/// prepared exactly as the RFC says.
enum SASLprep {
    /// RFC 3454 table C.1.2: non-ASCII space characters, mapped to U+0020.
    static func isNonASCIISpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00A0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// RFC 3454 table B.1: characters commonly mapped to nothing.
    static func isMappedToNothing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200B...0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// RFC 4013 section 2.3: prohibited output (RFC 3454 tables C.2.1 to C.9).
    static func isProhibited(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        // C.2.1 ASCII control characters, C.2.2 non-ASCII control characters.
        case 0x0000...0x001F, 0x007F, 0x0080...0x009F, 0x06DD, 0x070F, 0x180E, 0x200C, 0x200D,
            0x2028, 0x2029, 0x2060...0x2063, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC,
            0x1D173...0x1D17A:
            return true
        // C.3 private use.
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD:
            return true
        // C.4 non-character code points.
        case 0xFDD0...0xFDEF:
            return true
        case let value where value & 0xFFFE == 0xFFFE:
            return true
        // C.6 inappropriate for plain text, C.7 for canonical representation, C.8 change
        // display properties, C.9 tagging characters.
        case 0xFFFD, 0x2FF0...0x2FFB, 0x0340, 0x0341, 0x200E, 0x200F, 0x202A...0x202E,
            0xE0001, 0xE0020...0xE007F:
            return true
        default:
            return false
        }
    }

    /// `text` prepared with SASLprep (as far as implemented, see the type's documentation).
    ///
    /// - Parameter what: What the text is, for the error message.
    /// - Throws: ``SMTPError/Code/invalidInput`` if the text contains a prohibited character.
    static func prepare(_ text: String, what: String) throws(SMTPError) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if Self.isMappedToNothing(scalar) {
                continue
            }
            let mapped = Self.isNonASCIISpace(scalar) ? " " : scalar
            if Self.isProhibited(mapped) {
                throw SMTPError(.invalidInput, "\(what) contains a character SASLprep prohibits")
            }
            output.append(mapped)
        }
        return String(output)
    }

    /// `name` with `,` written as `=2C` and `=` as `=3D` (RFC 5802 `saslname`, also used for
    /// the GS2 `a=` authorization identity).
    static func escapeSASLName(_ name: String) -> String {
        var output = ""
        for character in name.unicodeScalars {
            switch character {
            case ",":
                output += "=2C"
            case "=":
                output += "=3D"
            default:
                output.unicodeScalars.append(character)
            }
        }
        return output
    }
}
