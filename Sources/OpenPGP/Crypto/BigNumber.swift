import COpenSSL

/// A libcrypto `BIGNUM` owned by Swift. Secret numbers come from the secure heap, take
/// libcrypto's constant-time paths (`BN_FLG_CONSTTIME`) and are cleared when freed.
/// Not shared across tasks.
final class BigNumber {
    let pointer: OpaquePointer
    let isSecret: Bool

    /// Zero.
    init(secret: Bool = false) throws {
        LibCrypto.initialize()
        guard let pointer = secret ? BN_secure_new() : BN_new() else { throw LibCrypto.failure("BN_new") }
        if secret { BN_set_flags(pointer, BN_FLG_CONSTTIME) }
        self.pointer = pointer
        self.isSecret = secret
    }

    /// The unsigned big-endian number `bytes` (an MPI's magnitude).
    convenience init(_ bytes: some ContiguousBytes, secret: Bool = false) throws {
        try self.init(secret: secret)
        let ok = bytes.withUnsafeBytes { raw in
            BN_bin2bn(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(raw.count), pointer) != nil
        }
        guard ok else { throw LibCrypto.failure("BN_bin2bn") }
    }

    /// A secret number from secret bytes.
    convenience init(secret bytes: SecureBytes) throws {
        try self.init(bytes, secret: true)
    }

    /// A small number.
    convenience init(word: UInt, secret: Bool = false) throws {
        try self.init(secret: secret)
        guard BN_set_word(pointer, word) == 1 else { throw LibCrypto.failure("BN_set_word") }
    }

    deinit {
        if isSecret { BN_clear_free(pointer) } else { BN_free(pointer) }
    }

    var bitCount: Int { Int(BN_num_bits(pointer)) }
    var byteCount: Int { (bitCount + 7) / 8 }
    var isZero: Bool { BN_is_zero(pointer) == 1 }
    var isOne: Bool { BN_is_one(pointer) == 1 }
    var isOdd: Bool { BN_is_odd(pointer) == 1 }
    var isNegative: Bool { BN_is_negative(pointer) == 1 }

    /// Big-endian bytes, left-padded to `count` (at least the number's own length).
    func bytes(count: Int = 0) -> [UInt8] {
        let length = max(count, byteCount)
        var out = [UInt8](repeating: 0, count: length)
        guard length > 0 else { return out }
        _ = BN_bn2binpad(pointer, &out, Int32(length))
        return out
    }

    /// The value as secret bytes, left-padded to `count`.
    func secureBytes(count: Int = 0) -> SecureBytes {
        var raw = bytes(count: count)
        defer { wipe(&raw) }
        return SecureBytes(raw)
    }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    func compare(_ other: BigNumber) -> Int { Int(BN_cmp(pointer, other.pointer)) }

    /// Whether 0 < self < `bound`.
    func isInOpenRange(below bound: BigNumber) -> Bool { !isZero && compare(bound) < 0 }

    /// A copy; the copy of a secret number is secret.
    func copy() throws -> BigNumber {
        let result = try BigNumber(secret: isSecret)
        guard BN_copy(result.pointer, pointer) != nil else { throw LibCrypto.failure("BN_copy") }
        return result
    }

    /// `self - word`, as a new number of the same secrecy.
    func subtracting(word: UInt) throws -> BigNumber {
        let result = try copy()
        guard BN_sub_word(result.pointer, word) == 1 else { throw LibCrypto.failure("BN_sub_word") }
        return result
    }
}

/// A `BN_CTX` scratch area for one computation; the secure variant for secret operands.
final class BigNumberContext {
    let pointer: OpaquePointer

    init(secret: Bool = true) throws {
        LibCrypto.initialize()
        guard let pointer = secret ? BN_CTX_secure_new() : BN_CTX_new() else { throw LibCrypto.failure("BN_CTX_new") }
        self.pointer = pointer
    }

    deinit { BN_CTX_free(pointer) }

    /// `base^exponent mod modulus` in constant time for a secret exponent (odd modulus only).
    func modExpConstantTime(_ base: BigNumber, _ exponent: BigNumber, _ modulus: BigNumber) throws -> BigNumber {
        guard modulus.isOdd else { throw OpenPGPError(.invalidArgument, "a Montgomery modulus must be odd") }
        let result = try BigNumber(secret: true)
        guard
            BN_mod_exp_mont_consttime(result.pointer, base.pointer, exponent.pointer, modulus.pointer, pointer, nil)
                == 1
        else {
            throw LibCrypto.failure("BN_mod_exp_mont_consttime")
        }
        return result
    }

    /// `a * b mod modulus`.
    func modMultiply(_ a: BigNumber, _ b: BigNumber, _ modulus: BigNumber, secret: Bool) throws -> BigNumber {
        let result = try BigNumber(secret: secret)
        guard BN_mod_mul(result.pointer, a.pointer, b.pointer, modulus.pointer, pointer) == 1 else {
            throw LibCrypto.failure("BN_mod_mul")
        }
        return result
    }

    /// `a * b`.
    func multiply(_ a: BigNumber, _ b: BigNumber, secret: Bool) throws -> BigNumber {
        let result = try BigNumber(secret: secret)
        guard BN_mul(result.pointer, a.pointer, b.pointer, pointer) == 1 else { throw LibCrypto.failure("BN_mul") }
        return result
    }

    /// `a - b`.
    func subtract(_ a: BigNumber, _ b: BigNumber, secret: Bool) throws -> BigNumber {
        let result = try BigNumber(secret: secret)
        guard BN_sub(result.pointer, a.pointer, b.pointer) == 1 else { throw LibCrypto.failure("BN_sub") }
        return result
    }

    /// `a mod modulus`, non-negative.
    func reduce(_ a: BigNumber, _ modulus: BigNumber, secret: Bool) throws -> BigNumber {
        let result = try BigNumber(secret: secret)
        guard BN_nnmod(result.pointer, a.pointer, modulus.pointer, pointer) == 1 else {
            throw LibCrypto.failure("BN_nnmod")
        }
        return result
    }

    /// `a⁻¹ mod modulus` (constant-time when either operand is secret), or nil if none exists.
    func modInverse(_ a: BigNumber, _ modulus: BigNumber, secret: Bool) throws -> BigNumber? {
        let result = try BigNumber(secret: secret)
        guard BN_mod_inverse(result.pointer, a.pointer, modulus.pointer, pointer) != nil else {
            LibCrypto.clearErrors()
            return nil
        }
        return result
    }

    /// A uniformly random secret number in `[1, upper)`, for `upper` > 1.
    func randomSecret(below upper: BigNumber) throws -> BigNumber {
        let range = try upper.subtracting(word: 1)
        guard !range.isZero, !range.isNegative else { throw OpenPGPError(.invalidArgument, "an empty random range") }
        let result = try BigNumber(secret: true)
        let ok = withExtendedLifetime(range) {
            BN_priv_rand_range(result.pointer, range.pointer) == 1 && BN_add_word(result.pointer, 1) == 1
        }
        guard ok else { throw LibCrypto.failure("BN_priv_rand_range") }
        return result
    }
}

extension SecureBytes: ContiguousBytes {}
