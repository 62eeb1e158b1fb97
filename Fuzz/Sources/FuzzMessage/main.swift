// Message decryption and verification, armored or binary: public-key and password
// encryption (SEIPDv1 and SEIPDv2, v3/v6 PKESK, v4/v6 SKESK, Argon2), signed, compressed and
// literal data, read in one pass into a sink that keeps
// nothing (so that a large but legitimate plaintext costs no memory).
import FuzzSupport
import OpenPGP

final class DiscardingSink: PlaintextSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func commit() throws {}
    func discard() {}
}

/// The default limits but for Argon2, which may take 2 GiB per SKESK by default: libFuzzer's
/// own memory limit is 2 GiB, so an input asking for that much would be reported as a crash.
/// 64 MiB still runs every Argon2 code path.
let limits: SessionKeyLimits = {
    var limits = SessionKeyLimits()
    limits.maxArgon2MemoryExponent = 16
    return limits
}()

runFuzzer(seeds: MessageSeeds.make) { bytes in
    _ = try? OpenPGPMessage.decrypt(
        from: ArrayByteSource(bytes), to: DiscardingSink(), using: Fixtures.secretKeys,
        passphrases: [Fixtures.passphrase], verifyingWith: Fixtures.certificates, sessionKeyLimits: limits)
}
