import Foundation

/// RFC 5322 §3.3 date-time formatting and parsing, independent of locale.
public enum MailDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The dates RFC 5322 can write with a four-digit year: 0001-01-01 to 9999-12-31.
    static let representableSeconds: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// Formats `date` as `Tue, 28 Nov 2026 09:31:58 +0000` in `timeZone` (UTC by default).
    /// Dates outside years 1–9999 are written as the nearest end of that range.
    public static func format(_ date: Date, timeZone: TimeZone = .gmt) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let interval = date.timeIntervalSince1970
        let clamped =
            interval.isNaN ? 0 : min(max(interval, representableSeconds.lowerBound), representableSeconds.upperBound)
        let seconds = Int(clamped.rounded(.down)) + offset
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let weekday = weekdays[((days % 7) + 11) % 7]
        let sign = offset < 0 ? "-" : "+"
        let zone = abs(offset) / 60
        let yearText = String(year)
        return
            "\(weekday), \(day) \(months[month - 1]) \(String(repeating: "0", count: max(0, 4 - yearText.count)))\(yearText) "
            + "\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60)) "
            + "\(sign)\(pad(zone / 60))\(pad(zone % 60))"
    }

    /// Parses an RFC 5322 date-time, accepting the obsolete forms (two-digit years, named
    /// zones, missing seconds or weekday, comments). Returns nil if it is not a valid date.
    public static func parse(_ text: String) -> Date? {
        var cleaned = ""
        var depth = 0
        for character in text {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                cleaned.append(character == "," ? " " : character)
            }
        }
        var tokens = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(
            String.init)
        if let first = tokens.first, first.allSatisfy(\.isLetter) { tokens.removeFirst() }
        guard tokens.count >= 4,
            let day = Int(tokens[0]), (1...31).contains(day),
            let monthIndex = months.firstIndex(where: { ASCII.caseInsensitiveEquals($0, tokens[1]) }),
            var year = Int(tokens[2]), tokens[2].count >= 2, (0...9999).contains(year)
        else { return nil }
        if tokens[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if tokens[2].count == 3 { year += 1900 }
        let time = tokens[3].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard time.count == 2 || time.count == 3, let hour = time[0], let minute = time[1],
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = time.count == 3 ? time[2] : 0
        guard let second, (0...60).contains(second) else { return nil }
        let zoneOffset = tokens.count > 4 ? zoneSeconds(tokens[4]) : 0
        guard let zoneOffset else { return nil }
        let (checkYear, checkMonth, checkDay) = civil(fromDays: days(fromCivil: year, monthIndex + 1, day))
        guard checkYear == year, checkMonth == monthIndex + 1, checkDay == day else { return nil }
        let seconds =
            days(fromCivil: year, monthIndex + 1, day) * 86_400 + hour * 3600 + minute * 60 + second - zoneOffset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func zoneSeconds(_ zone: String) -> Int? {
        let bytes = Array(zone.utf8)
        if bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            let hours = Int(String(zone.dropFirst().prefix(2))), let minutes = Int(String(zone.suffix(2))), minutes < 60
        {
            return (bytes[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        let named: [String: Int] = [
            "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
            "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        ]
        return named[zone.uppercased()].map { $0 * 3600 } ?? (zone.count == 1 ? 0 : nil)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }

    /// Year, month (1...12), day from days since 1970-01-01 (proleptic Gregorian).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date.
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
