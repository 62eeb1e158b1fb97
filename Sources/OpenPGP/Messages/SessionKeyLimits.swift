/// Bounds on the work a message may ask for while its session key is recovered, so that a
/// crafted message cannot keep a reader busy for seconds or minutes: each SKESK packet names
/// its own S2K, up to 65,011,712 hashed bytes (about a sixth of a second) per passphrase
/// tried, or with Argon2 up to 2 TiB of memory and 255 passes, and each PKESK with a
/// wildcard key ID asks for a private-key operation with every secret key of its algorithm.
///
/// Exceeding any bound throws ``OpenPGPError/Code/workLimitExceeded`` before the work is
/// done (and before Argon2 allocates its memory). A message written by this engine (one SKESK
/// per passphrase, 33,554,432 bytes each, or Argon2 at RFC 9106's recommended 2 GiB) stays
/// below the defaults, as do GnuPG's (at most 65,011,712 bytes each).
public struct SessionKeyLimits: Sendable, Hashable {
    /// The most SKESK packets one message may carry for passphrases to be tried on it
    /// (default 16). Every passphrase is tried on every packet.
    public var maxPassphrasePackets: Int
    /// The most bytes the S2K derivations of one message may hash in all, over every
    /// packet and passphrase tried (default 512 MiB: eight derivations at the maximum
    /// iteration count, about 1.5 seconds).
    public var maxS2KBytes: Int
    /// The most private-key operations one message may ask for (default 32): each PKESK
    /// addressed to one of the secret keys — or to anyone, with a wildcard key ID — costs
    /// one for every matching key component, up to half a second each for the largest keys.
    public var maxPublicKeyAttempts: Int
    /// The largest memory one Argon2 S2K derivation may use, as the exponent m of 2^m KiB
    /// (default 21: 2 GiB, RFC 9106's first recommendation and RFC 9580's test messages).
    public var maxArgon2MemoryExponent: Int
    /// The most passes one Argon2 S2K derivation may make (default 16; RFC 9106 recommends
    /// 1 or 3).
    public var maxArgon2Passes: Int
    /// The most Argon2 work the S2K derivations of one message may do in all, in KiB
    /// processed (passes × memory, summed over every packet and passphrase tried). The
    /// default, 2^23, is four derivations at t = 1 and 2 GiB (a few seconds), or 42 at t = 3
    /// and 64 MiB. A derivation repeated with the same salt, parameters, key size and
    /// passphrase is done once and costs nothing more.
    public var maxArgon2Work: Int

    /// Limits with the given bounds; the defaults suit messages from this engine and GnuPG.
    public init(
        maxPassphrasePackets: Int = 16, maxS2KBytes: Int = 512 << 20, maxPublicKeyAttempts: Int = 32,
        maxArgon2MemoryExponent: Int = 21, maxArgon2Passes: Int = 16, maxArgon2Work: Int = 1 << 23
    ) {
        self.maxPassphrasePackets = maxPassphrasePackets
        self.maxS2KBytes = maxS2KBytes
        self.maxPublicKeyAttempts = maxPublicKeyAttempts
        self.maxArgon2MemoryExponent = maxArgon2MemoryExponent
        self.maxArgon2Passes = maxArgon2Passes
        self.maxArgon2Work = maxArgon2Work
    }
}

/// The S2K work spent on one message, checked against ``SessionKeyLimits/maxS2KBytes`` and
/// the Argon2 limits before each derivation.
struct S2KBudget {
    let limit: Int
    /// Bounds on each Argon2 derivation.
    let argon2Limits: Argon2Limits
    /// The most Argon2 work in all, in KiB processed.
    let argon2WorkLimit: Int
    /// Bytes hashed so far.
    private(set) var spent = 0
    /// Derivations done so far.
    private(set) var derivations = 0
    /// Argon2 work done so far, in KiB processed.
    private(set) var argon2Spent = 0
    /// The keys Argon2 derived so far, reused when another packet repeats the derivation.
    private var argon2Keys: [(s2k: S2K, keySize: Int, passphrase: SecureBytes, key: SecureBytes)] = []

    /// A budget of `limit` hashed bytes, with the default Argon2 limits.
    init(limit: Int) {
        self.limit = limit
        self.argon2Limits = Argon2Limits()
        self.argon2WorkLimit = SessionKeyLimits().maxArgon2Work
    }

    /// The budget `limits` allow one message.
    init(_ limits: SessionKeyLimits) {
        self.limit = limits.maxS2KBytes
        self.argon2Limits = Argon2Limits(
            maxMemoryExponent: limits.maxArgon2MemoryExponent, maxPasses: limits.maxArgon2Passes)
        self.argon2WorkLimit = limits.maxArgon2Work
    }

    /// The `keySize`-byte key `s2k` derives from `passphrase`, paid from the budget first
    /// (`workLimitExceeded` when it does not suffice, before any work). An Argon2 derivation
    /// done before with the same specifier, key size and passphrase is not repeated.
    mutating func deriveKey(_ s2k: S2K, passphrase: SecureBytes, keySize: Int) throws -> SecureBytes {
        guard s2k.kind == .argon2, let parameters = s2k.argon2 else {
            try spend(s2k.workBytes(passphraseLength: passphrase.count, keySize: keySize))
            return try s2k.deriveKey(passphrase: passphrase, keySize: keySize)
        }
        if let known = argon2Keys.first(where: {
            $0.s2k == s2k && $0.keySize == keySize && $0.passphrase == passphrase
        }) {
            return known.key
        }
        try argon2Limits.check(parameters)
        guard parameters.work <= argon2WorkLimit - argon2Spent else {
            throw OpenPGPError(
                .workLimitExceeded,
                "recovering the session key would take more than \(argon2WorkLimit) KiB of Argon2 work (passes × memory; \(argon2Spent) KiB spent, \(parameters.work) KiB more needed)"
            )
        }
        let key = try s2k.deriveKey(passphrase: passphrase, keySize: keySize, argon2Limits: argon2Limits)
        argon2Spent += parameters.work
        derivations += 1
        argon2Keys.append((s2k, keySize, passphrase, key))
        return key
    }

    /// Records a derivation of `bytes` hashed bytes, or throws `workLimitExceeded` (leaving
    /// the budget as it was) if it would go over the limit.
    mutating func spend(_ bytes: Int) throws {
        guard bytes <= limit - spent else {
            throw OpenPGPError(
                .workLimitExceeded,
                "recovering the session key would hash more than \(limit) bytes with S2K (\(spent) bytes spent on \(derivations) derivations, \(bytes) more needed)"
            )
        }
        spent += bytes
        derivations += 1
    }
}
