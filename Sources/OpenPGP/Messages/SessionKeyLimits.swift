/// Bounds on the work a message may ask for while its session key is recovered, so that a
/// crafted message cannot keep a reader busy for seconds or minutes: each SKESK packet names
/// its own S2K, up to 65,011,712 hashed bytes (about a sixth of a second) per passphrase
/// tried, and each PKESK with a wildcard key ID asks for a private-key operation with every
/// secret key of its algorithm.
///
/// Exceeding either bound throws ``OpenPGPError/Code/workLimitExceeded`` before the work is
/// done. A message written by this engine (one SKESK per passphrase, 33,554,432 bytes each)
/// stays far below the defaults, as do GnuPG's (at most 65,011,712 bytes each).
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

    /// Limits with the given bounds; the defaults suit messages from this engine and GnuPG.
    public init(maxPassphrasePackets: Int = 16, maxS2KBytes: Int = 512 << 20, maxPublicKeyAttempts: Int = 32) {
        self.maxPassphrasePackets = maxPassphrasePackets
        self.maxS2KBytes = maxS2KBytes
        self.maxPublicKeyAttempts = maxPublicKeyAttempts
    }
}

/// The S2K work spent on one message, checked against ``SessionKeyLimits/maxS2KBytes``
/// before each derivation.
struct S2KBudget {
    let limit: Int
    /// Bytes hashed so far.
    private(set) var spent = 0
    /// Derivations done so far.
    private(set) var derivations = 0

    init(limit: Int) { self.limit = limit }

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
