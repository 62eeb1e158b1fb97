/// Failure reasons as queues store them.
package enum QueueReason {
    /// The UTF-8 bytes of `reason`, cut to at most `maximumBytes` at a character boundary.
    package static func utf8Prefix(_ reason: String, maximumBytes: Int) -> [UInt8] {
        var bytes = Array(reason.utf8)
        guard bytes.count > maximumBytes else { return bytes }
        var cut = maximumBytes
        while cut > 0, bytes[cut] & 0xC0 == 0x80 {
            cut -= 1  // Not inside a UTF-8 sequence.
        }
        bytes.removeSubrange(cut...)
        return bytes
    }
}
