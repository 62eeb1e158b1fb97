/// Paces message data to a maximum rate (the PSMTP `MaxTransferRate` setting): after each
/// write it says how long to wait so that the bytes written since the start never exceed
/// the rate. Pure: the caller supplies the elapsed time and does the waiting.
struct TransferRateLimiter: Sendable {
    /// The rate in octets per second.
    let bytesPerSecond: Int
    private var bytesWritten = 0

    /// - Parameter bytesPerSecond: The rate; must be positive.
    init(bytesPerSecond: Int) {
        precondition(bytesPerSecond > 0, "the transfer rate must be positive")
        self.bytesPerSecond = bytesPerSecond
    }

    /// Records `count` more octets written, `elapsed` after the first write started, and
    /// returns how long to wait before writing more (zero when on schedule).
    mutating func wrote(_ count: Int, elapsed: Duration) -> Duration {
        self.bytesWritten += count
        let due = Duration.seconds(Double(self.bytesWritten) / Double(self.bytesPerSecond))
        return due > elapsed ? due - elapsed : .zero
    }
}
