// Certificate, secret-key and keyring import, binary and armored (keybox too, through
// Keyring), then the work an application does with a key it just read.
import Foundation
import FuzzSupport
import OpenPGP

runFuzzer(seeds: KeySeeds.make) { bytes in
    if let certificate = try? Certificate(bytes: bytes) {
        let now = Date()
        _ = certificate.encryptionKeys(at: now)
        _ = certificate.signingKeys(at: now)
        _ = certificate.primaryUserID
        _ = certificate.components.map { ($0.expirationDate, $0.revocationReason, $0.bitLength) }
        // Reading back what was written must work.
        _ = try? Certificate(bytes: certificate.serialized())
        _ = try? Certificate(armored: certificate.armored())
    }
    if let secretKey = try? SecretKey(bytes: bytes) {
        let key = secretKey.isLocked ? try? secretKey.unlocked(passphrase: Fixtures.passphrase) : secretKey
        _ = try? key?.serialized()
    }
    if let keyring = try? Keyring(bytes: bytes) {
        _ = keyring.secretKeys.count
        var merged = Keyring()
        try? merged.formUnion(keyring)
        try? merged.formUnion(keyring)
    }
}
