/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast generator whose whole output follows
/// from its seed. Not for cryptography. Its helpers draw numbers by fixed arithmetic rather
/// than through the standard library's `random(in:using:)`, whose algorithm may change
/// between Swift versions, so a seed gives the same draws everywhere.
struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator for one of many independent streams of `seed`, for example one per connection.
    init(seed: UInt64, stream: UInt64) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A number in `0..<1` with 53 random bits.
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A number in `range`, by multiplying (Lemire); the bias is below 2^-32 for small ranges.
    mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(truncatingIfNeeded: range.upperBound &- range.lowerBound) &+ 1
        guard width != 0 else { return Int(truncatingIfNeeded: next()) }
        let offset = next().multipliedFullWidth(by: width).high
        return range.lowerBound &+ Int(truncatingIfNeeded: offset)
    }

    /// A duration in `range`, to the nanosecond.
    mutating func nextDuration(in range: ClosedRange<Duration>) -> Duration {
        let lower = range.lowerBound.wholeNanoseconds
        let upper = range.upperBound.wholeNanoseconds
        return .nanoseconds(lower + Int64(nextInt(in: 0...Int(upper - lower))))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, rounded down.
    fileprivate var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
