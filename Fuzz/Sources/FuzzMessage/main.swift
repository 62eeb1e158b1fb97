// Message decryption and verification, armored or binary: public-key and password
// encryption, signed, compressed and literal data, read in one pass into a sink that keeps
// nothing (so that a large but legitimate plaintext costs no memory).
import FuzzSupport
import OpenPGP

final class DiscardingSink: PlaintextSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func commit() throws {}
    func discard() {}
}

runFuzzer(seeds: MessageSeeds.make) { bytes in
    _ = try? OpenPGPMessage.decrypt(
        from: ArrayByteSource(bytes), to: DiscardingSink(), using: Fixtures.secretKeys,
        passphrases: [Fixtures.passphrase], verifyingWith: Fixtures.certificates)
}
