/// How a passphrase becomes the key that protects a message's session key in its SKESK
/// packets (the S2K of RFC 9580 §3.7), when a message is encrypted to passphrases.
public enum PassphraseKDF: Sendable, Hashable {
    /// Iterated and salted S2K with SHA-256 over 33,554,432 bytes (coded count 0xF0): what
    /// every OpenPGP reader, GnuPG 2.2 included, understands.
    case iteratedAndSalted
    /// Argon2id (RFC 9580 §3.7.1.4) with t `passes`, p lanes (`parallelism`) and 2^m KiB of
    /// memory (`memoryExponent`), and a fresh 16-octet salt per passphrase. With
    /// `MessageOptions.aead = .always(mode)` it is written in a v6 SKESK before SEIPDv2, the
    /// combination RFC 9580 recommends; otherwise in a v4 SKESK before SEIPDv1, which RFC 9580
    /// allows. Readers without Argon2 (GnuPG 2.2) cannot open it with the passphrase. Parameters RFC 9580 does not allow (t or p of 0, 2^m below 8p KiB, m above
    /// 31) make writing throw `invalidArgument`; more than a default ``SessionKeyLimits``
    /// reader accepts (over 2 GiB or 16 passes) throw `workLimitExceeded`.
    case argon2(passes: Int, parallelism: Int, memoryExponent: Int)

    /// RFC 9106's first recommended option, which RFC 9580 gives as its example: t = 1, p = 4,
    /// m = 21 (2 GiB of memory, a second or two to write and to read each SKESK).
    public static let argon2Default = PassphraseKDF.argon2(passes: 1, parallelism: 4, memoryExponent: 21)
    /// RFC 9106's second recommended option, for memory-constrained writers and readers:
    /// t = 3, p = 4, m = 16 (64 MiB, a fraction of a second).
    public static let argon2LowMemory = PassphraseKDF.argon2(passes: 3, parallelism: 4, memoryExponent: 16)

    /// A fresh specifier (with a new random salt) for one SKESK packet.
    func s2k() throws -> S2K {
        switch self {
        case .iteratedAndSalted:
            .iteratedAndSalted()
        case .argon2(let passes, let parallelism, let memoryExponent):
            .argon2(
                try S2K.Argon2Parameters(
                    passes: passes, parallelism: parallelism, memoryExponent: memoryExponent))
        }
    }
}
