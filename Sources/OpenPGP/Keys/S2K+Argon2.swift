extension S2K {
    /// The cost parameters of an Argon2 S2K (RFC 9580 §3.7.1.4): Argon2id, version 0x13, with
    /// `passes` passes over 2^`memoryExponent` KiB in `parallelism` lanes.
    public struct Argon2Parameters: Sendable, Hashable {
        /// The number of passes t (1–255).
        public let passes: UInt8
        /// The degree of parallelism p: the number of lanes (1–255).
        public let parallelism: UInt8
        /// The encoded memory size m: the derivation uses 2^m KiB, at least 8p KiB and at most
        /// 2^31 KiB (2 TiB), so m runs from 3 + ceil(log2(p)) to 31.
        public let memoryExponent: UInt8

        /// Parameters as RFC 9580 allows them; others throw `invalidArgument`.
        public init(passes: Int, parallelism: Int, memoryExponent: Int) throws {
            guard (1...255).contains(passes) else {
                throw OpenPGPError(.invalidArgument, "Argon2 needs 1 to 255 passes, not \(passes)")
            }
            guard (1...255).contains(parallelism) else {
                throw OpenPGPError(.invalidArgument, "Argon2 needs a parallelism of 1 to 255, not \(parallelism)")
            }
            guard ParameterBounds.argon2MemoryExponents.contains(memoryExponent),
                1 << memoryExponent >= 8 * parallelism
            else {
                throw OpenPGPError(
                    .invalidArgument,
                    "the Argon2 memory exponent \(memoryExponent) is outside \(ParameterBounds.argon2MemoryExponents) or gives less than 8 KiB for each of \(parallelism) lanes"
                )
            }
            self.init(
                checkedPasses: UInt8(passes), parallelism: UInt8(parallelism), memoryExponent: UInt8(memoryExponent))
        }

        private init(checkedPasses passes: UInt8, parallelism: UInt8, memoryExponent: UInt8) {
            self.passes = passes
            self.parallelism = parallelism
            self.memoryExponent = memoryExponent
        }

        /// RFC 9106's first recommended option, the example of RFC 9580: t = 1, p = 4, m = 21
        /// (2 GiB, about a second or two per derivation).
        public static let recommended = Argon2Parameters(checkedPasses: 1, parallelism: 4, memoryExponent: 21)
        /// RFC 9106's second recommended option, for memory-constrained settings: t = 3, p = 4,
        /// m = 16 (64 MiB, a few tenths of a second per derivation).
        public static let lowMemory = Argon2Parameters(checkedPasses: 3, parallelism: 4, memoryExponent: 16)

        /// The memory one derivation uses, in KiB.
        public var memoryKiB: Int { 1 << Int(memoryExponent) }

        /// The work of one derivation in KiB processed (passes × memory), the unit of
        /// ``SessionKeyLimits/maxArgon2Work``.
        var work: Int { Int(passes) << Int(memoryExponent) }

        /// The octets that follow the salt in the specifier.
        var serialized: [UInt8] { [passes, parallelism, memoryExponent] }

        /// The salt size of an Argon2 specifier.
        static let saltSize = 16
    }

    /// An Argon2 specifier with `parameters` and a fresh random 16-octet salt.
    public static func argon2(_ parameters: Argon2Parameters = .recommended) -> S2K {
        S2K(argon2Salt: secureRandomBytes(Argon2Parameters.saltSize), parameters: parameters)
    }

    init(argon2Salt salt: [UInt8], parameters: Argon2Parameters) {
        self.init(
            kind: .argon2, hashAlgorithm: HashAlgorithm(rawValue: 0), salt: salt, codedCount: 0, argon2: parameters)
    }
}

/// The most memory and passes one Argon2 derivation may ask for, checked before libargon2
/// allocates anything. The defaults are ``SessionKeyLimits``'s (2 GiB, 16 passes).
struct Argon2Limits: Sendable, Hashable {
    /// The largest memory exponent m (2^m KiB).
    var maxMemoryExponent = SessionKeyLimits().maxArgon2MemoryExponent
    /// The most passes t.
    var maxPasses = SessionKeyLimits().maxArgon2Passes

    /// Throws `workLimitExceeded` if `parameters` ask for more.
    func check(_ parameters: S2K.Argon2Parameters) throws {
        guard Int(parameters.memoryExponent) <= maxMemoryExponent else {
            throw OpenPGPError(
                .workLimitExceeded,
                "the Argon2 S2K asks for 2^\(parameters.memoryExponent) KiB of memory; at most 2^\(maxMemoryExponent) KiB are allowed"
            )
        }
        guard Int(parameters.passes) <= maxPasses else {
            throw OpenPGPError(
                .workLimitExceeded,
                "the Argon2 S2K asks for \(parameters.passes) passes; at most \(maxPasses) are allowed")
        }
    }
}
