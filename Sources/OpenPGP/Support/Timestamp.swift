import Foundation

extension UInt32 {
    /// `date` as an OpenPGP timestamp (seconds since 1970, RFC 9580 §3.5), clamped to the
    /// field: earlier dates (and NaN) give 0, dates after 2106 give `UInt32.max`. Never traps,
    /// whatever `Date` it is given.
    init(openPGPTimestamp date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        if !(seconds > 0) {
            self = 0
        } else if seconds >= Double(UInt32.max) {
            self = .max
        } else {
            self = UInt32(seconds)
        }
    }
}
