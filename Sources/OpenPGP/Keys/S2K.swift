/// A string-to-key specifier (RFC 9580 §3.7): how a passphrase becomes a symmetric key.
public struct S2K: Sendable, Hashable {
    /// The S2K variant.
    public enum Kind: UInt8, Sendable, Hashable {
        case simple = 0
        case salted = 1
        case iteratedAndSalted = 3
        /// Argon2id (RFC 9580 §3.7.1.4): memory-hard, with a 16-octet salt and ``argon2`` parameters.
        case argon2 = 4
        /// GnuPG's "no secret here" marker (secret part stored elsewhere or exported without).
        case gnuDummy = 101
    }

    public let kind: Kind
    /// The hash of the hashing kinds (zero for Argon2, which names none).
    public let hashAlgorithm: HashAlgorithm
    public let salt: [UInt8]
    /// The one-byte coded iteration count (iterated and salted only).
    public let codedCount: UInt8
    /// The passes, lanes and memory of an Argon2 specifier (nil for the other kinds).
    public let argon2: Argon2Parameters?

    /// The defaults used when protecting keys: SHA-256, random salt, 32 MiB hashed.
    public static func iteratedAndSalted(hash: HashAlgorithm = .sha256, codedCount: UInt8 = 0xF0) -> S2K {
        S2K(kind: .iteratedAndSalted, hashAlgorithm: hash, salt: secureRandomBytes(8), codedCount: codedCount)
    }

    /// A specifier of `kind` with a fresh random salt where the kind has one.
    static func random(kind: Kind, hash: HashAlgorithm, codedCount: UInt8 = 0xF0) -> S2K {
        if kind == .argon2 { return .argon2() }
        let salted = kind == .salted || kind == .iteratedAndSalted
        return S2K(
            kind: kind, hashAlgorithm: hash, salt: salted ? secureRandomBytes(8) : [],
            codedCount: kind == .iteratedAndSalted ? codedCount : 0)
    }

    /// The derivation implied by a legacy S2K usage octet (one that names the cipher): a
    /// simple S2K with MD5 (RFC 9580 §5.5.3, "Legacy CFB").
    static let legacyMD5 = S2K(kind: .simple, hashAlgorithm: .md5, salt: [], codedCount: 0)

    init(
        kind: Kind, hashAlgorithm: HashAlgorithm, salt: [UInt8], codedCount: UInt8, argon2: Argon2Parameters? = nil
    ) {
        self.kind = kind
        self.hashAlgorithm = hashAlgorithm
        self.salt = salt
        self.codedCount = codedCount
        self.argon2 = argon2
    }

    /// The number of bytes hashed for the iterated variant.
    public var byteCount: Int { (16 + Int(codedCount & 15)) << (Int(codedCount >> 4) + 6) }

    init(reading reader: inout ByteReader) throws {
        let type = try reader.readByte("the S2K type")
        switch type {
        case 0:
            self.init(
                kind: .simple, hashAlgorithm: HashAlgorithm(rawValue: try reader.readByte("the S2K hash")), salt: [],
                codedCount: 0)
        case 1:
            let hash = HashAlgorithm(rawValue: try reader.readByte("the S2K hash"))
            self.init(kind: .salted, hashAlgorithm: hash, salt: try reader.readBytes(8, "the S2K salt"), codedCount: 0)
        case 3:
            let hash = HashAlgorithm(rawValue: try reader.readByte("the S2K hash"))
            let salt = try reader.readBytes(8, "the S2K salt")
            self.init(
                kind: .iteratedAndSalted, hashAlgorithm: hash, salt: salt,
                codedCount: try reader.readByte("the S2K count"))
        case 4:
            let salt = try reader.readBytes(Argon2Parameters.saltSize, "the Argon2 salt")
            let start = reader.absoluteOffset
            let passes = try reader.readByte("the Argon2 passes")
            let parallelism = try reader.readByte("the Argon2 parallelism")
            let memoryExponent = try reader.readByte("the Argon2 memory exponent")
            let parameters: Argon2Parameters
            do {
                parameters = try Argon2Parameters(
                    passes: Int(passes), parallelism: Int(parallelism), memoryExponent: Int(memoryExponent))
            } catch let error as OpenPGPError {
                throw OpenPGPError(.malformedPacket, error.message, offset: start, packetTag: reader.packetTag)
            }
            self.init(argon2Salt: salt, parameters: parameters)
        case 101:
            let hash = HashAlgorithm(rawValue: try reader.readByte("the S2K hash"))
            let marker = try reader.readBytes(3, "the GNU S2K marker")
            guard marker == Array("GNU".utf8) else { throw reader.malformed("unknown private S2K extension") }
            let mode = try reader.readByte("the GNU S2K mode")
            guard mode == 1 else {
                throw OpenPGPError(
                    .unsupportedAlgorithm, "GnuPG S2K mode \(mode) (smartcard stub) is not supported",
                    offset: reader.absoluteOffset)
            }
            self.init(kind: .gnuDummy, hashAlgorithm: hash, salt: [], codedCount: 0)
        default:
            throw OpenPGPError(
                .unsupportedAlgorithm, "S2K type \(type) is not supported", offset: reader.absoluteOffset,
                packetTag: reader.packetTag)
        }
    }

    var serialized: [UInt8] {
        switch kind {
        case .simple: [0, hashAlgorithm.rawValue]
        case .salted: [1, hashAlgorithm.rawValue] + salt
        case .iteratedAndSalted: [3, hashAlgorithm.rawValue] + salt + [codedCount]
        case .argon2: [4] + salt + (argon2?.serialized ?? [])
        case .gnuDummy: [101, hashAlgorithm.rawValue] + Array("GNU".utf8) + [1]
        }
    }

    /// How many bytes ``deriveKey(passphrase:keySize:argon2Limits:)`` hashes for a passphrase of
    /// `passphraseLength` bytes: the (iterated) salted passphrase once per digest needed to
    /// fill `keySize` bytes. Zero when nothing would be hashed (a stub, an unknown hash,
    /// Argon2, whose work is ``Argon2Parameters/work``).
    func workBytes(passphraseLength: Int, keySize: Int) -> Int {
        guard kind != .gnuDummy, kind != .argon2, let digestSize = hashAlgorithm.digestSize, digestSize > 0 else {
            return 0
        }
        let unit = salt.count + passphraseLength
        let total = kind == .iteratedAndSalted ? max(byteCount, unit) : unit
        return (keySize + digestSize - 1) / digestSize * total
    }

    /// Derives a `keySize`-byte key from `passphrase`. An Argon2 specifier asking for more
    /// than `argon2Limits` allow throws `workLimitExceeded` before any memory is allocated.
    func deriveKey(
        passphrase: SecureBytes, keySize: Int, argon2Limits: Argon2Limits = Argon2Limits()
    ) throws -> SecureBytes {
        guard kind != .gnuDummy else {
            throw OpenPGPError(.noSuitableKey, "the secret key material is not present (GnuPG stub)")
        }
        if kind == .argon2 {
            guard let argon2 else { throw OpenPGPError(.invalidArgument, "an Argon2 S2K without parameters") }
            try argon2Limits.check(argon2)
            return try Argon2.deriveArgon2id(
                password: passphrase, salt: salt, passes: Int(argon2.passes), memoryKiB: argon2.memoryKiB,
                lanes: Int(argon2.parallelism), count: keySize)
        }
        guard let digestSize = hashAlgorithm.digestSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "S2K hash algorithm \(hashAlgorithm) is not supported")
        }
        let contexts = try (0..<((keySize + digestSize - 1) / digestSize)).map { _ in try HashContext(hashAlgorithm) }
        passphrase.withUnsafeBytes { pass in
            let unit = salt.count + pass.count
            let total = kind == .iteratedAndSalted ? max(byteCount, unit) : unit
            // Hash in large blocks of whole (salt || passphrase) repetitions: far fewer calls.
            let repetitions = max(1, min(total, 1 << 16) / max(unit, 1))
            var material: [UInt8] = []
            material.reserveCapacity(unit * repetitions)
            for _ in 0..<repetitions { material += salt; material += pass }
            defer { wipe(&material) }
            for (index, context) in contexts.enumerated() {
                // Each further context is preloaded with one more zero byte.
                for _ in 0..<index { context.update(byte: 0) }
                material.withUnsafeBytes { chunk in
                    var remaining = total
                    while chunk.count > 0, remaining >= chunk.count {
                        context.update(chunk)
                        remaining -= chunk.count
                    }
                    if remaining > 0 { context.update(UnsafeRawBufferPointer(rebasing: chunk[0..<remaining])) }
                }
            }
        }
        var key: [UInt8] = []
        for context in contexts { key += context.finalize() }
        defer { wipe(&key) }
        return SecureBytes(key.prefix(keySize))
    }
}
