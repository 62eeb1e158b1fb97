// Detached signatures (over the fixed `Fixtures.signedData`) and cleartext signed messages.
// The first byte picks the parser: even for a detached signature, odd for a cleartext one.
import FuzzSupport
import OpenPGP

runFuzzer(seeds: SignatureSeeds.make) { bytes in
    let (selector, rest) = split(bytes)
    if selector & 1 == 0 {
        _ = try? OpenPGPMessage.verifyDetached(rest, of: Fixtures.signedData, with: Fixtures.certificates)
    } else {
        _ = try? OpenPGPMessage.verifyCleartext(rest, with: Fixtures.certificates)
    }
}
