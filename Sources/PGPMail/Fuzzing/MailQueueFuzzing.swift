/// Entry points for the libFuzzer target `FuzzQueueEntry` in `Fuzz/`, which can only see
/// public API.
///
/// **For fuzzing only; not API.** Hidden behind `@_spi(Fuzzing)`, it may change or go away in
/// any release.
@_spi(Fuzzing) public enum MailQueueFuzzing {
    /// Decodes `bytes` as a queue entry file. A valid entry must encode back to the same bytes
    /// (a `precondition`: what the fuzzer looks for); anything else must be `corruptEntry`.
    public static func decodeEntry(_ bytes: [UInt8]) {
        do {
            let mail = try QueueEntryFormat.decode(bytes, path: "fuzz")
            let again = try QueueEntryFormat.decode(QueueEntryFormat.encode(mail).flatMap { $0 }, path: "fuzz")
            precondition(again == mail, "a decoded entry re-encodes to the same entry")
        } catch {
            precondition(error.code == .corruptEntry, "a bad entry is corruptEntry, not \(error.code)")
        }
    }

    /// A valid entry file for `mail`, for seeds.
    public static func encodeEntry(_ mail: QueuedMail) -> [UInt8] {
        QueueEntryFormat.encode(mail).flatMap { $0 }
    }
}
